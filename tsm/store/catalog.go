package store

import (
	"context"
	"time"
)

// Catalog holds uploaded CAP files, encrypted at rest by the TSM service
// layer with a per-package key. The store keeps the ciphertext, a keystore
// reference to the wrapped per-package key and public metadata; it never sees
// the plaintext or the key.
type Catalog interface {
	// PutPackage stores a new package version with its ciphertext. A package
	// AID and version already stored is ErrConflict (versions are immutable).
	PutPackage(ctx context.Context, p Package, ciphertext []byte) (Package, error)
	// Package returns the metadata of one package version, or ErrNotFound.
	Package(ctx context.Context, aid []byte, v Version) (Package, error)
	// PackageCiphertext returns the stored ciphertext of one package version,
	// or ErrNotFound.
	PackageCiphertext(ctx context.Context, aid []byte, v Version) ([]byte, error)
	// Packages lists all package versions, ordered by AID then version.
	Packages(ctx context.Context) ([]Package, error)
}

// Package is the metadata of one CAP file version in the catalog.
type Package struct {
	AID          []byte   // package (load file) AID, 5..16 bytes
	Version      Version  // package version from the CAP header
	Name         string   // operator-facing name, optional
	Applets      [][]byte // applet class AIDs the package declares
	LoadFileHash []byte   // hash of the load file data block (DAP / INSTALL [for load])
	HashAlg      string   // algorithm of LoadFileHash, e.g. "SHA-256"
	Size         int64    // plaintext CAP size in bytes
	DAPSignature []byte   // optional DAP signature over LoadFileHash
	KeyRef       string   // keystore reference of the wrapped per-package key
	SealedKey    []byte   // opaque blob from the keystore, if it asks the store to keep one
	UploadedBy   string   // actor who uploaded it
	UploadedAt   time.Time
}

// Validate checks that p can be stored.
func (p Package) Validate() error {
	if len(p.AID) < 5 || len(p.AID) > 16 {
		return invalidf("package AID must be 5..16 bytes")
	}
	if len(p.LoadFileHash) == 0 || p.HashAlg == "" {
		return invalidf("package %X: load file hash and its algorithm are required", p.AID)
	}
	if p.KeyRef == "" {
		return invalidf("package %X: key reference is required", p.AID)
	}
	if p.Size <= 0 {
		return invalidf("package %X: size must be positive", p.AID)
	}
	seen := map[string]bool{}
	for _, a := range p.Applets {
		if err := uniqueAID("applet", a, seen); err != nil {
			return err
		}
	}
	return nil
}
