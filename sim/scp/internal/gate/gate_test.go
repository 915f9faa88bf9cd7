package gate

import (
	"bytes"
	"encoding/hex"
	"testing"

	"github.com/cardhost/cardhost/gpcard/sw"
)

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestAdmit_EveryVerdict(t *testing.T) {
	for _, tc := range []struct {
		name       string
		open, cmac bool
		cmd        string
		want       Verdict
		status     uint16
	}{
		{"no session, plain", false, false, "80CA006600", Pass, sw.OK},
		{"no session, secured", false, false, "84F2400208AABBCCDDEEFF0011", Refuse, sw.SecurityStatus},
		{"malformed", true, true, "84F240", End, sw.WrongLength},
		{"malformed without session", false, false, "80F22002054F0000", End, sw.WrongLength},
		{"C-MAC session, secured", true, true, "84F2400208AABBCCDDEEFF0011", Verify, sw.OK},
		{"C-MAC session, plain", true, true, "80F2400200", End, sw.SecurityStatus},
		{"session without C-MAC, plain", true, false, "80F2400200", Plain, sw.OK},
		{"session without C-MAC, secured", true, false, "84F2400208AABBCCDDEEFF0011", End, sw.SecurityStatus},
		{"further class, secured", true, true, "E4F2400208AABBCCDDEEFF0011", Verify, sw.OK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := mustHex(t, tc.cmd)
			c, v, status := Admit(tc.open, tc.cmac, in)
			if v != tc.want || status != tc.status {
				t.Fatalf("Admit = %d %04X, want %d %04X", v, status, tc.want, tc.status)
			}
			if status == sw.OK && !bytes.Equal(c.Bytes(), in) {
				t.Fatalf("command %X, want %X", c.Bytes(), in)
			}
		})
	}
}

func TestRespond(t *testing.T) {
	in := mustHex(t, "0102039000")
	data, status, out := Respond(true, in)
	if out != nil || status != sw.OK || !bytes.Equal(data, in[:3]) {
		t.Fatalf("protect: %X %04X %X", data, status, out)
	}
	data, _, out = Respond(false, in)
	if data != nil || !bytes.Equal(out, in) || &out[0] == &in[0] {
		t.Fatalf("pass: %X %X (must be a copy)", data, out)
	}
	for _, short := range [][]byte{nil, {0x90}} {
		if _, _, out := Respond(true, short); !bytes.Equal(out, []byte{0x6F, 0x00}) {
			t.Fatalf("Respond(%X) = %X, want 6F00", short, out)
		}
	}
}

func TestInitializeUpdate(t *testing.T) {
	for _, tc := range []struct {
		name, cmd string
		want      uint16
	}{
		{"default key set", "8050000008D5AD539A60CA5E7200", sw.OK},
		{"named key set", "8050200008D5AD539A60CA5E7200", sw.OK},
		{"other KVN", "8050210008D5AD539A60CA5E7200", sw.ReferencedDataNotFound},
		{"P2", "8050200108D5AD539A60CA5E7200", sw.IncorrectP1P2},
		{"secure messaging", "8450200008D5AD539A60CA5E7200", sw.ClaNotSupported},
		{"no data: length is left to the protocol", "80502000", sw.OK},
		{"bad Lc", "805020000AD5AD539A60CA5E7200", sw.WrongLength},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, st := InitializeUpdate(mustHex(t, tc.cmd), 0x20); st != tc.want {
				t.Fatalf("= %04X, want %04X", st, tc.want)
			}
		})
	}
}

func TestExternalAuthenticate(t *testing.T) {
	onlyCMAC := func(l byte) bool { return l == 0x01 }
	for _, tc := range []struct {
		name, cmd string
		want      uint16
	}{
		{"good", "8482010004AABBCCDD", sw.OK},
		{"plain CLA", "8082010004AABBCCDD", sw.SecurityStatus},
		{"level not allowed", "8482030004AABBCCDD", sw.IncorrectP1P2},
		{"P2", "8482010104AABBCCDD", sw.IncorrectP1P2},
		{"data length", "8482010003AABBCC", sw.WrongLength},
		{"malformed", "848201", sw.WrongLength},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, st := ExternalAuthenticate(mustHex(t, tc.cmd), onlyCMAC, 4); st != tc.want {
				t.Fatalf("= %04X, want %04X", st, tc.want)
			}
		})
	}
}
