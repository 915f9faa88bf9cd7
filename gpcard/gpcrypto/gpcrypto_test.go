package gpcrypto

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"os"
	"strconv"
	"strings"
	"testing"
)

func h(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

// The GlobalPlatform default test key 40..4F ("K" in shared/spec/vectors.md).
const keyK = "404142434445464748494A4B4C4D4E4F"

func TestKDF_BlaufishVectors(t *testing.T) {
	f, err := os.Open("testdata/scp03-kdf-vectors.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fs := strings.Fields(line)
		if len(fs) != 4 {
			t.Fatalf("line %q: want 4 fields", line)
		}
		c, err := strconv.ParseUint(fs[1], 16, 8)
		if err != nil {
			t.Fatal(err)
		}
		want := h(t, fs[3])
		got, err := KDF(h(t, fs[0]), byte(c), h(t, fs[2]), len(want)*8)
		if err != nil {
			t.Fatalf("vector %d: %v", n+1, err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("vector %d (constant %s): got %X want %X", n+1, fs[1], got, want)
		}
		n++
	}
	if n != 40 {
		t.Fatalf("read %d vectors, want 40", n)
	}
}

func TestKDF_RejectsBadLength(t *testing.T) {
	for _, bits := range []int{0, -8, 7, 255*128 + 8} {
		if _, err := KDF(h(t, keyK), 0, nil, bits); err == nil {
			t.Errorf("bits=%d: no error", bits)
		}
	}
	if _, err := KDF(make([]byte, 15), 0, nil, 64); err == nil {
		t.Error("15-byte key: no error")
	}
}

func TestKCV(t *testing.T) {
	// shared/spec/vectors.md §1: K 3DES KCV 8BAF47, AES KCV 504A77.
	d, err := KCVDES(h(t, keyK))
	if err != nil || !bytes.Equal(d, h(t, "8BAF47")) {
		t.Errorf("KCVDES(K) = %X, %v; want 8BAF47", d, err)
	}
	a, err := KCVAES(h(t, keyK))
	if err != nil || !bytes.Equal(a, h(t, "504A77")) {
		t.Errorf("KCVAES(K) = %X, %v; want 504A77", a, err)
	}
	// GPPro TestPlaintextKeys: SCP02 S-ENC of K at seq 0000 has KCV F2DCDD.
	s, err := KCVDES(h(t, "010B0371D78377B801F2D62AFC671D95"))
	if err != nil || !bytes.Equal(s, h(t, "F2DCDD")) {
		t.Errorf("KCVDES(S-ENC) = %X, %v; want F2DCDD", s, err)
	}
	if _, err := KCVDES(make([]byte, 8)); err == nil {
		t.Error("8-byte 3DES key accepted")
	}
}

// kaoh/globalplatform scp02Test.c get_status_mac_only: session keys, card
// cryptogram and the EXTERNAL AUTHENTICATE C-MAC exercise CBC, full 3DES
// CBC-MAC and the retail MAC.
func TestSCP02Primitives_KaohTranscript(t *testing.T) {
	k := h(t, keyK)
	senc, err := TripleDESCBC(k, nil, h(t, "0182069F000000000000000000000000"))
	if err != nil || !bytes.Equal(senc, h(t, "A7E638E94A6AEC1AB596BA9E46FF2B7F")) {
		t.Fatalf("S-ENC = %X, %v", senc, err)
	}
	smac, _ := TripleDESCBC(k, nil, h(t, "0101069F000000000000000000000000"))
	if !bytes.Equal(smac, h(t, "3D19A0E1F74FFE5260157E1E150AC67E")) {
		t.Fatalf("S-MAC = %X", smac)
	}
	cc, err := TripleDESCBCMAC(senc, nil, Pad80(h(t, "D5AD539A60CA5E72 069F AA2A0591E733"), 8))
	if err != nil || !bytes.Equal(cc, h(t, "67DD78794D04315E")) {
		t.Errorf("card cryptogram = %X, %v", cc, err)
	}
	mac, err := RetailMAC(smac, nil, Pad80(h(t, "8482010010 7C799B3C771DBAE6"), 8))
	if err != nil || !bytes.Equal(mac, h(t, "BEF49310977617BA")) {
		t.Errorf("C-MAC = %X, %v", mac, err)
	}
	// Next command's ICV is DES-ECB(K1 of S-MAC, previous C-MAC).
	icv, _ := DESECB(smac[:8], mac)
	mac2, err := RetailMAC(smac, icv, Pad80(h(t, "84F220020A4F00"), 8))
	if err != nil || !bytes.Equal(mac2, h(t, "BB6E71C0EFCFCF0D")) {
		t.Errorf("second C-MAC = %X, %v", mac2, err)
	}
}

// The prebuilt-cipher variant must give the kaoh get_status_mac_only C-MACs
// and CBCEncrypt the published S-ENC, with the ciphers reused across calls.
func TestRetailMACWith_KaohTranscript(t *testing.T) {
	smac := h(t, "3D19A0E1F74FFE5260157E1E150AC67E")
	single, triple, err := RetailMACCiphers(smac)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, data, want string
		chained          bool // ICV = DES(K1, previous C-MAC BEF4…)
	}{
		{"EXTERNAL AUTHENTICATE", "8482010010 7C799B3C771DBAE6", "BEF49310977617BA", false},
		{"GET STATUS", "84F220020A4F00", "BB6E71C0EFCFCF0D", true},
	} {
		var icv []byte
		if tc.chained {
			icv = make([]byte, 8)
			single.Encrypt(icv, h(t, "BEF49310977617BA"))
		}
		mac, err := RetailMACWith(single, triple, icv, Pad80(h(t, tc.data), 8))
		if err != nil || !bytes.Equal(mac, h(t, tc.want)) {
			t.Errorf("%s: C-MAC = %X, %v", tc.name, mac, err)
		}
	}
	b, err := TripleDES(h(t, keyK))
	if err != nil {
		t.Fatal(err)
	}
	senc, err := CBCEncrypt(b, nil, h(t, "0182069F000000000000000000000000"))
	if err != nil || !bytes.Equal(senc, h(t, "A7E638E94A6AEC1AB596BA9E46FF2B7F")) {
		t.Errorf("S-ENC = %X, %v", senc, err)
	}
	if _, _, err := RetailMACCiphers(make([]byte, 24)); err == nil {
		t.Error("24-byte retail MAC key accepted")
	}
}

func TestRetailMAC_BadInput(t *testing.T) {
	if _, err := RetailMAC(make([]byte, 16), nil, make([]byte, 7)); err == nil {
		t.Error("unpadded input accepted")
	}
	if _, err := RetailMAC(make([]byte, 8), nil, make([]byte, 8)); err == nil {
		t.Error("8-byte key accepted")
	}
	if _, err := RetailMAC(make([]byte, 16), make([]byte, 4), make([]byte, 8)); err == nil {
		t.Error("short ICV accepted")
	}
}

func TestPad80RoundTrip(t *testing.T) {
	for n := 0; n < 40; n++ {
		for _, bs := range []int{8, 16} {
			in := bytes.Repeat([]byte{0xA5}, n)
			p := Pad80(in, bs)
			if len(p)%bs != 0 || len(p) <= n || len(p) > n+bs {
				t.Fatalf("Pad80(%d, %d) has length %d", n, bs, len(p))
			}
			u, err := Unpad80(p, bs)
			if err != nil || !bytes.Equal(u, in) {
				t.Fatalf("Unpad80(Pad80(%d bytes)) = %X, %v", n, u, err)
			}
		}
	}
	for _, bad := range []string{"", "00", "0102", "80" + strings.Repeat("00", 16)} {
		if _, err := Unpad80(h(t, bad), 16); err == nil {
			t.Errorf("Unpad80(%s) accepted", bad)
		}
	}
}

func TestAESCBCRoundTripAndCMAC(t *testing.T) {
	// RFC 4493 §4 example 2: AES-CMAC of 16 bytes.
	key := h(t, "2b7e151628aed2a6abf7158809cf4f3c")
	mac, err := CMAC(key, h(t, "6bc1bee22e409f96e93d7e117393172a"))
	if err != nil || !bytes.Equal(mac, h(t, "070a16b46b4d4144f79bdd9dd04a287c")) {
		t.Errorf("CMAC = %x, %v", mac, err)
	}
	pt := bytes.Repeat([]byte{7}, 48)
	ct, err := AESCBC(key, nil, pt)
	if err != nil {
		t.Fatal(err)
	}
	back, err := AESCBCDecrypt(key, nil, ct)
	if err != nil || !bytes.Equal(back, pt) {
		t.Errorf("AES-CBC round trip failed: %v", err)
	}
	if _, err := AESCBC(key, nil, pt[:17]); err == nil {
		t.Error("AES-CBC accepted 17 bytes")
	}
}

// BenchmarkRetailMAC MACs one 208-byte message (a padded 200-byte LOAD
// block) per op, building the ciphers per call or once.
func BenchmarkRetailMAC(b *testing.B) {
	key, data := make([]byte, 16), make([]byte, 208)
	b.Run("per call", func(b *testing.B) {
		for b.Loop() {
			if _, err := RetailMAC(key, nil, data); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("prebuilt", func(b *testing.B) {
		single, triple, err := RetailMACCiphers(key)
		if err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if _, err := RetailMACWith(single, triple, nil, data); err != nil {
				b.Fatal(err)
			}
		}
	})
}
