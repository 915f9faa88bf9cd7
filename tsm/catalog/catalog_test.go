package catalog_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/cardhost/cardhost/applet/cap"
	"github.com/cardhost/cardhost/applet/payment"
	"github.com/cardhost/cardhost/gpcard/keys"
	"github.com/cardhost/cardhost/tsm/catalog"
	"github.com/cardhost/cardhost/tsm/keystore"
	_ "github.com/cardhost/cardhost/tsm/keystore/sealed"
	"github.com/cardhost/cardhost/tsm/store"
	_ "github.com/cardhost/cardhost/tsm/store/sqlite"
)

const masterLabel = "tsm/catalog"

// env is a catalog over a fresh SQLite store and sealed key store.
type env struct {
	st  store.Store
	ks  keystore.Store
	cat *catalog.Catalog
	dir string
}

// openKeystore opens (creating) the sealed key store in dir.
func openKeystore(t *testing.T, dir string) keystore.Store {
	t.Helper()
	pass := filepath.Join(dir, "pass")
	if _, err := os.Stat(pass); errors.Is(err, os.ErrNotExist) {
		if err := os.WriteFile(pass, []byte("catalog test passphrase\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	ks, err := keystore.Open(context.Background(), keystore.Config{Backend: "sealed", Sealed: &keystore.SealedConfig{
		Path: filepath.Join(dir, "keystore.json"), Passphrase: keystore.SecretRef("file:" + pass),
		Argon2: &keystore.Argon2Params{Time: 1, MemoryKiB: 8 * 1024, Threads: 1}}}, keystore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ks.Close() })
	return ks
}

// newEnv makes the stores and a catalog master (a static AES-256 set).
func newEnv(t *testing.T) env {
	t.Helper()
	e := env{dir: t.TempDir()}
	st, err := store.Open(t.Context(), "sqlite://"+filepath.Join(e.dir, "tsm.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e.st, e.ks = st, openKeystore(t, e.dir)
	generateMaster(t, e.ks, masterLabel)
	if e.cat, err = catalog.New(t.Context(), e.st, e.ks, masterLabel, nil); err != nil {
		t.Fatal(err)
	}
	return e
}

func generateMaster(t *testing.T, ks keystore.Store, label string) {
	t.Helper()
	if _, err := ks.Generate(t.Context(), keystore.GenerateRequest{Label: label, Kind: keystore.Static, Type: keys.AES256, Usage: keystore.UseChannel}); err != nil {
		t.Fatal(err)
	}
}

func purseCAP(t *testing.T) []byte {
	t.Helper()
	b, err := payment.CAP()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// db reaches below the store API, to tamper with what it holds.
func db(t *testing.T, st store.Store) *sql.DB {
	t.Helper()
	r, ok := st.(interface{ DB() *sql.DB })
	if !ok {
		t.Fatalf("%T has no DB method", st)
	}
	return r.DB()
}

// fresh is a second catalog over the same stores: it has opened nothing
// yet, so it reads (and checks) what is stored.
func (e env) fresh(t *testing.T) *catalog.Catalog {
	t.Helper()
	c, err := catalog.New(t.Context(), e.st, e.ks, masterLabel, nil)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestUpload_CAPRoundTrip_StoredEncrypted(t *testing.T) {
	e := newEnv(t)
	data := purseCAP(t)
	p, err := e.cat.Upload(t.Context(), "alice", data, catalog.UploadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(p.AID, payment.PackageAID()) || p.Version != (store.Version{Major: 1}) || p.Size != int64(len(data)) ||
		p.HashAlg != "SHA-256" || len(p.LoadFileHash) != 32 || p.UploadedBy != "alice" || p.KeyRef != masterLabel {
		t.Fatalf("stored package %+v", p)
	}
	f, err := e.fresh(t).CAP(t.Context(), p.AID, p.Version)
	if err != nil {
		t.Fatal(err)
	}
	want, err := cap.Parse("want.cap", data)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(f.LoadFileDataBlock(cap.LoadOptions{}), want.LoadFileDataBlock(cap.LoadOptions{})) {
		t.Error("decrypted load file differs from the upload")
	}
	ct, err := e.st.PackageCiphertext(t.Context(), p.AID, p.Version)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(ct, want.LoadFileDataBlock(cap.LoadOptions{})[:64]) {
		t.Error("the stored ciphertext contains the load file in clear")
	}
}

func TestUpload_BadCAP_FormatError(t *testing.T) {
	e := newEnv(t)
	data := purseCAP(t)
	for name, b := range map[string][]byte{
		"Empty":     nil,
		"NotAZip":   []byte("PK\x03\x04 not really"),
		"Truncated": data[:len(data)/2],
	} {
		t.Run(name, func(t *testing.T) {
			_, err := e.cat.Upload(t.Context(), "alice", b, catalog.UploadOptions{})
			var fe *cap.FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("Upload: %v, want a *cap.FormatError", err)
			}
		})
	}
	if ps, err := e.st.Packages(t.Context()); err != nil || len(ps) != 0 {
		t.Fatalf("packages after refused uploads: %d, %v", len(ps), err)
	}
}

func TestUpload_SameVersionTwice_Conflict(t *testing.T) {
	e := newEnv(t)
	if _, err := e.cat.Upload(t.Context(), "alice", purseCAP(t), catalog.UploadOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.cat.Upload(t.Context(), "bob", purseCAP(t), catalog.UploadOptions{}); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("second upload: %v, want store.ErrConflict", err)
	}
}

func TestCAP_CorruptedCiphertext_Tampered(t *testing.T) {
	e := newEnv(t)
	p, err := e.cat.Upload(t.Context(), "alice", purseCAP(t), catalog.UploadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ct, err := e.st.PackageCiphertext(t.Context(), p.AID, p.Version)
	if err != nil {
		t.Fatal(err)
	}
	for name, tamper := range map[string]func([]byte) []byte{
		"FlippedBit": func(b []byte) []byte { b[len(b)/2] ^= 0x01; return b },
		"Truncated":  func(b []byte) []byte { return b[:len(b)-1] },
		"TooShort":   func(b []byte) []byte { return b[:4] },
	} {
		t.Run(name, func(t *testing.T) {
			bad := tamper(bytes.Clone(ct))
			if _, err := db(t, e.st).Exec(`UPDATE packages SET ciphertext = $1`, bad); err != nil {
				t.Fatal(err)
			}
			if _, err := e.fresh(t).CAP(t.Context(), p.AID, p.Version); !errors.Is(err, catalog.ErrTampered) {
				t.Fatalf("CAP: %v, want ErrTampered", err)
			}
		})
	}
}

func TestCAP_CiphertextOfAnotherVersion_Tampered(t *testing.T) {
	e := newEnv(t)
	p, err := e.cat.Upload(t.Context(), "alice", purseCAP(t), catalog.UploadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// Relabel the stored package as version 1.1: the ciphertext is bound
	// to its AID and version, so it no longer opens.
	tx, err := db(t, e.st).Begin()
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`PRAGMA defer_foreign_keys = ON`, `UPDATE packages SET ver_minor = 1`, `UPDATE package_applets SET ver_minor = 1`} {
		if _, err := tx.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	v := store.Version{Major: 1, Minor: 1}
	if _, err := e.fresh(t).CAP(t.Context(), p.AID, v); !errors.Is(err, catalog.ErrTampered) {
		t.Fatalf("CAP: %v, want ErrTampered", err)
	}
}

func TestCAP_WrongPackageKey_Tampered(t *testing.T) {
	e := newEnv(t)
	p, err := e.cat.Upload(t.Context(), "alice", purseCAP(t), catalog.UploadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Run("OtherSalt", func(t *testing.T) {
		salt := bytes.Clone(p.SealedKey)
		salt[5] ^= 0xFF
		if _, err := db(t, e.st).Exec(`UPDATE packages SET sealed_key = $1`, salt); err != nil {
			t.Fatal(err)
		}
		defer db(t, e.st).Exec(`UPDATE packages SET sealed_key = $1`, p.SealedKey)
		if _, err := e.fresh(t).CAP(t.Context(), p.AID, p.Version); !errors.Is(err, catalog.ErrTampered) {
			t.Fatalf("CAP with another salt: %v, want ErrTampered", err)
		}
	})
	t.Run("OtherMasterUnderTheSameLabel", func(t *testing.T) {
		other := openKeystore(t, t.TempDir())
		generateMaster(t, other, masterLabel)
		c, err := catalog.New(t.Context(), e.st, other, masterLabel, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.CAP(t.Context(), p.AID, p.Version); !errors.Is(err, catalog.ErrTampered) {
			t.Fatalf("CAP under another master: %v, want ErrTampered", err)
		}
	})
	t.Run("SealedUnderAnotherLabel", func(t *testing.T) {
		generateMaster(t, e.ks, "tsm/catalog-2")
		c, err := catalog.New(t.Context(), e.st, e.ks, "tsm/catalog-2", nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.CAP(t.Context(), p.AID, p.Version); err == nil || errors.Is(err, catalog.ErrTampered) {
			t.Fatalf("CAP of a package sealed under another master: %v, want a plain refusal naming it", err)
		}
	})
}

func TestCAP_UnknownVersion_NotFound(t *testing.T) {
	e := newEnv(t)
	if _, err := e.cat.CAP(t.Context(), payment.PackageAID(), store.Version{Major: 9}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("CAP: %v, want store.ErrNotFound", err)
	}
}

func TestNew_MasterNotAStaticAESSet_Refused(t *testing.T) {
	e := newEnv(t)
	if _, err := catalog.New(t.Context(), e.st, e.ks, "no/such-label", nil); !errors.Is(err, keystore.ErrNotFound) {
		t.Fatalf("New with a missing master: %v, want keystore.ErrNotFound", err)
	}
	if _, err := e.ks.Generate(t.Context(), keystore.GenerateRequest{Label: "des/set", Kind: keystore.Static, Type: keys.DES3, Usage: keystore.UseChannel}); err != nil {
		t.Fatal(err)
	}
	if _, err := catalog.New(t.Context(), e.st, e.ks, "des/set", nil); err == nil {
		t.Fatal("New accepted a 3DES master")
	}
}
