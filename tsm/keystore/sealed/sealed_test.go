package sealed_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cardhost/cardhost/gpcard/keys"
	"github.com/cardhost/cardhost/gpcard/secret"
	"github.com/cardhost/cardhost/tsm/keystore"
	"github.com/cardhost/cardhost/tsm/keystore/keystoretest"
	"github.com/cardhost/cardhost/tsm/keystore/sealed"
)

// cheap keeps argon2id fast under -race; real stores use DefaultArgon2.
var cheap = &keystore.Argon2Params{Time: 1, MemoryKiB: 64, Threads: 1}

// config writes a passphrase file (mode 0600) and returns a configuration
// for a store file in dir.
func config(t *testing.T, dir, pass string) keystore.SealedConfig {
	t.Helper()
	pf := filepath.Join(dir, "pass-"+hex.EncodeToString([]byte(pass)))
	if err := os.WriteFile(pf, []byte(pass+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return keystore.SealedConfig{Path: filepath.Join(dir, "keys.json"), Passphrase: keystore.SecretRef("file:" + pf), Argon2: cheap}
}

func open(t *testing.T, cfg keystore.SealedConfig, o keystore.Options) keystore.Store {
	t.Helper()
	s, err := sealed.Open(context.Background(), cfg, o)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestConformance(t *testing.T) {
	keystoretest.Run(t, func(t *testing.T, o keystore.Options) (keystore.Store, func(*testing.T) keystore.Store) {
		cfg := config(t, t.TempDir(), "correct horse battery staple")
		return open(t, cfg, o), func(t *testing.T) keystore.Store { return open(t, cfg, o) }
	})
}

// K is the test key 40..4F (vectors.md §1).
const keyK = "404142434445464748494A4B4C4D4E4F"

// fill creates a store at cfg holding K as a static 3DES set.
func fill(t *testing.T, cfg keystore.SealedConfig) {
	t.Helper()
	s := open(t, cfg, keystore.Options{})
	defer s.Close()
	k, _ := hex.DecodeString(keyK)
	km := keystore.KeyMaterial{Components: []keystore.Component{{Key: secret.New(k), KCV: []byte{0x8B, 0xAF, 0x47}}}, KCV: []byte{0x8B, 0xAF, 0x47}}
	if _, err := s.Import(context.Background(), keystore.ImportRequest{Label: "des-k", Kind: keystore.Static, Type: keys.DES3, KVN: 1, Usage: keystore.UseChannel, Keys: []keystore.KeyMaterial{km, km, km}}); err != nil {
		t.Fatal(err)
	}
}

func TestOpen_WrongPassphrase_ClearErrorNothingDecrypted(t *testing.T) {
	dir := t.TempDir()
	cfg := config(t, dir, "right")
	fill(t, cfg)
	before, err := os.ReadFile(cfg.Path)
	if err != nil {
		t.Fatal(err)
	}
	s, err := sealed.Open(context.Background(), config(t, dir, "wrong"), keystore.Options{})
	if s != nil || !errors.Is(err, keystore.ErrWrongPassphrase) || errors.Is(err, keystore.ErrTampered) || !strings.Contains(err.Error(), cfg.Path) {
		t.Fatalf("Open with wrong passphrase = %v, %v; want ErrWrongPassphrase naming %s", s, err, cfg.Path)
	}
	after, _ := os.ReadFile(cfg.Path)
	if !bytes.Equal(before, after) {
		t.Error("a failed open changed the file")
	}
}

func TestOpen_TamperedFile_NamesFile(t *testing.T) {
	edits := map[string]func(f map[string]any){
		"sealed key byte flipped": func(f map[string]any) {
			e := f["entries"].([]any)[0].(map[string]any)
			b, err := base64.StdEncoding.DecodeString(e["sealed"].(string))
			if err != nil {
				panic(err)
			}
			b[len(b)-20] ^= 1 // a ciphertext byte
			e["sealed"] = b
		},
		"metadata KVN changed": func(f map[string]any) {
			f["entries"].([]any)[0].(map[string]any)["meta"].(map[string]any)["kvn"] = 2
		},
		"entry removed": func(f map[string]any) { f["entries"] = []any{} },
		"not JSON":      nil,
	}
	for name, edit := range edits {
		t.Run(name, func(t *testing.T) {
			cfg := config(t, t.TempDir(), "pass")
			fill(t, cfg)
			b, err := os.ReadFile(cfg.Path)
			if err != nil {
				t.Fatal(err)
			}
			if edit == nil {
				b = b[:len(b)/2]
			} else {
				var f map[string]any
				if err := json.Unmarshal(b, &f); err != nil {
					t.Fatal(err)
				}
				edit(f)
				b, _ = json.Marshal(f)
			}
			if err := os.WriteFile(cfg.Path, b, 0o600); err != nil {
				t.Fatal(err)
			}
			_, err = sealed.Open(context.Background(), cfg, keystore.Options{})
			if !errors.Is(err, keystore.ErrTampered) || !strings.Contains(err.Error(), cfg.Path) {
				t.Fatalf("Open = %v, want ErrTampered naming %s", err, cfg.Path)
			}
		})
	}
}

func TestFile_Mode0600_NoKeyBytes(t *testing.T) {
	cfg := config(t, t.TempDir(), "pass")
	fill(t, cfg)
	fi, err := os.Stat(cfg.Path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode())
	}
	b, _ := os.ReadFile(cfg.Path)
	k, _ := hex.DecodeString(keyK)
	if bytes.Contains(b, k) || bytes.Contains(bytes.ToUpper(b), []byte(keyK)) || bytes.Contains(b, []byte("QEFCQ0RFRkdISUpLTE1OTw")) {
		t.Error("the store file shows K (raw, hex or base64)")
	}
}

func TestOpen_PassphraseSources(t *testing.T) {
	dir := t.TempDir()
	cfg := config(t, dir, "pass")
	fill(t, cfg)
	t.Setenv("CARDHOST_TEST_PASSPHRASE", "pass")
	env := cfg
	env.Passphrase = "env:CARDHOST_TEST_PASSPHRASE"
	open(t, env, keystore.Options{}).Close()

	loose := filepath.Join(dir, "loose")
	if err := os.WriteFile(loose, []byte("pass\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for name, ref := range map[string]keystore.SecretRef{"world-readable file": keystore.SecretRef("file:" + loose), "unset env": "env:CARDHOST_TEST_UNSET", "inline": "pass"} {
		c := cfg
		c.Passphrase = ref
		if _, err := sealed.Open(context.Background(), c, keystore.Options{}); err == nil || strings.Contains(err.Error(), "pass\n") {
			t.Errorf("%s: Open = %v, want an error naming the reference", name, err)
		}
	}
}

func TestRegistered(t *testing.T) {
	cfg := config(t, t.TempDir(), "pass")
	s, err := keystore.Open(context.Background(), keystore.Config{Backend: "sealed", Sealed: &cfg}, keystore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
}
