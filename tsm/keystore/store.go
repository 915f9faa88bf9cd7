package keystore

import (
	"context"
	"errors"

	"github.com/cardhost/cardhost/gpcard/keys"
)

// Store is a key store: it keeps master keys, static key sets and per-card
// keys and never hands out their bytes. Labels name entries; key bytes cross
// the interface only inward (Import, as ceremony input).
//
// Implementations are safe for concurrent use. Close is idempotent; every
// other method fails with ErrClosed after it.
type Store interface {
	// Import stores key material entered in a ceremony under req.Label after
	// checking every component's KCV and the combined key's KCV. It fails
	// with ErrExists for a label in use and ErrKCVMismatch on a bad KCV.
	Import(ctx context.Context, req ImportRequest) (Metadata, error)
	// Generate creates a random key set or master key inside the store.
	Generate(ctx context.Context, req GenerateRequest) (Metadata, error)
	// List returns the metadata of every entry, sorted by label.
	List(ctx context.Context) ([]Metadata, error)
	// Provider returns a provider over the entries named by labels; each
	// answers for its KVN (KVN 0: any KVN without an entry of its own).
	// Unknown labels fail with ErrNotFound.
	Provider(ctx context.Context, labels ...string) (Provider, error)
	// Delete removes an entry; an unknown label fails with ErrNotFound.
	Delete(ctx context.Context, label string) error
	// Close releases the store's resources.
	Close() error
}

// Provider is the keys.Provider a Store hands out for some of its entries,
// so gpcard/scp02 and gpcard/scp03 can open channels with stored keys. It
// adds KeySet, which describes the keys a card would use without their
// bytes. Providers are safe for concurrent use and stay usable until the
// Store is closed.
type Provider interface {
	keys.Provider
	// KeySet returns the key version, type and the KCVs of ENC, MAC and DEK
	// that answer for kvn on the card with key diversification data kdd
	// (ignored by static entries). It fails with an error matching
	// keys.ErrNoKeySet when no entry answers for kvn.
	KeySet(ctx context.Context, kvn byte, kdd []byte) (keys.Info, error)
}

// Errors of every backend; backends wrap them with context (file, label,
// token), so match them with errors.Is.
var (
	ErrNotFound        = errors.New("keystore: no such key")
	ErrExists          = errors.New("keystore: label already in use")
	ErrKCVMismatch     = errors.New("keystore: key check value mismatch")
	ErrWrongPassphrase = errors.New("keystore: wrong passphrase")
	ErrWrongPIN        = errors.New("keystore: wrong PIN")
	ErrTampered        = errors.New("keystore: stored data fails its integrity check")
	ErrUsage           = errors.New("keystore: key usage does not allow this operation")
	ErrUnsupported     = errors.New("keystore: operation not supported by this backend")
	ErrClosed          = errors.New("keystore: store is closed")
)
