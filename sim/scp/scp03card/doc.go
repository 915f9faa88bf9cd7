// Package scp03card is the card side of GlobalPlatform Secure Channel Protocol
// '03' (GPCS 2.3.1 Amendment D) for the card simulator: what a security domain
// does when a host opens an SCP03 session with it.
//
// It sits between the card manager and the command handlers: the card manager
// routes INITIALIZE UPDATE (INS 50) to Session.Begin and EXTERNAL AUTHENTICATE
// (INS 82) to Session.ExternalAuthenticate, passes every other command for the
// security domain through Session.Unwrap (C-MAC verification, C-DECRYPTION,
// security level enforcement) before handling it, and passes the handler's
// response through Session.Wrap (R-MAC, R-ENCRYPTION). Session.Level tells the
// card manager the current security level so it can apply per-command minimums
// (GPCS 2.3.1 §11, Table 11-2); Session.Reset ends the session on power loss,
// card reset or SELECT of another application.
//
// The package implements the protocol independently of the host side in
// gpcard/scp03: it imports only the leaf packages gpcard/gpcrypto (AES, CMAC,
// the SP 800-108 KDF) and gpcard/sw, so a bug on one side cannot hide the same
// bug on the other. Supported: i = 00, 10, 20, 30, 60, 70 and their S16
// variants (b1 set), AES-128/192/256 keys, pseudo-random card challenges with
// the 3-byte sequence counter, and security levels 00, 01, 03, 11, 13, 33.
//
// Key bytes are handed in by the caller (the card holds its own keys); they
// never appear in status words, and KeySet and Session redact themselves when
// formatted.
package scp03card
