package sim

import (
	"crypto/cipher"
	"crypto/des"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/cardhost/cardhost/applet/dap"
	"github.com/cardhost/cardhost/sim/profile"
)

const (
	dmSSD   = "A0000001515353DD" // an SSD with Delegated Management
	sdPkgID = "A0000001515350"
	sdModID = "A000000151535041"
)

// dmCard returns a card whose ISD verifies tokens with key and makes 3DES
// receipts with the test key, an SSD dmSSD with privileges privs, and
// package pkgAID (applet appletMod) associated with that SSD. The host
// returned is authenticated to the SSD (initial keys, KVN FF).
func dmCard(t *testing.T, key *ecdsa.PrivateKey, privs string) (*Card, *host) {
	t.Helper()
	c := New(profile.Default()) // ISD privileges 9AFE80: Token Verification, Receipt Generation
	if err := c.SetTokenKey(dap.ECDSAP256SHA256, &key.PublicKey); err != nil {
		t.Fatal(err)
	}
	if err := c.SetReceiptKey(h(t, testKey), false); err != nil {
		t.Fatal(err)
	}
	isd := newHost(t, c)
	isd.open(0)
	isd.must(0xE6, 0x0C, 0x00, lv(sdPkgID)+lv(sdModID)+lv(dmSSD)+lv(privs)+"02C90000", "9000")
	lf, hash := testCAP(t, pkgAID, []string{appletMod})
	isd.must(0xE6, 0x02, 0x00, lv(pkgAID)+lv(dmSSD)+lv(hex.EncodeToString(hash))+"0000", "9000")
	isd.must(0xE8, 0x80, 0x00, hex.EncodeToString(lf), "9000")
	expectSW(t, c, "00A4040008"+dmSSD+"00", "9000")
	ssd := newHost(t, c)
	ssd.open(0)
	return c, ssd
}

// sign returns the ECDSA P-256 SHA-256 token (r ‖ s) over tokenData given
// in hex, computed here with the standard library (not sim code).
func sign(t *testing.T, key *ecdsa.PrivateKey, tokenData string) string {
	t.Helper()
	d := sha256.Sum256(h(t, tokenData))
	r, s, err := ecdsa.Sign(rand.Reader, key, d[:])
	if err != nil {
		t.Fatal(err)
	}
	out := make([]byte, 64)
	r.FillBytes(out[:32])
	s.FillBytes(out[32:])
	return hex.EncodeToString(out)
}

// A DELETE from an SSD with Delegated Management needs a token (9E) over
// P1 ‖ P2 ‖ Lc ‖ 4F <AID> verified with the ISD's key; the ISD's receipt
// then comes back. The expected receipt 901EB252F3406E0F was computed with
// OpenSSL (des-cbc over all blocks but the last, des-ede-cbc on the last:
// ISO 9797-1 MAC algorithm 3, ICV 0, method 2 padding) over LV(0001) ‖
// LV(IIN ‖ CIN) ‖ LV(A00000061700) under 40..4F.
func TestDelete_DelegatedManagement_TokenAndReceipt(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	other, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	data := "4F06" + pkgAID
	tokenData := "0000" + "08" + data
	good := sign(t, key, tokenData)
	tests := []struct {
		name, token, wantSW, wantData string
	}{
		{"GPCS 2.3.1 §C.4 missing token", "", "6982", ""},
		{"token signed by another key", sign(t, other, tokenData), "6982", ""},
		{"token over other data", sign(t, key, "0080"+"08"+data), "6982", ""},
		{"truncated token", good[:len(good)-2], "6982", ""},
		{"OpenSSL receipt vector", good, "9000", "1A" + "08" + "901EB252F3406E0F" + "020001" + "0D" + "0000000001" + "0000000000000001"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, ssd := dmCard(t, key, "A0")
			body := data
			if tt.token != "" {
				body += "9E" + hex.EncodeToString([]byte{byte(len(tt.token) / 2)}) + tt.token
			}
			got, sw := ssd.cmd(0xE4, 0x00, 0x00, body)
			if sw != tt.wantSW || got != strings.ToUpper(tt.wantData) {
				t.Fatalf("DELETE → %s %s, want %s %s", got, sw, tt.wantData, tt.wantSW)
			}
			deleted := c.Snapshot().LoadFile(h(t, pkgAID)) == nil
			if deleted != (tt.wantSW == "9000") {
				t.Fatalf("deleted = %v", deleted)
			}
		})
	}
}

// INSTALL [for load] and [for install] from a DM SSD need tokens over P1 ‖
// P2 ‖ Lc ‖ the data without the token field; the last LOAD and INSTALL
// [for install] answer with receipts whose counter goes up; an SSD with
// Authorized Management needs none.
func TestInstall_DelegatedManagement(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	const pkg2, mod2, inst = "A00000061702", "A0000006170201", "A0000006170299"
	lf, hash := testCAP(t, pkg2, []string{mod2})
	loadData := lv(pkg2) + lv(dmSSD) + lv(hex.EncodeToString(hash)) + "00"
	instData := lv(pkg2) + lv(mod2) + lv(inst) + "0100" + "02C900"
	t.Run("no token", func(t *testing.T) {
		_, ssd := dmCard(t, key, "A0")
		ssd.must(0xE6, 0x02, 0x00, loadData+"00", "6982")
	})
	t.Run("tokens and receipts", func(t *testing.T) {
		c, ssd := dmCard(t, key, "A0")
		tok := sign(t, key, "0200"+hex.EncodeToString([]byte{byte(len(loadData) / 2)})+loadData)
		ssd.must(0xE6, 0x02, 0x00, loadData+"40"+tok, "9000")
		resp := ssd.must(0xE8, 0x80, 0x00, hex.EncodeToString(lf), "9000")
		if !strings.HasPrefix(resp, "1A08") || resp[20:26] != "020001" {
			t.Fatalf("load confirmation %s, want a receipt with counter 0001", resp)
		}
		tok = sign(t, key, "0C00"+hex.EncodeToString([]byte{byte(len(instData) / 2)})+instData)
		resp = ssd.must(0xE6, 0x0C, 0x00, instData+"40"+tok, "9000")
		if !strings.HasPrefix(resp, "1A08") || resp[20:26] != "020002" {
			t.Fatalf("install confirmation %s, want a receipt with counter 0002", resp)
		}
		if n := c.Snapshot().ISD().Domain.Confirmations; n != 2 {
			t.Fatalf("confirmation counter %d, want 2", n)
		}
	})
	t.Run("Authorized Management needs no token", func(t *testing.T) {
		_, ssd := dmCard(t, key, "80C000") // SD; byte 2: AM (40) — C0 adds Trusted Path
		ssd.must(0xE6, 0x02, 0x00, loadData+"00", "9000")
		if resp := ssd.must(0xE8, 0x80, 0x00, hex.EncodeToString(lf), "9000"); resp != "00" {
			t.Fatalf("LOAD without token answered %s, want 00 (no receipt)", resp)
		}
	})
}

// An SD with the Ciphered Load File Data Block privilege takes D4 only: the
// block encrypted with 3DES-CBC (ICV zero, or D3) under its Key-DEK after
// ISO 9797-1 method 2 padding; C4, a wrong key or a bad ICV are refused.
func TestLoad_CipheredLoadFileDataBlock(t *testing.T) {
	lf, hash := testCAP(t, pkgAID, []string{appletMod})
	clear := lf[2:] // C4 82 LL LL … : strip tag and length below
	switch lf[1] {
	case 0x81:
		clear = lf[3:]
	case 0x82:
		clear = lf[4:]
	}
	enc := func(key, icv []byte) string {
		b, err := des.NewTripleDESCipher(append(append([]byte{}, key...), key[:8]...))
		if err != nil {
			t.Fatal(err)
		}
		p := append(append([]byte{}, clear...), 0x80)
		for len(p)%8 != 0 {
			p = append(p, 0)
		}
		out := make([]byte, len(p))
		cipher.NewCBCEncrypter(b, icv).CryptBlocks(out, p)
		return "D4" + berLen(len(out)) + hex.EncodeToString(out)
	}
	zero := make([]byte, 8)
	icv := h(t, "0102030405060708")
	tests := []struct {
		name, payload, want string
	}{
		{"D4 under the DEK", enc(h(t, testKey), zero), "9000"},
		{"D3 ICV then D4", "D308" + hex.EncodeToString(icv) + enc(h(t, testKey), icv), "9000"},
		{"plain C4 refused", hex.EncodeToString(lf), "6982"},
		{"D4 under another key", enc(h(t, "00112233445566778899AABBCCDDEEFF"), zero), "6A80"},
		{"D4 with the wrong ICV", enc(h(t, testKey), icv), "6A80"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := profile.Default()
			p.ISDPrivileges = h(t, "9AFEC0") // + Ciphered Load File Data Block
			c := New(p)
			hs := newHost(t, c)
			hs.open(0)
			if got := hs.load(pkgAID, h(t, tt.payload), hash, 240); got != tt.want {
				t.Fatalf("LOAD → %s, want %s", got, tt.want)
			}
			if ok := c.Snapshot().LoadFile(h(t, pkgAID)) != nil; ok != (tt.want == "9000") {
				t.Fatalf("registered = %v", ok)
			}
		})
	}
	t.Run("D4 to an SD without the privilege", func(t *testing.T) {
		c := New(profile.Default())
		hs := newHost(t, c)
		hs.open(0)
		if got := hs.load(pkgAID, h(t, enc(h(t, testKey), zero)), hash, 240); got != "6982" {
			t.Fatalf("LOAD → %s, want 6982", got)
		}
	})
}

// berLen codes n as a BER length in hex.
func berLen(n int) string {
	switch {
	case n < 0x80:
		return hex.EncodeToString([]byte{byte(n)})
	case n < 0x100:
		return hex.EncodeToString([]byte{0x81, byte(n)})
	}
	return hex.EncodeToString([]byte{0x82, byte(n >> 8), byte(n)})
}
