package dap

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Expected encodings are written out by hand from GPCS 2.3.1 Table 11-58:
// E2 L {4F L SD-AID, C3 L signature}, BER lengths.
func TestBlock_Bytes(t *testing.T) {
	isd := unhex(t, "A000000151000000")
	for _, tc := range []struct {
		name string
		sig  []byte
		want string
	}{
		{"8-byte signature", unhex(t, "0102030405060708"), "E2 14 4F 08 A000000151000000 C3 08 0102030405060708"},
		{"64-byte ECDSA", bytes.Repeat([]byte{0xAB}, 64),
			"E2 4C 4F 08 A000000151000000 C3 40 " + strings.Repeat("AB", 64)},
		{"128-byte RSA-1024", bytes.Repeat([]byte{0x5A}, 128),
			"E2 81 8D 4F 08 A000000151000000 C3 81 80 " + strings.Repeat("5A", 128)},
		{"256-byte RSA-2048", bytes.Repeat([]byte{0x11}, 256),
			"E2 82 010E 4F 08 A000000151000000 C3 82 0100 " + strings.Repeat("11", 256)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := Block{SecurityDomainAID: isd, Signature: tc.sig}
			got, err := b.Bytes()
			if err != nil {
				t.Fatal(err)
			}
			if want := unhex(t, tc.want); !bytes.Equal(got, want) {
				t.Fatalf("Bytes() = %X\nwant      %X", got, want)
			}
			back, err := ParseBlock(got)
			if err != nil {
				t.Fatalf("ParseBlock: %v", err)
			}
			if !bytes.Equal(back.SecurityDomainAID, isd) || !bytes.Equal(back.Signature, tc.sig) {
				t.Fatalf("round trip = %X / %X", back.SecurityDomainAID, back.Signature)
			}
		})
	}
}

func TestParseBlock_Rejects(t *testing.T) {
	for _, tc := range []struct {
		name, in, substr string
	}{
		{"empty", "", "tag E2"},
		{"wrong outer tag", "E3 05 4F 03 010203", "tag E2"},
		{"truncated", "E2 14 4F 08 A000000151000000 C3 08 01020304050607", "tag E2"},
		{"trailing bytes", "E2 0E 4F 05 A000000151 C3 05 0102030405 00", "after the block"},
		{"missing AID", "E2 07 C3 05 0102030405", "tag 4F"},
		{"missing signature", "E2 07 4F 05 A000000151", "tag C3"},
		{"extra TLV inside", "E2 10 4F 05 A000000151 C3 05 0102030405 00 00", "after the signature"},
		{"short AID", "E2 0D 4F 04 A0000001 C3 05 0102030405", "AID of 4 bytes"},
		{"empty signature", "E2 09 4F 05 A000000151 C3 00", "signature of 0 bytes"},
		{"non-minimal length", "E2 81 0E 4F 05 A000000151 C3 05 0102030405", "tag E2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseBlock(unhex(t, tc.in))
			if err == nil || !strings.Contains(err.Error(), tc.substr) {
				t.Fatalf("ParseBlock error %v, want one mentioning %q", err, tc.substr)
			}
		})
	}
}

func TestBlock_BytesRejects(t *testing.T) {
	for _, b := range []Block{
		{SecurityDomainAID: make([]byte, 4), Signature: []byte{1}},
		{SecurityDomainAID: make([]byte, 17), Signature: []byte{1}},
		{SecurityDomainAID: make([]byte, 8)},
		{SecurityDomainAID: make([]byte, 8), Signature: make([]byte, 1025)},
	} {
		if _, err := b.Bytes(); err == nil {
			t.Errorf("Bytes(%d-byte AID, %d-byte signature) succeeded", len(b.SecurityDomainAID), len(b.Signature))
		}
	}
}

func FuzzParseBlock(f *testing.F) {
	for _, sigLen := range []int{8, 64, 128, 256} {
		b, err := Block{SecurityDomainAID: []byte{0xA0, 0, 0, 1, 0x51, 0, 0, 0}, Signature: make([]byte, sigLen)}.Bytes()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := ParseBlock(data)
		if err != nil {
			return
		}
		again, err := b.Bytes()
		if err != nil {
			t.Fatalf("parsed block does not encode: %v", err)
		}
		if !bytes.Equal(again, data) {
			t.Fatalf("re-encoding differs: %X vs %X", again, data)
		}
	})
}
