// Package catalog is the TSM's CAP catalog: it validates uploaded CAP files
// (applet/cap), records their package AID, version, applets and load file
// hash, and keeps the file encrypted at rest in store.Catalog.
//
// Each package version gets its own AES-GCM key. The key never exists
// outside process memory and is never stored: it is derived, inside the key
// store, from a catalog master key and a random 16-byte salt kept with the
// package. The derivation is the key store's SCP03 session-key function
// (NIST SP 800-108 counter mode with AES-CMAC, Amd D §6.2.1) with the salt
// as host and card challenge, so the master key stays in the key store
// (sealed file or PKCS#11 token) and every package has an independent,
// random key. The GCM associated data binds the ciphertext to its package
// AID and version.
package catalog
