// Package dap computes and checks Data Authentication Pattern (DAP)
// signatures — GlobalPlatform's Load File Data Block Signature — and encodes
// the DAP block (tag E2) that precedes the Load File in LOAD commands.
//
// What is signed: the Load File Data Block Hash, i.e. the digest of the Load
// File Data Block without its C4 tag and length (GPCS 2.3.1 Appendix C.2),
// computed by applet/cap. The DAP is a signature over those hash bytes (GPCS
// 2.3.1 §9.2.1 and Appendix C.3), so the signature scheme hashes them once more:
// scheme 1 (Appendix B.3.1) is RSA PKCS#1 v1.5 with SHA-1, scheme 2 (B.3.2) is
// RSASSA-PSS with SHA-256 (MGF1-SHA-256, 32-byte salt), and ECDSA (B.4.3) is
// ECDSA over P-256 with SHA-256, encoded as r‖s (64 bytes). GlobalPlatformPro's
// DAPSigner does the same: it feeds the load file data hash to SHA1withRSA,
// SHA256withRSAandMGF1 or SHA256withECDSA.
//
// The host signs (the TSM with its key store, through crypto.Signer so keys
// may stay in an HSM); the simulator and the TSM verify. The package is a
// leaf: standard library and x/crypto only, no I/O, no logging.
package dap
