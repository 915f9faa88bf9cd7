// Package keystore is the TSM's key store seam: master keys per issuer or
// provider, static key sets and per-card keys, kept behind the Store
// interface so that no caller ever holds key bytes.
//
// A Store imports key material as a ceremony step (components with key check
// values), generates random key sets inside itself, lists metadata (label,
// kind, type, KVN, KCVs, usage, creation time — never bytes), deletes entries,
// and hands out a Provider for named entries. The Provider is the
// gpcard/keys.Provider the secure channels (gpcard/scp02, gpcard/scp03) ask
// for session keys, pseudo-random challenges and PUT KEY key encryption, plus
// KeySet, which reports the check values of the keys a card would use.
//
// On the data path reader → channel → command → parser the key store sits
// beside the channel: tsm code opens a Store from configuration, asks it for a
// Provider for the card's keys and passes that to scp02.Open or scp03.Open.
//
// Backends register by name (Register) from their init functions and are
// opened with Open from a Config that references secrets (SecretRef) instead
// of holding them: package sealed ("sealed", a passphrase-sealed file) and
// package pkcs11 ("pkcs11", keys inside a PKCS#11 token). Package keystoretest
// holds the conformance suite every backend passes.
package keystore
