package tlv

import (
	"bytes"
	"encoding/hex"
	"errors"
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

// Public vectors (sources named per row); they must parse and re-encode
// byte for byte.
var vectors = []struct{ name, hex string }{
	{"gp-card.md §1.4 FF21 live UICC", "FF210B81010D8202C5D683020962"},
	{"kaoh getDataTest.c extended card resources", "FF211081020002820400016DB483040000086A"},
	{"kaoh getDataTest.c card recognition vector 1", "664D734B06072A864886FC6B01600B06092A864886FC6B020203630906072A864886FC6B03640B06092A864886FC6B040370650D060B2A864886FC6B0507020000660C060A2B060104012A026E0103"},
	{"kaoh scp03Test.c get_status_enc_mac ISD entry", "E3324F08A0000001510000009F70020F00C50382FC80C407A0000001515350CE020100CC08A000000151000000EA058003008000"},
	{"kaoh scp02Test.c get_status_mac_only load files", "E30D4F07A00000000353509F700101E30B4F05A0000000049F700101E30B4F05325041592E9F700101E30B4F05F0000711809F700101E30C4F06A000000421209F700101E30D4F07D0D1D2D3D4D5019F700101"},
	{"gp-card.md §1.10 key information", "E006C00401708010"},
	{"kaoh getDataTest.c CPLC vector 1", "9F7F2A4790D6004700000000003244342952208448000000000000000015278234323935320000000000000000"},
}

func TestParse_Vectors_RoundTrip(t *testing.T) {
	for _, v := range vectors {
		t.Run(v.name, func(t *testing.T) {
			in := h(t, v.hex)
			list, err := Parse(in)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if got := Encode(list...); !bytes.Equal(got, in) {
				t.Fatalf("Encode = %X, want %X", got, in)
			}
		})
	}
}

func TestFind_Path(t *testing.T) {
	list, err := Parse(h(t, "664D734B06072A864886FC6B01600B06092A864886FC6B020203630906072A864886FC6B03640B06092A864886FC6B040370650D060B2A864886FC6B0507020000660C060A2B060104012A026E0103"))
	if err != nil {
		t.Fatal(err)
	}
	got, ok := Find(list, 0x66, 0x73, 0x64, 0x06)
	if !ok {
		t.Fatal("66/73/64/06 not found")
	}
	if want := h(t, "2A864886FC6B040370"); !bytes.Equal(got.Value, want) {
		t.Fatalf("value %X, want %X", got.Value, want)
	}
	if _, ok := Find(list, 0x66, 0x74); ok {
		t.Fatal("found absent tag 74")
	}
	if _, ok := Find(list); ok {
		t.Fatal("empty path matched")
	}
	if n := len(FindAll(list[0].Children[0].Children, 0x06)); n != 1 {
		t.Fatalf("FindAll(06) = %d, want 1", n)
	}
}

func TestLength(t *testing.T) {
	// ISO/IEC 8825-1 §8.1.3 definite form, minimal encodings.
	tests := []struct {
		n    int
		want string
	}{
		{0, "00"}, {1, "01"}, {127, "7F"}, {128, "8180"}, {255, "81FF"},
		{256, "820100"}, {65535, "82FFFF"}, {65536, "83010000"}, {MaxLength, "83FFFFFF"},
	}
	for _, tc := range tests {
		got := EncodeLength(tc.n)
		if !bytes.Equal(got, h(t, tc.want)) {
			t.Errorf("EncodeLength(%d) = %X, want %s", tc.n, got, tc.want)
		}
		n, size, err := ReadLength(got)
		if err != nil || n != tc.n || size != len(got) {
			t.Errorf("ReadLength(%X) = %d, %d, %v", got, n, size, err)
		}
	}
}

func TestParse_Errors(t *testing.T) {
	tests := []struct{ name, hex, want string }{
		{"truncated value", "4F05A0000001", "offset 2"},
		{"truncated length", "4F82", "truncated"},
		{"missing length", "4F", "truncated"},
		{"truncated multi-byte tag", "9F", "truncated"},
		{"tag longer than 4 bytes", "9F8080800101", "longer than"},
		{"padding byte 00", "00", "invalid first byte"},
		{"lone FF", "FF", "truncated"},
		{"indefinite length", "E380", "indefinite"},
		{"4-byte length form", "4F8400000001AA", "at most 3"},
		{"trailing byte after object", "4F01AA00", "offset 3"},
		{"bad child in constructed", "E3034F05AA", "offset 4"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(h(t, tc.hex))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Parse(%s) error = %v, want containing %q", tc.hex, err, tc.want)
			}
		})
	}
}

func TestParse_NonMinimalLengthAccepted(t *testing.T) {
	list, err := Parse(h(t, "4F8105A000000151"))
	if err != nil {
		t.Fatal(err)
	}
	if got := Encode(list...); !bytes.Equal(got, h(t, "4F05A000000151")) {
		t.Fatalf("re-encoded %X", got)
	}
}

func TestParse_DepthCapped(t *testing.T) {
	var b []byte
	for range MaxDepth + 2 {
		b = append([]byte{0xE3, byte(len(b))}, b...)
	}
	if _, err := Parse(b); err == nil || !strings.Contains(err.Error(), "nesting") {
		t.Fatalf("error = %v", err)
	}
}

func TestParse_CopiesInput(t *testing.T) {
	in := h(t, "4F02A000")
	list, err := Parse(in)
	if err != nil {
		t.Fatal(err)
	}
	in[2] = 0xFF
	if list[0].Value[0] != 0xA0 {
		t.Fatal("Value aliases input")
	}
}

func TestParseSingle(t *testing.T) {
	if _, err := ParseSingle(h(t, "4201AA"), 0x45); err == nil {
		t.Fatal("wrong tag accepted")
	}
	if _, err := ParseSingle(h(t, "4201AA4201AA"), 0x42); err == nil {
		t.Fatal("two objects accepted")
	}
	v, err := ParseSingle(h(t, "4201AA"), 0x42)
	if err != nil || !bytes.Equal(v.Value, []byte{0xAA}) {
		t.Fatalf("ParseSingle = %v, %v", v, err)
	}
}

func TestTag(t *testing.T) {
	tests := []struct {
		tag         Tag
		hex         string
		constructed bool
	}{
		{0x4F, "4F", false}, {0xE3, "E3", true}, {0x9F7F, "9F7F", false},
		{0xBF0C, "BF0C", true}, {0x5F50, "5F50", false}, {0xFF21, "FF21", true},
	}
	for _, tc := range tests {
		if tc.tag.String() != tc.hex || tc.tag.Constructed() != tc.constructed {
			t.Errorf("tag %s: String %s Constructed %v", tc.hex, tc.tag, tc.tag.Constructed())
		}
		got, n, err := ReadTag(h(t, tc.hex))
		if err != nil || got != tc.tag || n != len(tc.hex)/2 {
			t.Errorf("ReadTag(%s) = %v %d %v", tc.hex, got, n, err)
		}
	}
}

func TestLV(t *testing.T) {
	b, err := AppendLV(nil, h(t, "A0000001515350"))
	if err != nil || !bytes.Equal(b, h(t, "07A0000001515350")) {
		t.Fatalf("AppendLV = %X, %v", b, err)
	}
	if _, err := AppendLV(nil, make([]byte, 256)); err == nil {
		t.Fatal("256-byte LV accepted")
	}
	v, n, err := ReadLV(b)
	if err != nil || n != 8 || !bytes.Equal(v, h(t, "A0000001515350")) {
		t.Fatalf("ReadLV = %X %d %v", v, n, err)
	}
	if _, _, err := ReadLV(h(t, "05A000")); !errors.Is(err, ErrTruncated) {
		t.Fatalf("ReadLV truncated: %v", err)
	}
	long := AppendBERLV(nil, make([]byte, 200))
	if !bytes.Equal(long[:2], h(t, "81C8")) {
		t.Fatalf("AppendBERLV prefix %X", long[:2])
	}
	v, n, err = ReadBERLV(long)
	if err != nil || n != 202 || len(v) != 200 {
		t.Fatalf("ReadBERLV = %d %d %v", len(v), n, err)
	}
	// GPCS 2.3.1 §11.5.2.3: a single length byte 80 means 128.
	legacy := append([]byte{0x80}, make([]byte, 128)...)
	if v, n, err = ReadBERLV(legacy); err != nil || len(v) != 128 || n != 129 {
		t.Fatalf("ReadBERLV(80 …) = %d %d %v", len(v), n, err)
	}
}

func FuzzParseTLV(f *testing.F) {
	for _, v := range vectors {
		f.Add(h(f, v.hex))
	}
	f.Add([]byte{0x4F, 0x81})
	f.Fuzz(func(t *testing.T, data []byte) {
		list, err := Parse(data)
		if err != nil {
			return
		}
		enc := Encode(list...)
		again, err := Parse(enc)
		if err != nil {
			t.Fatalf("re-parse of %X: %v", enc, err)
		}
		if !bytes.Equal(Encode(again...), enc) {
			t.Fatalf("encoding not stable for %X", data)
		}
	})
}
