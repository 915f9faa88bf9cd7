package sealed

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/cardhost/cardhost/gpcard/keys"
	"github.com/cardhost/cardhost/gpcard/secret"
	"github.com/cardhost/cardhost/tsm/keystore"
)

func init() {
	keystore.Register("sealed", func(ctx context.Context, cfg keystore.Config, o keystore.Options) (keystore.Store, error) {
		return Open(ctx, *cfg.Sealed, o)
	})
}

// Store is a sealed file key store. It is safe for concurrent use within
// one process.
type Store struct {
	path string
	log  *slog.Logger
	now  func() time.Time
	rand io.Reader

	mu  sync.RWMutex
	key secret.Key // store key; zero after Close
	f   *file      // current file contents; entries sorted by label
}

var _ keystore.Store = (*Store)(nil)

// Open opens the store file cfg.Path, creating it (and only it: the
// directory must exist) on first use. The passphrase is resolved from
// cfg.Passphrase. A wrong passphrase fails with keystore.ErrWrongPassphrase
// before anything is decrypted; a file that fails its integrity check
// fails with keystore.ErrTampered. Both errors name the file.
func Open(ctx context.Context, cfg keystore.SealedConfig, o keystore.Options) (*Store, error) {
	if err := (&keystore.Config{Backend: "sealed", Sealed: &cfg}).Validate(); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	o = o.WithDefaults()
	s := &Store{path: cfg.Path, log: o.Logger, now: o.Now, rand: o.Rand}
	if s.rand == nil {
		s.rand = rand.Reader
	}
	pass, err := cfg.Passphrase.Resolve()
	if err != nil {
		return nil, fmt.Errorf("keystore.sealed.passphrase: %w", err)
	}
	defer pass.Zero()
	f, err := readFile(cfg.Path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return s.create(cfg, pass)
	case err != nil:
		return nil, fmt.Errorf("sealed: %w", err)
	}
	s.key = f.KDF.deriveKey(pass)
	digest, err := s.open(f.Check, f.checkAD())
	if err != nil {
		s.key.Zero()
		return nil, fmt.Errorf("sealed: %s: %w (or the file header was altered)", cfg.Path, keystore.ErrWrongPassphrase)
	}
	if subtle.ConstantTimeCompare(digest, f.digest()) != 1 || !uniqueSorted(f.Entries) {
		s.key.Zero()
		return nil, fmt.Errorf("sealed: %s: entries were modified, added or removed: %w", cfg.Path, keystore.ErrTampered)
	}
	s.f = f
	return s, nil
}

func (s *Store) create(cfg keystore.SealedConfig, pass secret.Key) (*Store, error) {
	p := keystore.DefaultArgon2
	if cfg.Argon2 != nil {
		p = *cfg.Argon2
	}
	f := &file{Format: formatV1, KDF: kdfHeader{Alg: "argon2id", Salt: make([]byte, saltLen), Time: p.Time, MemoryKiB: p.MemoryKiB, Threads: p.Threads}}
	if _, err := io.ReadFull(s.rand, f.KDF.Salt); err != nil {
		return nil, fmt.Errorf("sealed: salt: %w", err)
	}
	s.key = f.KDF.deriveKey(pass)
	if err := s.save(f); err != nil {
		s.key.Zero()
		return nil, err
	}
	s.log.Info("key store created", "backend", "sealed", "path", s.path)
	return s, nil
}

func uniqueSorted(es []fileEntry) bool {
	for i := 1; i < len(es); i++ {
		if es[i-1].Meta.Label >= es[i].Meta.Label {
			return false
		}
	}
	return true
}

// entry returns the current entry labelled label. Callers hold s.mu.
func (s *Store) entry(label string) (fileEntry, error) {
	if s.key.IsZero() {
		return fileEntry{}, keystore.ErrClosed
	}
	i, ok := slices.BinarySearchFunc(s.f.Entries, label, func(e fileEntry, l string) int { return strings.Compare(e.Meta.Label, l) })
	if !ok {
		return fileEntry{}, fmt.Errorf("sealed: %q: %w", label, keystore.ErrNotFound)
	}
	return s.f.Entries[i], nil
}

// add seals keys for m and stores the entry.
func (s *Store) add(ctx context.Context, m keystore.Metadata, ks []secret.Key, event string) (keystore.Metadata, error) {
	if err := ctx.Err(); err != nil {
		return keystore.Metadata{}, err
	}
	m.Created = s.now().UTC()
	var plain []byte
	for _, k := range ks {
		plain = append(plain, k.Bytes()...)
	}
	defer clear(plain)
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.entry(m.Label); !errors.Is(err, keystore.ErrNotFound) {
		if err == nil {
			err = fmt.Errorf("sealed: %q: %w", m.Label, keystore.ErrExists)
		}
		return keystore.Metadata{}, err
	}
	sealed, err := s.seal(plain, s.f.entryAD(m))
	if err != nil {
		return keystore.Metadata{}, err
	}
	nf := *s.f
	nf.Entries = append(slices.Clone(s.f.Entries), fileEntry{Meta: m, Sealed: sealed})
	if err := s.save(&nf); err != nil {
		return keystore.Metadata{}, err
	}
	s.log.Info(event, "backend", "sealed", "label", m.Label, "kind", m.Kind.String(), "type", m.Type.String(), "kvn", m.KVN, "kcvs", m.KCVs, "usage", m.Usage.String())
	return m, nil
}

// Import implements keystore.Store.
func (s *Store) Import(ctx context.Context, req keystore.ImportRequest) (keystore.Metadata, error) {
	m, ks, err := req.Combine()
	if err != nil {
		return keystore.Metadata{}, err
	}
	defer zeroAll(ks)
	return s.add(ctx, m, ks, "key imported")
}

// Generate implements keystore.Store: keys come from Options.Rand
// (crypto/rand by default). 3DES keys are not parity-adjusted; GP cards
// ignore DES parity bits.
func (s *Store) Generate(ctx context.Context, req keystore.GenerateRequest) (keystore.Metadata, error) {
	m, err := req.Metadata()
	if err != nil {
		return keystore.Metadata{}, err
	}
	var ks []secret.Key
	defer func() { zeroAll(ks) }()
	buf := make([]byte, m.Type.Len())
	defer clear(buf)
	for range m.Kind.KeyCount() {
		if _, err := io.ReadFull(s.rand, buf); err != nil {
			return keystore.Metadata{}, fmt.Errorf("sealed: generating %q: %w", m.Label, err)
		}
		k := secret.New(buf)
		ks = append(ks, k)
		kcv, err := keys.KCV(m.Type, k)
		if err != nil {
			return keystore.Metadata{}, err
		}
		m.KCVs = append(m.KCVs, kcv)
	}
	return s.add(ctx, m, ks, "key generated")
}

// List implements keystore.Store.
func (s *Store) List(ctx context.Context) ([]keystore.Metadata, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.key.IsZero() {
		return nil, keystore.ErrClosed
	}
	out := make([]keystore.Metadata, 0, len(s.f.Entries))
	for _, e := range s.f.Entries {
		out = append(out, e.Meta)
	}
	return out, nil
}

// Delete implements keystore.Store.
func (s *Store) Delete(ctx context.Context, label string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	e, err := s.entry(label)
	if err != nil {
		return err
	}
	nf := *s.f
	nf.Entries = slices.DeleteFunc(slices.Clone(s.f.Entries), func(x fileEntry) bool { return x.Meta.Label == label })
	if err := s.save(&nf); err != nil {
		return err
	}
	s.log.Info("key deleted", "backend", "sealed", "label", label, "kcvs", e.Meta.KCVs)
	return nil
}

// Close wipes the store key; later calls fail with keystore.ErrClosed.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.key.Zero()
	return nil
}
