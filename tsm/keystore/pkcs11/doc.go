// Package pkcs11 is the "pkcs11" key store backend: keys live in a PKCS#11
// token (an HSM; SoftHSM2 in tests) as secret-key objects that are
// sensitive, so their values cannot be read, and the GlobalPlatform
// computations run inside the token.
//
// Inside the token (by mechanism; PKCS#11 v2.40):
//   - KCVs: C_Encrypt CKM_DES3_ECB of 00×8, CKM_AES_ECB of 01×16 (GP's AES
//     KCV, not the token's CKA_CHECK_VALUE, which encrypts zeros; gp-card.md
//     §1.9). Only the first 3 bytes are kept.
//   - EMV and VISA2 diversification: C_DeriveKey CKM_DES3_ECB_ENCRYPT_DATA
//     of the diversification data into a session key object.
//   - KDF3 diversification: the CMAC of the single 16-byte KDF3 block is
//     AES(master, block ⊕ K1) (NIST SP 800-38B §6.2); C_DeriveKey
//     CKM_AES_ECB_ENCRYPT_DATA of block ⊕ K1 yields the card key as a
//     session object.
//   - SCP02 session keys: C_Encrypt CKM_DES3_CBC (ICV 0) of
//     constant ‖ sequence ‖ 00×12 (GPCS 2.3.1 §E.4.1); the session DEK is a
//     session object from C_DeriveKey CKM_DES3_CBC_ENCRYPT_DATA.
//   - SCP03 session keys and pseudo-random challenges: C_Sign CKM_AES_CMAC
//     over the SP 800-108 blocks (Amd D §6.2.1, §6.2.2.1).
//   - SCP03 PUT KEY encryption: C_WrapKey CKM_AES_CBC with ICV 0 under the
//     static Key-DEK (Amd D §6.2.1).
//
// What leaves the token, and why:
//   - Session keys (S-ENC, S-MAC, S-RMAC): keys.Provider returns them by
//     design; the channel computes MACs and encryption in process.
//   - Pseudo-random card challenges and PUT KEY cryptograms: public values.
//   - The full 16-byte KCV blocks (truncated to 3 bytes at once) and, for
//     KDF3, L = AES(master, 00×16), the CMAC subkey generator: SoftHSM 2.6
//     has no SP 800-108 or CMAC-based derivation, so K1 = dbl(L) is formed
//     in process to feed CKM_AES_ECB_ENCRYPT_DATA. L is a known-plaintext
//     block (its first 3 bytes are the token's CKA_CHECK_VALUE); it does not
//     reveal the master or the card keys.
//   - 3DES keys sent in SCP02 PUT KEY: SCP02 encrypts them with 3DES-ECB
//     under the session DEK, and SoftHSM 2.6's C_WrapKey offers no DES
//     mechanism (only CKM_AES_CBC, CKM_AES_KEY_WRAP(_PAD) and RSA). Such
//     keys are stored non-sensitive and read for the encryption, which
//     itself runs inside the token (C_Encrypt under the session DEK object).
//     This needs PKCS11Config.InsecureAllowDESExport; without it, 3DES
//     entries with UsePutKey are refused.
//
// Each entry is a data object (CKO_DATA, CKA_APPLICATION
// "cardhost-keystore") holding its metadata plus one key object per key,
// all with CKA_LABEL = the entry label and CKA_ID = the key identifier (1
// ENC, 2 MAC, 3 DEK; 0 for a master key). Key material is imported in
// process (ceremony components are combined here) and created with
// C_CreateObject; its KCV is recomputed inside the token.
//
// The package registers itself with keystore under the name "pkcs11". It
// needs cgo; a binary built without cgo registers the same name and fails
// clearly when opened.
//
// BUG(pkcs11): AES-192 keys cannot be encrypted for PUT KEY (Amd D §6.2.8
// pads them to 32 bytes, which C_WrapKey CKM_AES_CBC cannot do); 3DES master
// keys cannot have UsePutKey.
package pkcs11
