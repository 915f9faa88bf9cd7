// Package scp03 is the host side of GlobalPlatform Secure Channel Protocol
// '03' (GPCS Amendment D v1.1.2/v1.2): mutual authentication with INITIALIZE
// UPDATE and EXTERNAL AUTHENTICATE, then C-MAC, C-DEC, R-MAC and R-ENC with
// AES-128/192/256 keys, S8 or S16 mode and the pseudo-random card challenge.
//
// On the data path reader → channel → command → parser, a *Session is the
// channel: a decorator over a reader.Transport with Transmit(ctx, apdu.Capdu)
// (apdu.Rapdu, error). Session keys and the pseudo-random challenge come from
// a keys.Provider; static keys never enter this package.
//
// The card's i (INITIALIZE UPDATE byte 12, Amd D Table 5-1) is honoured
// unless Options.ForceI is set: b1 S16, b5 pseudo-random challenge, b6-b7
// R-MAC / R-MAC+R-ENC (00, 10, 20, 30, 60, 70 and their S16 forms).
//
// The encryption counter advances for every wrapped command, with or
// without data; the response ICV uses the command's counter with first byte
// 80. This reproduces every published kaoh/globalplatform transcript,
// including R-MAC/R-ENC.
//
// BUG(scp03): S16 mode follows Amendment D v1.2 without a public transcript.
package scp03
