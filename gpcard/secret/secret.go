package secret

import (
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strings"
)

// redacted is what every printing path shows instead of key bytes.
const redacted = "[redacted]"

// Key holds secret key material. Its zero value is an empty key. Copies of a
// Key share the same bytes, so Zero on any copy wipes them all.
//
// Key never shows its bytes through fmt (any verb), slog, encoding/json or
// encoding.TextMarshaler; only Bytes and Use hand them out, for crypto code.
type Key struct {
	b []byte
}

// New returns a Key holding a copy of b. The caller may zero b afterwards.
func New(b []byte) Key {
	return Key{b: append([]byte(nil), b...)}
}

// FromHex parses a hex string (spaces allowed) into a Key. The error never
// repeats the input.
func FromHex(s string) (Key, error) {
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		return Key{}, fmt.Errorf("secret: key is not valid hex (%d characters)", len(s))
	}
	return Key{b: b}, nil
}

// Len returns the key length in bytes.
func (k Key) Len() int { return len(k.b) }

// IsZero reports whether the key is empty.
func (k Key) IsZero() bool { return len(k.b) == 0 }

// Bytes returns a copy of the key bytes. Callers should zero the copy when
// done; prefer Use, which lends the bytes without copying.
func (k Key) Bytes() []byte { return append([]byte(nil), k.b...) }

// Use calls f with the key bytes and returns its error. f must not retain or
// modify the slice.
func (k Key) Use(f func(b []byte) error) error { return f(k.b) }

// Equal reports, in constant time for equal lengths, whether k and o hold the
// same bytes.
func (k Key) Equal(o Key) bool {
	return len(k.b) == len(o.b) && subtle.ConstantTimeCompare(k.b, o.b) == 1
}

// Zero overwrites the key bytes with zeros (for every copy of k) and empties k.
func (k *Key) Zero() {
	clear(k.b)
	k.b = nil
}

// String returns "[redacted]".
func (k Key) String() string { return redacted }

// GoString returns a redacted Go-syntax form that shows only the length.
func (k Key) GoString() string { return fmt.Sprintf("secret.Key{%d bytes %s}", len(k.b), redacted) }

// Format prints "[redacted]" for every verb, so %x and %v never leak bytes.
func (k Key) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		fmt.Fprint(f, k.GoString())
		return
	}
	fmt.Fprint(f, redacted)
}

// LogValue makes slog print "[redacted]".
func (k Key) LogValue() slog.Value { return slog.StringValue(redacted) }

// MarshalText returns "[redacted]".
func (k Key) MarshalText() ([]byte, error) { return []byte(redacted), nil }

// MarshalJSON returns the JSON string "[redacted]".
func (k Key) MarshalJSON() ([]byte, error) { return []byte(`"` + redacted + `"`), nil }
