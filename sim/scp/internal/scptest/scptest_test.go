package scptest

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestFrameAPDUs_RoundTrip(t *testing.T) {
	in := [][]byte{{0x80, 0x50}, nil, bytes.Repeat([]byte{7}, 255)}
	got := slices.Collect(APDUs(Frame(in...)))
	if len(got) != len(in) {
		t.Fatalf("%d APDUs, want %d", len(got), len(in))
	}
	for i := range in {
		if !bytes.Equal(got[i], in[i]) {
			t.Fatalf("APDU %d = %X, want %X", i, got[i], in[i])
		}
	}
	// A length beyond the input takes what remains.
	if got := slices.Collect(APDUs([]byte{9, 1, 2})); len(got) != 1 || !bytes.Equal(got[0], []byte{1, 2}) {
		t.Fatalf("truncated frame = %X", got)
	}
}

func TestReadBlocks(t *testing.T) {
	path := filepath.Join(t.TempDir(), "t.txt")
	text := "# header\n\ntest one\nkey 0102\nunwrap 84 = 80\nend\ntest two\nwrap 9000 = mac\nend\n"
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	b := ReadBlocks(t, path)
	if len(b) != 2 || b[0].Name != "one" || len(b[0].Lines) != 2 || b[1].Name != "two" {
		t.Fatalf("blocks %+v", b)
	}
	if st := ParseStep(t, b[0].Lines[1]); st.Wrap || !bytes.Equal(st.In, []byte{0x84}) || !bytes.Equal(st.Out, []byte{0x80}) {
		t.Fatalf("step %+v", st)
	}
	if st := ParseStep(t, b[1].Lines[0]); !st.Wrap || !st.MACOnly || st.Out != nil {
		t.Fatalf("mac-only step %+v", st)
	}
}
