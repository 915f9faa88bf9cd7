package sealed

import (
	"errors"
	"fmt"
	"io"
	"sort"

	"golang.org/x/crypto/chacha20poly1305"

	"github.com/cardhost/cardhost/gpcard/secret"
	"github.com/cardhost/cardhost/tsm/keystore"
)

// seal encrypts plain under the store key with a random nonce.
func (s *Store) seal(plain, ad []byte) ([]byte, error) {
	nonce := make([]byte, chacha20poly1305.NonceSizeX)
	if _, err := io.ReadFull(s.rand, nonce); err != nil {
		return nil, fmt.Errorf("sealed: nonce: %w", err)
	}
	var out []byte
	err := s.key.Use(func(k []byte) error {
		a, err := chacha20poly1305.NewX(k)
		if err != nil {
			return err
		}
		out = a.Seal(nonce, nonce, plain, ad)
		return nil
	})
	return out, err
}

// open decrypts what seal produced; it fails without detail on any error.
func (s *Store) open(sealed, ad []byte) ([]byte, error) {
	var out []byte
	err := s.key.Use(func(k []byte) error {
		a, err := chacha20poly1305.NewX(k)
		if err != nil {
			return err
		}
		if len(sealed) < a.NonceSize()+a.Overhead() {
			return errors.New("short")
		}
		out, err = a.Open(nil, sealed[:a.NonceSize()], sealed[a.NonceSize():], ad)
		return err
	})
	return out, err
}

// save seals the check value of f, writes f and makes it current.
func (s *Store) save(f *file) error {
	sort.Slice(f.Entries, func(i, j int) bool { return f.Entries[i].Meta.Label < f.Entries[j].Meta.Label })
	check, err := s.seal(f.digest(), f.checkAD())
	if err != nil {
		return err
	}
	f.Check = check
	if err := writeFile(s.path, f); err != nil {
		return fmt.Errorf("sealed: writing %s: %w", s.path, err)
	}
	s.f = f
	return nil
}

// unseal returns the current metadata and keys of label; the caller zeroes
// the keys.
func (s *Store) unseal(label string) (keystore.Metadata, []secret.Key, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	e, err := s.entry(label)
	if err != nil {
		return keystore.Metadata{}, nil, err
	}
	plain, err := s.open(e.Sealed, s.f.entryAD(e.Meta))
	if err != nil {
		return keystore.Metadata{}, nil, fmt.Errorf("sealed: %s: entry %q: %w", s.path, label, keystore.ErrTampered)
	}
	defer clear(plain)
	n := e.Meta.Type.Len()
	if len(plain) != n*len(e.Meta.KCVs) {
		return keystore.Metadata{}, nil, fmt.Errorf("sealed: %s: entry %q: key length: %w", s.path, label, keystore.ErrTampered)
	}
	var ks []secret.Key
	for i := 0; i < len(plain); i += n {
		ks = append(ks, secret.New(plain[i:i+n]))
	}
	return e.Meta, ks, nil
}

func zeroAll(ks []secret.Key) {
	for i := range ks {
		ks[i].Zero()
	}
}
