// Package scp02card is the card side of GlobalPlatform Secure Channel Protocol
// '02' (GPCS 2.3.1 Appendix E) for the card simulator: what a security domain
// does when a host opens an SCP02 session with it.
//
// It sits between the card manager and the command handlers: the card manager
// routes INITIALIZE UPDATE (INS 50) to Session.Begin and EXTERNAL AUTHENTICATE
// (INS 82) to Session.ExternalAuthenticate; for a key set with implicit
// initiation it hands the first secured command to Session.BeginImplicit. It
// passes every other command for the security domain through Session.Unwrap
// (C-MAC verification with ICV chaining and optional ICV encryption,
// C-DECRYPTION, security level enforcement) and the handler's response through
// Session.Wrap (R-MAC). Session.Level reports the current security level for
// per-command minimums (GPCS 2.3.1 §11, Table 11-2); Session.Reset ends the
// session on power loss, reset or SELECT of another application.
//
// Every "i" option of Table E-1 is honoured: 1 or 3 base keys (b1), C-MAC on
// the modified or unmodified APDU (b2), explicit or implicit initiation (b3),
// ICV zero or MAC over the AID (b4), ICV encryption (b5), R-MAC support (b6)
// and the well-known pseudo-random card challenge (b7); so i = 04, 05, 0A, 0B,
// 14, 15, 1A, 1B, 44, 45, 54, 55 and their R-MAC variants work.
//
// The package implements the protocol independently of the host side in
// gpcard/scp02: it imports only the leaf packages gpcard/gpcrypto and gpcard/sw.
// Key bytes are handed in by the caller; they never appear in status words,
// and KeySet and Session redact themselves when formatted.
package scp02card
