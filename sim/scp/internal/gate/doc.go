// Package gate holds the checks that the card sides of SCP02
// (sim/scp/scp02card) and SCP03 (sim/scp/scp03card) apply identically at the
// edges of a secure channel session: the header checks of INITIALIZE UPDATE
// and EXTERNAL AUTHENTICATE, the admission of a command before its C-MAC is
// verified (the first step of Unwrap) and the admission of a response before
// it is protected (the first step of Wrap).
//
// It is internal to sim/scp and sits between the card manager, which hands raw
// APDU bytes to a protocol Session, and that protocol's own cryptography
// (cryptograms, MACs, encryption), which stays in each protocol package
// because the two protocols differ there. Every function is pure: it returns
// the status word to answer and leaves ending the session to the caller.
package gate
