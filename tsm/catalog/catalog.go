package catalog

import (
	"bytes"
	"context"
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/cardhost/cardhost/applet/cap"
	"github.com/cardhost/cardhost/gpcard/keys"
	"github.com/cardhost/cardhost/tsm/keystore"
	"github.com/cardhost/cardhost/tsm/store"
)

// saltVersion prefixes Package.SealedKey: version 1 is 16 bytes of salt.
const saltVersion = 1

// ErrTampered reports a stored package whose ciphertext or salt does not
// decrypt under its key, or whose plaintext no longer matches its hash.
var ErrTampered = errors.New("catalog: stored package fails its integrity check")

// Catalog validates, encrypts and stores CAP files. It is safe for
// concurrent use.
type Catalog struct {
	st     store.Catalog
	ks     keystore.Store
	master keystore.Metadata
	rand   io.Reader
	files  sync.Map // fileKey → *cap.File, verified
}

// fileKey names a package version in the cache of opened files. A stored
// version never changes (store.Catalog refuses a second upload of it), so
// an opened, verified file stays valid.
type fileKey struct {
	aid string
	v   store.Version
}

// New returns a catalog over st that derives per-package keys from the key
// store entry masterLabel: a Static AES key set with channel usage (its ENC
// key is the derivation key). rnd supplies salts and nonces; nil means
// crypto/rand.
func New(ctx context.Context, st store.Catalog, ks keystore.Store, masterLabel string, rnd io.Reader) (*Catalog, error) {
	ms, err := ks.List(ctx)
	if err != nil {
		return nil, fmt.Errorf("catalog: listing the key store: %w", err)
	}
	for _, m := range ms {
		if m.Label != masterLabel {
			continue
		}
		if err := keystore.CheckSession(m, 0x03); err != nil || m.Kind != keystore.Static {
			return nil, fmt.Errorf("catalog: master %q must be a static AES key set with channel usage", masterLabel)
		}
		if rnd == nil {
			rnd = rand.Reader
		}
		return &Catalog{st: st, ks: ks, master: m, rand: rnd}, nil
	}
	return nil, fmt.Errorf("catalog: master %q: %w", masterLabel, keystore.ErrNotFound)
}

// UploadOptions are the optional parts of an upload.
type UploadOptions struct {
	Name         string // operator-facing name; default the CAP's package name
	DAPSignature []byte // DAP signature over the load file hash, if the issuer signed it
}

// Upload validates data as a CAP file, encrypts it and stores it as a new
// package version uploaded by actor. The load file hash is SHA-256 of the
// Load File Data Block without the Descriptor (what INSTALL [for load] and
// DAP blocks carry). A version already in the catalog is store.ErrConflict;
// an invalid CAP file is a *cap.FormatError.
func (c *Catalog) Upload(ctx context.Context, actor string, data []byte, o UploadOptions) (store.Package, error) {
	f, err := cap.Parse("upload.cap", data)
	if err != nil {
		return store.Package{}, err
	}
	hash, err := f.LoadFileDataBlockHash(crypto.SHA256, cap.LoadOptions{})
	if err != nil {
		return store.Package{}, fmt.Errorf("catalog: hashing the load file: %w", err)
	}
	pk := f.Package()
	p := store.Package{AID: f.LoadFileAID(), Version: store.Version{Major: pk.Version.Major, Minor: pk.Version.Minor},
		Name: o.Name, LoadFileHash: hash, HashAlg: "SHA-256", Size: int64(len(data)),
		DAPSignature: bytes.Clone(o.DAPSignature), KeyRef: c.master.Label, UploadedBy: actor}
	if p.Name == "" {
		p.Name = pk.Name
	}
	for _, a := range f.Applets {
		p.Applets = append(p.Applets, bytes.Clone(a.AID))
	}
	salt := make([]byte, 1+16)
	salt[0] = saltVersion
	if _, err := io.ReadFull(c.rand, salt[1:]); err != nil {
		return store.Package{}, fmt.Errorf("catalog: drawing a salt: %w", err)
	}
	p.SealedKey = salt
	ct, err := c.seal(ctx, p, data)
	if err != nil {
		return store.Package{}, err
	}
	return c.st.PutPackage(ctx, p, ct)
}

// CAP returns the decrypted CAP file of a package version, checked against
// its stored load file hash. A version once opened is kept in memory (a
// campaign loads the same package onto every card), so the returned file
// may be shared between callers: treat it as read-only.
func (c *Catalog) CAP(ctx context.Context, aid []byte, v store.Version) (*cap.File, error) {
	k := fileKey{string(aid), v}
	if f, ok := c.files.Load(k); ok {
		return f.(*cap.File), nil
	}
	f, err := c.openCAP(ctx, aid, v)
	if err != nil {
		return nil, err
	}
	c.files.Store(k, f)
	return f, nil
}

// openCAP reads, decrypts and verifies a package version.
func (c *Catalog) openCAP(ctx context.Context, aid []byte, v store.Version) (*cap.File, error) {
	p, err := c.st.Package(ctx, aid, v)
	if err != nil {
		return nil, err
	}
	ct, err := c.st.PackageCiphertext(ctx, aid, v)
	if err != nil {
		return nil, err
	}
	data, err := c.open(ctx, p, ct)
	if err != nil {
		return nil, err
	}
	f, err := cap.Parse("catalog.cap", data)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrTampered, err)
	}
	if h, err := f.LoadFileDataBlockHash(crypto.SHA256, cap.LoadOptions{}); err != nil || !bytes.Equal(h, p.LoadFileHash) {
		return nil, fmt.Errorf("%w: load file hash of %X %v", ErrTampered, aid, v)
	}
	return f, nil
}

func (c *Catalog) seal(ctx context.Context, p store.Package, plain []byte) ([]byte, error) {
	aead, err := c.aead(ctx, p)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, aead.NonceSize())
	if _, err := io.ReadFull(c.rand, nonce); err != nil {
		return nil, fmt.Errorf("catalog: drawing a nonce: %w", err)
	}
	return aead.Seal(nonce, nonce, plain, associated(p)), nil
}

func (c *Catalog) open(ctx context.Context, p store.Package, ct []byte) ([]byte, error) {
	aead, err := c.aead(ctx, p)
	if err != nil {
		return nil, err
	}
	n := aead.NonceSize()
	if len(ct) < n {
		return nil, fmt.Errorf("%w: %X %v: ciphertext too short", ErrTampered, p.AID, p.Version)
	}
	plain, err := aead.Open(nil, ct[:n], ct[n:], associated(p))
	if err != nil {
		return nil, fmt.Errorf("%w: %X %v", ErrTampered, p.AID, p.Version)
	}
	return plain, nil
}

// aead derives the package key from the master and the package's salt.
func (c *Catalog) aead(ctx context.Context, p store.Package) (cipher.AEAD, error) {
	if len(p.SealedKey) != 17 || p.SealedKey[0] != saltVersion {
		return nil, fmt.Errorf("%w: %X %v: unknown key salt", ErrTampered, p.AID, p.Version)
	}
	if p.KeyRef != c.master.Label {
		return nil, fmt.Errorf("catalog: %X %v is sealed under %q, not %q", p.AID, p.Version, p.KeyRef, c.master.Label)
	}
	prov, err := c.ks.Provider(ctx, c.master.Label)
	if err != nil {
		return nil, fmt.Errorf("catalog: %w", err)
	}
	salt := p.SealedKey[1:]
	sk, err := prov.SessionKeys(ctx, keys.SessionInput{SCP: 0x03, KVN: c.master.KVN, KDD: make([]byte, keys.KDDLen),
		HostChallenge: salt[:8], CardChallenge: salt[8:]})
	if err != nil {
		return nil, fmt.Errorf("catalog: deriving the package key: %w", err)
	}
	defer sk.Zero()
	var a cipher.AEAD
	err = sk.ENC.Use(func(k []byte) error {
		b, err := aes.NewCipher(k)
		if err != nil {
			return err
		}
		a, err = cipher.NewGCM(b)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("catalog: package cipher: %w", err)
	}
	return a, nil
}

// associated binds a ciphertext to its package AID and version.
func associated(p store.Package) []byte {
	h := sha256.New()
	h.Write([]byte("cardhost-catalog-v1"))
	h.Write([]byte{byte(len(p.AID))})
	h.Write(p.AID)
	h.Write([]byte{p.Version.Major, p.Version.Minor})
	return h.Sum(nil)
}
