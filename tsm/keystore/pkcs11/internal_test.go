//go:build cgo

package pkcs11

import (
	"encoding/hex"
	"testing"
)

// TestDbl_RFC4493Subkeys checks the CMAC subkey doubling with RFC 4493 §4
// (K 2B7E1516…): L → K1 (top bit clear) and K1 → K2 (top bit set, 0x87).
func TestDbl_RFC4493Subkeys(t *testing.T) {
	for _, c := range []struct{ name, in, want string }{
		{"RFC 4493 §4 K1", "7df76b0c1ab899b33e42f047b91b546f", "fbeed618357133667c85e08f7236a8de"},
		{"RFC 4493 §4 K2", "fbeed618357133667c85e08f7236a8de", "f7ddac306ae266ccf90bc11ee46d513b"},
	} {
		in, _ := hex.DecodeString(c.in)
		if got := hex.EncodeToString(dbl(in)); got != c.want {
			t.Errorf("%s: dbl = %s, want %s", c.name, got, c.want)
		}
	}
}
