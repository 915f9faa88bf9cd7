package payment

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"

	"github.com/cardhost/cardhost/applet"
	"github.com/cardhost/cardhost/gpcard/gpcrypto"
)

// TestAuthorize_Vectors checks Authorize against MACs computed with OpenSSL
// 3.0 (see purse_test.go), key testKey.
func TestAuthorize_Vectors(t *testing.T) {
	tests := []struct {
		name    string
		ins     byte
		amount  uint32
		counter uint32
		holder  string
		want    string
	}{
		{"credit 5000 #1", 0x52, 0x1388, 1, testHolder, "F8BD4E6E550E01D6"},
		{"debit 100 #2", 0x54, 0x64, 2, testHolder, "67659E5F0322A72E"},
		{"debit 0 #5", 0x54, 0, 5, testHolder, "2576B160CF702FFA"},
		{"credit 1 #FFFFFFFF", 0x52, 1, 0xFFFFFFFF, testHolder, "0790A38526E457E9"},
		{"credit 100 #1 holder CARDH002", 0x52, 0x64, 1, "4341524448303032", "FDC16CBDCC645566"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Authorize(hx(t, testKey), tc.ins, tc.amount, tc.counter, hx(t, tc.holder))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, hx(t, tc.want)) {
				t.Fatalf("MAC %X, want %s", got, tc.want)
			}
		})
	}
}

// TestAuthorize_Formula checks Authorize against AES-CMAC computed here from
// the documented message layout, over holder ids of every length.
func TestAuthorize_Formula(t *testing.T) {
	key := hx(t, "000102030405060708090A0B0C0D0E0F")
	for n := 1; n <= MaxHolderIDLen; n++ {
		holder := bytes.Repeat([]byte{byte(n)}, n)
		amount, counter := uint32(n)*0x01010101, uint32(0xFFFFFFFF)-uint32(n)
		for _, ins := range []byte{0x52, 0x54} {
			msg := []byte{ins,
				byte(amount >> 24), byte(amount >> 16), byte(amount >> 8), byte(amount),
				byte(counter >> 24), byte(counter >> 16), byte(counter >> 8), byte(counter)}
			full, err := gpcrypto.CMAC(key, append(msg, holder...))
			if err != nil {
				t.Fatal(err)
			}
			got, err := Authorize(key, ins, amount, counter, holder)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, full[:8]) {
				t.Fatalf("holder %d bytes, INS %02X: %X, want %X", n, ins, got, full[:8])
			}
		}
	}
}

// TestTransactionAPDUs checks the CREDIT and DEBIT builders byte for byte.
func TestTransactionAPDUs(t *testing.T) {
	key, holder := hx(t, testKey), hx(t, testHolder)
	credit, err := CreditAPDU(key, 0x1388, 1, holder)
	if err != nil {
		t.Fatal(err)
	}
	if want := hx(t, "8052000010 00001388 00000001 F8BD4E6E550E01D6"); !bytes.Equal(credit, want) {
		t.Errorf("CREDIT %X, want %X", credit, want)
	}
	debit, err := DebitAPDU(key, 0x64, 2, holder)
	if err != nil {
		t.Fatal(err)
	}
	if want := hx(t, "8054000010 00000064 00000002 67659E5F0322A72E"); !bytes.Equal(debit, want) {
		t.Errorf("DEBIT %X, want %X", debit, want)
	}
}

// TestPersonalizationData checks the DGI builders against the hand-written
// blocks and that the applet accepts their output and its authorisations.
func TestPersonalizationData(t *testing.T) {
	key := hx(t, testKey)
	p := Profile{Limit: 10000, Currency: 0x0978, HolderID: hx(t, testHolder), Flags: FlagDebit | FlagCredit}
	got, err := PersonalizationData(key, p)
	if err != nil {
		t.Fatal(err)
	}
	if want := hx(t, "8101 10 "+testKey+" "+profileData+"03"); !bytes.Equal(got, want) {
		t.Fatalf("data %X, want %X", got, want)
	}
	st := memStorage{}
	ctx := applet.Context{Storage: st}
	if status := New().StoreData(ctx, P1DGI|P1LastBlock, got); status != 0x9000 {
		t.Fatalf("STORE DATA %04X", status)
	}
	credit, err := CreditAPDU(key, 250, 1, p.HolderID)
	if err != nil {
		t.Fatal(err)
	}
	if data, status := New().Process(ctx, credit); status != 0x9000 || binary.BigEndian.Uint32(data) != 250 {
		t.Fatalf("CREDIT %X %04X", data, status)
	}
}

// TestAppendDGI checks the one- and three-byte length forms and the limit.
func TestAppendDGI(t *testing.T) {
	for _, tc := range []struct {
		n    int
		head string
	}{{0, "010300"}, {254, "0103FE"}, {255, "0103FF00FF"}, {65535, "0103FFFFFF"}} {
		got, err := AppendDGI([]byte{0xAA}, DGIHolderID, make([]byte, tc.n))
		if err != nil {
			t.Fatal(err)
		}
		if want := append([]byte{0xAA}, hx(t, tc.head)...); !bytes.Equal(got[:len(want)], want) || len(got) != len(want)+tc.n {
			t.Errorf("%d bytes: header %X, want %X", tc.n, got[:min(len(got), len(want))], want)
		}
	}
	if _, err := AppendDGI(nil, DGIHolderID, make([]byte, 65536)); err == nil {
		t.Error("65536-byte DGI accepted")
	}
}

// TestHostHelpers_Errors checks that bad host input is refused and that no
// error shows key bytes.
func TestHostHelpers_Errors(t *testing.T) {
	key17 := hx(t, testKey+"55")
	good := Profile{Limit: 1, Currency: 0x0978, HolderID: []byte{1}}
	tests := []struct {
		name string
		call func() error
	}{
		{"key DGI 17 bytes", func() error { _, err := KeyDGI(key17); return err }},
		{"key DGI empty", func() error { _, err := KeyDGI(nil); return err }},
		{"perso key 17 bytes", func() error { _, err := PersonalizationData(key17, good); return err }},
		{"limit 0", func() error { p := good; p.Limit = 0; _, err := p.DGIs(); return err }},
		{"currency not BCD", func() error { p := good; p.Currency = 0x09A8; _, err := p.DGIs(); return err }},
		{"holder empty", func() error { p := good; p.HolderID = nil; _, err := p.DGIs(); return err }},
		{"holder 17 bytes", func() error { p := good; p.HolderID = make([]byte, 17); _, err := p.DGIs(); return err }},
		{"unknown flag", func() error { p := good; p.Flags = 0x80; _, err := p.DGIs(); return err }},
		{"perso bad profile", func() error { _, err := PersonalizationData(hx(t, testKey), Profile{}); return err }},
		{"authorize key 17 bytes", func() error { _, err := Authorize(key17, INSDebit, 1, 1, []byte{1}); return err }},
		{"authorize key 32 bytes", func() error { _, err := Authorize(append(key17, key17[:15]...), INSDebit, 1, 1, []byte{1}); return err }},
		{"authorize INS", func() error { _, err := Authorize(hx(t, testKey), 0x5C, 1, 1, []byte{1}); return err }},
		{"authorize holder empty", func() error { _, err := Authorize(hx(t, testKey), INSCredit, 1, 1, nil); return err }},
		{"credit key 17 bytes", func() error { _, err := CreditAPDU(key17, 1, 1, []byte{1}); return err }},
		{"debit holder 17 bytes", func() error { _, err := DebitAPDU(hx(t, testKey), 1, 1, make([]byte, 17)); return err }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			if err == nil {
				t.Fatal("accepted")
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "payment: ") {
				t.Errorf("error %q lacks the package prefix", msg)
			}
			for _, k := range []string{testKey[:8], strings.ToLower(testKey[:8]), "@ABCDEFG"} {
				if strings.Contains(msg, k) {
					t.Errorf("error %q shows key bytes", msg)
				}
			}
		})
	}
}
