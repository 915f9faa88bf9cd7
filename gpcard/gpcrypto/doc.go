// Package gpcrypto holds the cryptographic primitives of GlobalPlatform secure
// channels: ISO 9797-1 padding, single/triple DES in ECB and CBC, the ISO 9797-1
// MAC algorithms used by SCP02 (retail MAC and full 3DES CBC-MAC), AES in ECB
// and CBC, AES-CMAC, the SCP03 key derivation function (NIST SP 800-108 counter
// mode with AES-CMAC, GPCS Amendment D §6.2.1) and key check values.
//
// It is a leaf package: it imports only the standard library and the CMAC
// implementation, so both the host side (gpcard) and the card simulator (sim)
// may use it without sharing protocol logic. Functions here never log and never
// keep references to key bytes.
package gpcrypto
