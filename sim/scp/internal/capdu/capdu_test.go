package capdu

import (
	"bytes"
	"encoding/hex"
	"testing"

	"github.com/cardhost/cardhost/gpcard/sw"
)

func TestParse_Cases(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     uint16
		data     string
		hasLe    bool
	}{
		{"case 1", "80F24002", sw.OK, "", false},
		{"case 2", "80CA006600", sw.OK, "", true},
		{"case 3", "80E400800A4F08A00100015141434C", sw.OK, "4F08A00100015141434C", false},
		{"case 4", "80F22002024F0000", sw.OK, "4F00", true},
		{"too short", "80F240", sw.WrongLength, "", false},
		{"Lc too big", "80F22002054F0000", sw.WrongLength, "", false},
		{"extended", "80F2200200000100", sw.WrongLength, "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in, _ := hex.DecodeString(tc.in)
			c, status := Parse(in)
			if status != tc.want {
				t.Fatalf("status %04X, want %04X", status, tc.want)
			}
			if status != sw.OK {
				return
			}
			if hex.EncodeToString(c.Data) != hex.EncodeToString(mustHex(tc.data)) || c.HasLe != tc.hasLe {
				t.Fatalf("parsed %+v", c)
			}
			if !bytes.Equal(c.Bytes(), in) {
				t.Fatalf("Bytes() = %X, want %X", c.Bytes(), in)
			}
		})
	}
	if _, st := Parse(make([]byte, MaxShort+1)); st != sw.WrongLength {
		t.Fatal("oversized APDU accepted")
	}
}

func mustHex(s string) []byte {
	b, _ := hex.DecodeString(s)
	return b
}

func TestSMBit(t *testing.T) {
	for cla, want := range map[byte]bool{0x80: false, 0x84: true, 0x87: true, 0xC0: false, 0xC4: false, 0xE4: true, 0x00: false, 0x0C: true} {
		if Secured(cla) != want {
			t.Errorf("Secured(%02X) = %v, want %v", cla, !want, want)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add(mustHex("80F22002024F0000"))
	f.Add(mustHex("84E4008018BC146FA0403BE4BAD3BC089E4ABD8674DA7EFEA21047B85800"))
	f.Fuzz(func(t *testing.T, in []byte) {
		c, status := Parse(in)
		if status != sw.OK {
			return
		}
		// Re-encoding is canonical; parsing it again gives the same command.
		again, st := Parse(c.Bytes())
		if st != sw.OK || !bytes.Equal(again.Bytes(), c.Bytes()) {
			t.Fatalf("%X re-parses to %X (%04X)", c.Bytes(), again.Bytes(), st)
		}
	})
}
