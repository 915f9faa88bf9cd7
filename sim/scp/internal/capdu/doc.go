// Package capdu parses and re-encodes the short command APDUs that the card
// side of the GlobalPlatform secure channels (sim/scp/scp02card,
// sim/scp/scp03card) receives. It is internal to sim/scp: it sits between the
// card manager, which hands raw command bytes in, and the per-protocol
// unwrapping code. Parsing never panics and answers malformed input with the
// ISO 7816-4 status word the card returns (6700 wrong length).
package capdu
