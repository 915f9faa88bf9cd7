package keystore_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cardhost/cardhost/gpcard/keys"
	"github.com/cardhost/cardhost/tsm/keystore"
)

func TestConfigValidate_NamesFieldPath(t *testing.T) {
	for _, c := range []struct {
		cfg  *keystore.Config
		want string
	}{
		{nil, "configuration missing"},
		{&keystore.Config{}, "keystore.backend"},
		{&keystore.Config{Backend: "sealed"}, "keystore.sealed: required"},
		{&keystore.Config{Backend: "sealed", Sealed: &keystore.SealedConfig{Passphrase: "env:X"}}, "keystore.sealed.path"},
		{&keystore.Config{Backend: "sealed", Sealed: &keystore.SealedConfig{Path: "k", Passphrase: "secret"}}, "keystore.sealed.passphrase"},
		{&keystore.Config{Backend: "sealed", Sealed: &keystore.SealedConfig{Path: "k", Passphrase: "env:X", Argon2: &keystore.Argon2Params{}}}, "keystore.sealed.argon2"},
		{&keystore.Config{Backend: "pkcs11", PKCS11: &keystore.PKCS11Config{Module: "lib.so"}}, "keystore.pkcs11.module"},
		{&keystore.Config{Backend: "pkcs11", PKCS11: &keystore.PKCS11Config{Module: "/lib.so", TokenLabel: "t", PIN: "1234"}}, "keystore.pkcs11.pin"},
	} {
		err := c.cfg.Validate()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Validate(%+v) = %v, want an error naming %s", c.cfg, err, c.want)
		}
	}
	ok := keystore.Config{Backend: "pkcs11", PKCS11: &keystore.PKCS11Config{Module: "/usr/lib/softhsm/libsofthsm2.so", TokenLabel: "t", PIN: "file:/etc/pin"}}
	if err := ok.Validate(); err != nil {
		t.Errorf("Validate(valid) = %v", err)
	}
}

func TestSecretRef_Resolve(t *testing.T) {
	dir := t.TempDir()
	good, loose, empty := filepath.Join(dir, "good"), filepath.Join(dir, "loose"), filepath.Join(dir, "empty")
	for p, m := range map[string]os.FileMode{good: 0o600, loose: 0o640, empty: 0o600} {
		content := "s3cret\n"
		if p == empty {
			content = "\n"
		}
		if err := os.WriteFile(p, []byte(content), m); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, m); err != nil {
			t.Fatal(err)
		}
	}
	k, err := keystore.SecretRef("file:" + good).Resolve()
	if err != nil || string(k.Bytes()) != "s3cret" {
		t.Fatalf("Resolve(file) = %v", err)
	}
	t.Setenv("CARDHOST_TEST_SECRET", "from-env")
	if k, err := keystore.SecretRef("env:CARDHOST_TEST_SECRET").Resolve(); err != nil || string(k.Bytes()) != "from-env" {
		t.Fatalf("Resolve(env) = %v", err)
	}
	for _, r := range []keystore.SecretRef{keystore.SecretRef("file:" + loose), keystore.SecretRef("file:" + empty), "env:CARDHOST_TEST_UNSET", "s3cret", "file:relative", "env:1BAD"} {
		_, err := r.Resolve()
		if err == nil || strings.Contains(err.Error(), "s3cret\n") {
			t.Errorf("Resolve(%q) = %v, want an error", r, err)
		}
	}
}

func TestMetadata_JSONRoundTrip(t *testing.T) {
	m := keystore.Metadata{Label: "issuer/isd", Kind: keystore.Master, Type: keys.AES256, Method: keys.KDF3, KVN: 0x30, KCVs: []keystore.KCV{{0x29, 0x72, 0xD2}}, Usage: keystore.UseChannel | keystore.UsePutKey}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"label":"issuer/isd","kind":"master","type":"AES-256","method":"kdf3","kvn":48,"kcvs":["2972D2"],"usage":3,"created":"0001-01-01T00:00:00Z"}`; string(b) != want {
		t.Errorf("JSON = %s, want %s", b, want)
	}
	var back keystore.Metadata
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	b2, _ := json.Marshal(back)
	if string(b2) != string(b) {
		t.Errorf("round trip = %s", b2)
	}
	for _, bad := range []string{
		`{"label":"x","kind":"master","type":"3DES","method":"kdf3","kvn":1,"kcvs":["000000"]}`,
		`{"label":"x","kind":"static","type":"AES-128","kvn":1,"kcvs":["000000"]}`,
		`{"label":"x y","kind":"static","type":"AES-128","kvn":1,"kcvs":["000000","000000","000000"]}`,
		`{"label":"x","kind":"other","type":"AES-128","kvn":1,"kcvs":[]}`,
	} {
		if err := json.Unmarshal([]byte(bad), &back); err == nil {
			t.Errorf("Unmarshal(%s) accepted inconsistent metadata", bad)
		}
	}
}

func TestUsage_String(t *testing.T) {
	for u, want := range map[keystore.Usage]string{0: "none", keystore.UseChannel: "channel", keystore.UseChannel | keystore.UsePutKey: "channel+put-key"} {
		if got := u.String(); got != want {
			t.Errorf("Usage(%d) = %q, want %q", u, got, want)
		}
	}
}
