package sealed

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/chacha20poly1305"

	"github.com/cardhost/cardhost/gpcard/secret"
	"github.com/cardhost/cardhost/tsm/keystore"
)

// formatV1 names the file format; it is also the prefix of every AEAD's
// associated data.
const formatV1 = "cardhost-keystore-sealed/1"

// Bounds on stored argon2id parameters, so a crafted file cannot make Open
// allocate without limit.
const (
	maxMemoryKiB = 4 << 20 // 4 GiB
	maxTime      = 64
	saltLen      = 16
	keyLen       = chacha20poly1305.KeySize
)

// file is the JSON layout of a store file.
type file struct {
	Format  string      `json:"format"`
	KDF     kdfHeader   `json:"kdf"`
	Check   []byte      `json:"check"` // nonce ‖ AEAD(digest of entries)
	Entries []fileEntry `json:"entries"`
}

// kdfHeader records how the store key was derived.
type kdfHeader struct {
	Alg       string `json:"alg"` // "argon2id"
	Salt      []byte `json:"salt"`
	Time      uint32 `json:"time"`
	MemoryKiB uint32 `json:"memory_kib"`
	Threads   uint8  `json:"threads"`
}

// fileEntry is one sealed entry: metadata in clear, keys sealed. Digest
// and associated data use the canonical JSON of Meta, so reformatting the
// file does not matter but editing a field does.
type fileEntry struct {
	Meta   keystore.Metadata `json:"meta"`
	Sealed []byte            `json:"sealed"` // nonce ‖ AEAD(keys)
}

// canonical returns the JSON that digest and associated data cover.
func canonical(m keystore.Metadata) []byte {
	b, _ := m.MarshalJSON() // plain fields and hex KCVs always marshal
	return b
}

func (h kdfHeader) validate() error {
	p := keystore.Argon2Params{Time: h.Time, MemoryKiB: h.MemoryKiB, Threads: h.Threads}
	if h.Alg != "argon2id" || len(h.Salt) != saltLen || p.Validate() != nil || h.Time > maxTime || h.MemoryKiB > maxMemoryKiB {
		return fmt.Errorf("unsupported key derivation header")
	}
	return nil
}

// deriveKey runs argon2id over the passphrase (RFC 9106, x/crypto/argon2).
func (h kdfHeader) deriveKey(pass secret.Key) secret.Key {
	var k []byte
	_ = pass.Use(func(p []byte) error {
		k = argon2.IDKey(p, h.Salt, h.Time, h.MemoryKiB, h.Threads, keyLen)
		return nil
	})
	defer clear(k)
	return secret.New(k)
}

// checkAD is the associated data of the check value: format and KDF header,
// so an edited header fails like a wrong passphrase.
func (f *file) checkAD() []byte {
	h, _ := json.Marshal(f.KDF) // a struct of plain fields always marshals
	return append([]byte(formatV1+"\x00check\x00"), h...)
}

// entryAD binds an entry's sealed keys to its metadata and to this file's salt.
func (f *file) entryAD(m keystore.Metadata) []byte {
	ad := append([]byte(formatV1+"\x00entry\x00"), f.KDF.Salt...)
	return append(ad, canonical(m)...)
}

// digest is SHA-256 over the length-prefixed metadata and sealed bytes of
// every entry, in file order.
func (f *file) digest() []byte {
	h := sha256.New()
	for _, e := range f.Entries {
		for _, b := range [][]byte{canonical(e.Meta), e.Sealed} {
			_ = binary.Write(h, binary.BigEndian, uint32(len(b)))
			h.Write(b)
		}
	}
	return h.Sum(nil)
}

// readFile loads and parses path; it does not decrypt anything.
func readFile(path string) (*file, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var f file
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("sealed: %s: not a key store file: %w", path, keystore.ErrTampered)
	}
	if f.Format != formatV1 {
		return nil, fmt.Errorf("sealed: %s: unknown format %q", path, f.Format)
	}
	if err := f.KDF.validate(); err != nil {
		return nil, fmt.Errorf("sealed: %s: %v: %w", path, err, keystore.ErrTampered)
	}
	return &f, nil
}

// writeFile replaces path atomically: write a temporary file in the same
// directory with mode 0600, fsync it, rename it over path, fsync the
// directory.
func writeFile(path string, f *file) (err error) {
	b, err := json.MarshalIndent(f, "", " ")
	if err != nil {
		return err
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = os.Remove(tmp.Name())
		}
	}()
	if err = tmp.Chmod(0o600); err == nil {
		if _, err = tmp.Write(b); err == nil {
			err = tmp.Sync()
		}
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
