package sim

import (
	"testing"

	"github.com/cardhost/cardhost/sim/profile"
)

// kaohProfile is a card holding the key set of kaoh/globalplatform's
// scp02Test.c get_status_mac_only (shared/spec/vectors.md §2): keys 40..4F,
// KVN 01, KDD 000074746E6E6E626262, sequence counter 069F.
func kaohProfile(t testing.TB) *profile.Profile {
	p := profile.Default()
	p.KVN = 0x01
	p.KDD = h(t, "000074746E6E6E626262")
	p.SequenceCounter = 0x069F
	return p
}

func TestSCP02_KaohTranscript(t *testing.T) {
	c := New(kaohProfile(t), WithRand(fixedRand(h(t, "AA2A0591E733"))))
	steps := []struct{ name, capdu, want string }{
		{"INITIALIZE UPDATE", "8050000008D5AD539A60CA5E7200",
			"000074746E6E6E626262" + "01" + "02" + "069F" + "AA2A0591E733" + "67DD78794D04315E" + "9000"},
		{"EXTERNAL AUTHENTICATE", "8482010010" + "7C799B3C771DBAE6" + "BEF49310977617BA", "9000"},
	}
	for _, s := range steps {
		if got := send(t, c, s.capdu); got != s.want {
			t.Fatalf("%s: %s → %s, want %s", s.name, s.capdu, got, s.want)
		}
	}
	// The transcript's GET STATUS (P1=20) with its C-MAC is accepted; this
	// card holds one load file, the SD package.
	got := send(t, c, "84F220020A4F00BB6E71C0EFCFCF0D00")
	want := "E3" + "1B" + "4F07A0000001515350" + "9F700101" + "CE02FFFF" + "CC08A000000151000000" + "9000"
	if got != want {
		t.Fatalf("GET STATUS → %s, want %s", got, want)
	}
	// The SCP02 counter moved on with the session and is persistent.
	if n := c.Snapshot().ISD().Domain.KeySets[0].Counter; n != 0x06A0 {
		t.Errorf("sequence counter %04X, want 06A0", n)
	}
}

func TestSecureChannel_Negative(t *testing.T) {
	t.Run("GP command without session is 6982", func(t *testing.T) {
		c := newTestCard(t)
		for _, capdu := range []string{"80F28002024F0000", "80E400000A4F08A000000151000000", "80D80081" + "00", "80E6020000", "80E2800000"} {
			expectSW(t, c, capdu, "6982")
		}
	})
	t.Run("wrong host cryptogram counts and blocks", func(t *testing.T) {
		p := profile.Default()
		p.AuthFailureLimit = 3
		c := New(p)
		for i := 0; i < 3; i++ {
			expectSW(t, c, "80500000080102030405060708", "9000")
			expectSW(t, c, "84820100100000000000000000"+"0000000000000000", "6982")
		}
		if n := c.Snapshot().ISD().Domain.AuthFailures; n != 3 {
			t.Fatalf("AuthFailures = %d, want 3", n)
		}
		expectSW(t, c, "80500000080102030405060708", "6983")
		c.Reset()
		expectSW(t, c, "80500000080102030405060708", "6983") // persistent
	})
	t.Run("success resets the failure count", func(t *testing.T) {
		c := newTestCard(t)
		expectSW(t, c, "80500000080102030405060708", "9000")
		expectSW(t, c, "848201001000000000000000000000000000000000", "6982")
		newHost(t, c).open(0)
		if n := c.Snapshot().ISD().Domain.AuthFailures; n != 0 {
			t.Fatalf("AuthFailures = %d, want 0", n)
		}
	})
	t.Run("EXTERNAL AUTHENTICATE without INITIALIZE UPDATE", func(t *testing.T) {
		expectSW(t, newTestCard(t), "848201001000000000000000000000000000000000", "6985")
	})
	t.Run("unknown KVN", func(t *testing.T) {
		expectSW(t, newTestCard(t), "80507000080102030405060708", "6A88")
	})
	t.Run("INITIALIZE UPDATE with interindustry class", func(t *testing.T) {
		expectSW(t, newTestCard(t), "00500000080102030405060708", "6E00")
	})
	t.Run("plain command in a C-MAC session ends it", func(t *testing.T) {
		c := newTestCard(t)
		hs := newHost(t, c)
		hs.open(0)
		expectSW(t, c, "80F28002024F0000", "6982")
		_, sw := hs.cmd(0xF2, 0x80, 0x02, "4F00")
		if sw != "6982" {
			t.Fatalf("after the session ended: %s, want 6982", sw)
		}
	})
	t.Run("wrong C-MAC ends the session", func(t *testing.T) {
		c := newTestCard(t)
		hs := newHost(t, c)
		hs.open(0)
		expectSW(t, c, "84F280020A4F000000000000000000", "6982")
		expectSW(t, c, "84F280020A4F000000000000000000", "6982")
	})
	t.Run("SELECT ends the session", func(t *testing.T) {
		c := newTestCard(t)
		hs := newHost(t, c)
		hs.open(0)
		expectSW(t, c, "00A4040000", "9000")
		if _, sw := hs.cmd(0xF2, 0x80, 0x02, "4F00"); sw != "6982" {
			t.Fatalf("after SELECT: %s, want 6982", sw)
		}
	})
	t.Run("reset ends the session", func(t *testing.T) {
		c := newTestCard(t)
		hs := newHost(t, c)
		hs.open(0)
		c.Reset()
		if _, sw := hs.cmd(0xF2, 0x80, 0x02, "4F00"); sw != "6982" {
			t.Fatalf("after reset: %s, want 6982", sw)
		}
	})
}
