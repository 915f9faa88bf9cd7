// Package command holds the pure GlobalPlatform command layer: builders that
// return command APDUs (apdu.Capdu) and parsers that turn response data into
// typed values. It does no I/O.
//
// On the path reader → channel → command → parser it sits on both ends: a
// caller builds a command here, sends it through a Channel (plain or a secure
// channel, which sets the secure-messaging bit of CLA and wraps the data
// itself), checks the status word with sw.Check using the command's name
// constant (e.g. NameInstallForLoad), and parses the response data here.
//
// Builders use CLA 80 for GlobalPlatform commands and CLA 00 for SELECT.
// Builders that carry keys (PUT KEY, STORE DATA of key DGIs) take already
// encrypted key blocks: encrypting under the DEK is the secure channel's job.
// Parsers consume all of their input, copy every slice they keep, cap every
// loop and never panic; errors name the field and its offset.
//
// Byte layouts cite GPCS 2.3.1 (GlobalPlatform Card Specification v2.3.1)
// sections and tables beside the code.
package command
