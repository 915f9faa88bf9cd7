package keys

import (
	"fmt"
	"strings"

	"github.com/cardhost/cardhost/gpcard/secret"
)

// DefaultKeyHex is the GlobalPlatform test key 40..4F that cards ship with
// (GPPro PlaintextKeys.defaultKeyBytes).
const DefaultKeyHex = "404142434445464748494A4B4C4D4E4F"

// Spec is a parsed command-line key specification: one key used as ENC, MAC
// and DEK, or a master key with a diversification method. Printing a Spec
// never shows the key.
type Spec struct {
	// Method is the diversification method; zero means the key is used as is.
	Method Method
	// Key is the static key or the master key.
	Key secret.Key
}

// ParseSpec parses "default" (40..4F), "HEX" (16, 24 or 32 bytes), or
// "emv:HEX", "visa2:HEX", "kdf3:HEX" (a master key). Errors never repeat the
// key.
func ParseSpec(s string) (Spec, error) {
	s = strings.TrimSpace(s)
	if strings.EqualFold(s, "default") {
		k, err := secret.FromHex(DefaultKeyHex)
		return Spec{Key: k}, err
	}
	var sp Spec
	if name, rest, ok := strings.Cut(s, ":"); ok {
		switch strings.ToLower(name) {
		case "emv":
			sp.Method = EMV
		case "visa2":
			sp.Method = VISA2
		case "kdf3":
			sp.Method = KDF3
		default:
			return Spec{}, fmt.Errorf("keys: unknown key spec method %q (want emv, visa2 or kdf3)", name)
		}
		s = rest
	}
	k, err := secret.FromHex(s)
	if err != nil {
		return Spec{}, fmt.Errorf("keys: key spec: %w", err)
	}
	switch n := k.Len(); {
	case sp.Method == EMV || sp.Method == VISA2:
		if n != 16 {
			k.Zero()
			return Spec{}, fmt.Errorf("keys: %v master key must be 16 bytes, got %d", sp.Method, n)
		}
	case n != 16 && n != 24 && n != 32:
		k.Zero()
		return Spec{}, fmt.Errorf("keys: key must be 16, 24 or 32 bytes, got %d", n)
	}
	sp.Key = k
	return sp, nil
}

// String describes the spec without the key, e.g. "emv:<16-byte key>".
func (s Spec) String() string {
	if s.Method == 0 {
		return fmt.Sprintf("<%d-byte key>", s.Key.Len())
	}
	return fmt.Sprintf("%v:<%d-byte key>", s.Method, s.Key.Len())
}

// Provider returns a provider for the spec answering for key version kvn
// (0: any). A plain key serves as ENC, MAC and DEK.
func (s Spec) Provider(kvn byte) *Local {
	if s.Method == 0 {
		return NewPlain(KeySet{KVN: kvn, ENC: s.Key, MAC: s.Key, DEK: s.Key})
	}
	return NewDiversified(Master{KVN: kvn, Method: s.Method, Key: s.Key})
}
