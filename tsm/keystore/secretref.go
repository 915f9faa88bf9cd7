package keystore

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/cardhost/cardhost/gpcard/secret"
)

// SecretRef references a secret (passphrase, PIN) instead of holding it:
// "file:/abs/path" (a file with mode 0600 or 0400, one trailing newline
// ignored) or "env:NAME" (an environment variable). Printing a SecretRef
// shows only the reference.
type SecretRef string

// Validate checks the reference's form without resolving it.
func (r SecretRef) Validate() error {
	kind, arg, ok := strings.Cut(string(r), ":")
	switch {
	case !ok:
	case kind == "file" && filepath.IsAbs(arg):
		return nil
	case kind == "env" && validEnvName(arg):
		return nil
	}
	if kind == "file" || kind == "env" {
		return fmt.Errorf("want file:/absolute/path or env:NAME, got %q", string(r))
	}
	return fmt.Errorf("want file:/absolute/path or env:NAME (inline secrets are not accepted, so the value is not shown)")
}

func validEnvName(s string) bool {
	if s == "" || s[0] >= '0' && s[0] <= '9' {
		return false
	}
	for _, c := range s {
		if !(c == '_' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// Resolve reads the secret. It fails if the reference is malformed, the
// file is readable by group or others, or the secret is empty: a missing
// secret is fatal, never silently empty. Errors name the reference, never
// the secret.
func (r SecretRef) Resolve() (secret.Key, error) {
	if err := r.Validate(); err != nil {
		return secret.Key{}, err
	}
	kind, arg, _ := strings.Cut(string(r), ":")
	var b []byte
	if kind == "env" {
		v, ok := os.LookupEnv(arg)
		if !ok || v == "" {
			return secret.Key{}, fmt.Errorf("secret %s: environment variable not set or empty", r)
		}
		b = []byte(v)
	} else {
		fi, err := os.Stat(arg)
		if err != nil {
			return secret.Key{}, fmt.Errorf("secret %s: %w", r, err)
		}
		if fi.Mode().Perm()&0o077 != 0 || !fi.Mode().IsRegular() {
			return secret.Key{}, fmt.Errorf("secret %s: must be a regular file with mode 0600 or 0400, has %v", r, fi.Mode())
		}
		if b, err = os.ReadFile(arg); err != nil {
			return secret.Key{}, fmt.Errorf("secret %s: %w", r, err)
		}
		defer clear(b)
		b = bytes.TrimSuffix(bytes.TrimSuffix(b, []byte("\n")), []byte("\r"))
	}
	if len(b) == 0 {
		return secret.Key{}, fmt.Errorf("secret %s: empty", r)
	}
	return secret.New(b), nil
}
