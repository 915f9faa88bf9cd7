package softhsmtest

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/cardhost/cardhost/tsm/keystore"
)

// Module is the SoftHSM2 PKCS#11 library of the Debian package softhsm2.
const Module = "/usr/lib/softhsm/libsofthsm2.so"

// Label is the label of every test token.
const Label = "cardhost-test"

// Token is an initialised SoftHSM2 token.
type Token struct {
	Dir string             // directory holding the config and token files
	PIN keystore.SecretRef // file reference to the user PIN (mode 0600)
	// WrongPIN references a file (mode 0600) holding a PIN that is not the
	// token's.
	WrongPIN keystore.SecretRef
}

// New initialises a fresh token in a temporary directory and points
// SOFTHSM2_CONF at it for the rest of the test.
func New(t testing.TB) *Token {
	t.Helper()
	util, err := exec.LookPath("softhsm2-util")
	if _, serr := os.Stat(Module); err != nil || serr != nil {
		t.Fatalf("SoftHSM2 is not installed (need %s and softhsm2-util): install the Debian package softhsm2", Module)
	}
	dir := t.TempDir()
	tokens := filepath.Join(dir, "tokens")
	if err := os.Mkdir(tokens, 0o700); err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join(dir, "softhsm2.conf")
	write(t, conf, "directories.tokendir = "+tokens+"\nobjectstore.backend = file\nlog.level = ERROR\n")
	t.Setenv("SOFTHSM2_CONF", conf)
	const pin = "cardhost-test-pin"
	out, err := exec.Command(util, "--init-token", "--free", "--label", Label, "--so-pin", "cardhost-test-so", "--pin", pin).CombinedOutput()
	if err != nil {
		t.Fatalf("softhsm2-util --init-token: %v\n%s", err, out)
	}
	tk := &Token{Dir: dir, PIN: keystore.SecretRef("file:" + filepath.Join(dir, "pin")), WrongPIN: keystore.SecretRef("file:" + filepath.Join(dir, "wrong-pin"))}
	write(t, filepath.Join(dir, "pin"), pin+"\n")
	write(t, filepath.Join(dir, "wrong-pin"), "not-the-pin\n")
	return tk
}

// Config returns a PKCS#11 configuration for the token.
func (tk *Token) Config() keystore.PKCS11Config {
	return keystore.PKCS11Config{Module: Module, TokenLabel: Label, PIN: tk.PIN}
}

func write(t testing.TB, path, s string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
}
