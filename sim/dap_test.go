package sim

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/hex"
	"testing"

	"github.com/cardhost/cardhost/applet/dap"
	"github.com/cardhost/cardhost/sim/profile"
)

func TestLoad_DAPVerification(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	lf, hash := testCAP(t, pkgAID, []string{appletMod})
	sig, err := dap.Sign(rand.Reader, dap.ECDSAP256SHA256, key, hash)
	if err != nil {
		t.Fatal(err)
	}
	block, err := dap.Block{SecurityDomainAID: h(t, "A000000151000000"), Signature: sig}.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	bad := append([]byte{}, block...)
	bad[len(bad)-1] ^= 1
	tests := []struct {
		name     string
		dapBlock []byte
		want     string
	}{
		{"valid DAP", block, "9000"},
		{"wrong signature", bad, "6982"},
		{"missing DAP", nil, "6982"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := profile.Default()
			p.ISDPrivileges = h(t, "DAFE80") // + DAP Verification (C0)
			c := New(p)
			if err := c.SetDAPKey(h(t, "A000000151000000"), dap.ECDSAP256SHA256, &key.PublicKey); err != nil {
				t.Fatal(err)
			}
			hs := newHost(t, c)
			hs.open(0)
			if got := hs.load(pkgAID, append(append([]byte{}, tt.dapBlock...), lf...), hash, 240); got != tt.want {
				t.Fatalf("LOAD → %s, want %s", got, tt.want)
			}
			if registered := c.Snapshot().LoadFile(h(t, pkgAID)) != nil; registered != (tt.want == "9000") {
				t.Fatalf("registered = %v", registered)
			}
		})
	}
	t.Run("no hash in INSTALL [for load]", func(t *testing.T) {
		p := profile.Default()
		p.ISDPrivileges = h(t, "DAFE80")
		c := New(p)
		if err := c.SetDAPKey(h(t, "A000000151000000"), dap.ECDSAP256SHA256, &key.PublicKey); err != nil {
			t.Fatal(err)
		}
		hs := newHost(t, c)
		hs.open(0)
		hs.must(0xE6, 0x02, 0x00, lv(pkgAID)+"00000000", "9000")
		hs.must(0xE8, 0x80, 0x00, hex.EncodeToString(append(append([]byte{}, block...), lf...)), "6982")
	})
}
