// Package scp holds what the host sides of the GlobalPlatform secure channel
// protocols share: the sentinel errors and CryptogramError, the
// authentication commands (INITIALIZE UPDATE, EXTERNAL AUTHENTICATE) sent
// without secure messaging, and Conn, the protocol-independent half of an
// open session (class and length checks, transport, closing on divergence).
//
// It sits on the path reader → channel → command → parser as the common
// skeleton of the channel step; the cryptography of each protocol lives in
// gpcard/scp02 (GPCS 2.3.1 Appendix E) and gpcard/scp03 (Amendment D), which
// plug into Conn through the Codec interface. The simulator has its own card
// side and does not import this package.
package scp
