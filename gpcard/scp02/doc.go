// Package scp02 is the host side of GlobalPlatform Secure Channel Protocol
// '02' (GPCS 2.3.1 Appendix E): mutual authentication with INITIALIZE UPDATE
// and EXTERNAL AUTHENTICATE (or implicit initiation), then C-MAC, C-DEC and
// R-MAC on every command.
//
// On the data path reader → channel → command → parser, a *Session is the
// channel: a decorator over a reader.Transport with Transmit(ctx, apdu.Capdu)
// (apdu.Rapdu, error), so command code never knows it is wrapped. Session
// keys come from a keys.Provider; static keys never enter this package.
//
// Implementation options (i, Table E-1) are honoured bit by bit: b1 one base
// key or three keys, b2 C-MAC on the unmodified APDU, b3 explicit or implicit
// initiation, b4 ICV zero or MAC over AID, b5 ICV encryption, b6 R-MAC, b7
// pseudo-random card challenge — so 04, 05, 0A, 0B, 14, 15, 1A, 1B, 44, 45, 54,
// 55 (and their R-MAC variants) all work. INITIALIZE UPDATE does not report i
// for SCP02: pass the card's i (Card Recognition Data) in Options.I.
//
// BUG(scp02): only i=15 at levels 01 and 03 is checked against published
// transcripts. The R-MAC chain (initial ICV = the EXTERNAL AUTHENTICATE
// C-MAC, as kaoh/globalplatform does), the pseudo-random card challenge
// (first 6 bytes of a C-MAC over the AID), the ICV over the AID and implicit
// initiation (session keys from the GET DATA C1 counter as returned, initial
// ICV not encrypted) follow the specification text without a public vector.
package scp02
