// Package sealed is the "sealed" key store backend: every key entry is
// sealed with XChaCha20-Poly1305 under a store key derived from a
// passphrase with argon2id (RFC 9106), in one JSON file written atomically
// with mode 0600.
//
// The file holds a header (format, argon2id salt and cost), a check value
// and the entries. Each entry is its metadata in clear (label, kind, type,
// KVN, KCVs, usage, creation time — no key bytes) and its keys sealed with
// the metadata as associated data, so metadata cannot be swapped or edited.
// The check value seals a SHA-256 digest of all entries: a wrong passphrase
// fails to open it (ErrWrongPassphrase, nothing decrypted), and any edit,
// removal or addition of entries no longer matches the digest (ErrTampered,
// naming the file). Keys are unsealed only for the one operation that needs
// them and wiped afterwards.
//
// The package registers itself with keystore under the name "sealed"; a
// Store is usually opened with keystore.Open and a keystore.SealedConfig.
//
// BUG(sealed): replacing the file with an older complete version of itself
// (rollback) is not detected; one process at a time may use a file.
package sealed
