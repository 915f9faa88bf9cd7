package image

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func sample() *State {
	return &State{
		Config:    Config{ATR: []byte{0x3B, 0x00}, GPVersion: [3]byte{2, 3, 1}, MaxBlock: 255, AuthFailureLimit: 3, MemoryTotal: 1000},
		LifeCycle: CardSecured,
		CPLC:      make([]byte, 42),
		KDD:       make([]byte, 10),
		LoadFiles: []LoadFile{{AID: []byte{1, 2, 3, 4, 5}, Modules: [][]byte{{1, 2, 3, 4, 5, 6}}, Imports: [][]byte{{9, 9, 9, 9, 9}}, Size: 100, LifeCycle: LoadFileLoaded}},
		Apps: []App{{
			AID: []byte{0xA0, 0, 0, 1, 0x51, 0, 0, 0}, Privileges: [3]byte{0x80}, SD: []byte{0xA0, 0, 0, 1, 0x51, 0, 0, 0},
			Domain: &Domain{SCP: 2, I: 0x15, IIN: []byte{1}, DAP: &DAPKey{Scheme: 1, PKIX: []byte{1, 2}},
				KeySets: []KeySet{{KVN: 1, Keys: []Key{{ID: 1, Type: KeyTypeDES3, Value: bytes.Repeat([]byte{0x40}, 16)}}}}},
		}, {
			AID: []byte{0xA0, 0, 0, 0, 1, 1}, Size: 50, Storage: map[string][]byte{"n": {1}}, SD: []byte{0xA0, 0, 0, 1, 0x51, 0, 0, 0},
		}},
	}
}

func encode(t *testing.T, s *State) []byte {
	t.Helper()
	b, err := Encode(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestClone_SharesNothingMutable(t *testing.T) {
	s := sample()
	want := encode(t, s)
	c := s.Clone()
	if !bytes.Equal(encode(t, c), want) {
		t.Fatal("clone differs from original")
	}
	// Mutate every reachable mutable part of the clone.
	c.Config.ATR[0] = 0
	c.CPLC[0], c.KDD[0] = 1, 1
	c.LoadFiles[0].AID[0], c.LoadFiles[0].Modules[0][0], c.LoadFiles[0].Imports[0][0] = 0, 0, 0
	c.Apps[0].AID[0], c.Apps[0].SD[0] = 0, 0
	c.Apps[0].Domain.IIN[0], c.Apps[0].Domain.DAP.PKIX[0] = 0, 0
	c.Apps[0].Domain.KeySets[0].Keys[0].Value[0] = 0
	c.Apps[0].Domain.KeySets[0].KVN = 9
	c.Apps[1].Storage["n"] = []byte{7}
	c.Apps[1].Storage["m"] = []byte{7}
	c.Apps = append(c.Apps[:1], App{AID: []byte{1, 1, 1, 1, 1}})
	if !bytes.Equal(encode(t, s), want) {
		t.Fatal("mutating the clone changed the original")
	}
}

func TestEncodeDecode_RoundTrip(t *testing.T) {
	s := sample()
	b := encode(t, s)
	got, err := Decode("x", b)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(encode(t, got), b) {
		t.Fatal("round trip differs")
	}
}

func TestDecode_Errors(t *testing.T) {
	b := encode(t, sample())
	flip := func(i int) []byte { c := bytes.Clone(b); c[i] ^= 1; return c }
	noISD := sample()
	noISD.Apps = nil
	tests := []struct {
		name string
		in   []byte
		want error
	}{
		{"empty", nil, ErrTruncated},
		{"short header", b[:20], ErrTruncated},
		{"bad magic", flip(0), ErrCorrupt},
		{"unknown version", flip(9), ErrUnknownVersion},
		{"truncated payload", b[:len(b)-1], ErrTruncated},
		{"extra bytes", append(bytes.Clone(b), 0), ErrCorrupt},
		{"checksum", flip(len(b) - 3), ErrCorrupt},
		{"no ISD", encode(t, noISD), ErrCorrupt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode("card.img", tt.in)
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), "card.img") {
				t.Fatalf("Decode: %v, want %v naming the file", err, tt.want)
			}
		})
	}
}

func TestFile_CommitLoad(t *testing.T) {
	dir := t.TempDir()
	f := NewFile(filepath.Join(dir, "c.img"))
	if _, err := f.Load(); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("Load of missing file: %v", err)
	}
	s := sample()
	if err := f.Create(s); err != nil {
		t.Fatal(err)
	}
	if err := f.Create(s); !errors.Is(err, os.ErrExist) {
		t.Fatalf("second Create: %v", err)
	}
	s2 := s.Clone()
	s2.LifeCycle = CardLocked
	if err := f.Commit(s2); err != nil {
		t.Fatal(err)
	}
	got, err := f.Load()
	if err != nil {
		t.Fatal(err)
	}
	if got.LifeCycle != CardLocked {
		t.Fatalf("life cycle %02X after commit", got.LifeCycle)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("temporary files left: %v", entries)
	}
}

func TestKey_NeverPrintsValue(t *testing.T) {
	s := sample()
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		out := fmt.Sprintf(verb, s.Apps[0].Domain.KeySets[0])
		if strings.Contains(out, "64, 64") || strings.Contains(out, "4040") || strings.Contains(out, "@@@@") {
			t.Errorf("%s prints the key: %s", verb, out)
		}
	}
}

func BenchmarkClone(b *testing.B) {
	s := sample()
	for b.Loop() {
		_ = s.Clone()
	}
}
