package scp03card

import (
	"bytes"
	"testing"

	"github.com/cardhost/cardhost/gpcard/sw"
	"github.com/cardhost/cardhost/sim/scp/internal/scptest"
)

// No public transcript covers S16 or AES-256 sessions; these run the card
// against the test host validated on the kaoh transcripts.
func TestRoundTrip_KeyLengthsAndS16(t *testing.T) {
	aid := scptest.Unhex(t, "A000000151000000")
	for _, tc := range []struct {
		name   string
		keyLen int
		i      byte
		level  byte
	}{
		{"AES-128 i=00 level 01", 16, 0x00, 0x01},
		{"AES-128 i=20 level 13", 16, 0x20, 0x13},
		{"AES-192 i=30 level 11", 24, 0x30, 0x11},
		{"AES-256 i=60 level 33", 32, 0x60, 0x33},
		{"AES-256 S16 i=71 level 33", 32, 0x71, 0x33},
		{"AES-128 S16 i=01 level 03", 16, 0x01, 0x03},
		{"AES-192 i=10 level 00", 24, 0x10, 0x00},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ks := KeySet{KVN: 0x31, I: tc.i, ENC: bytes.Repeat([]byte{0x4E}, tc.keyLen), MAC: bytes.Repeat([]byte{0x4D}, tc.keyLen), Counter: 7}
			n := 8
			if tc.i&iS16 != 0 {
				n = 16
			}
			hostChal := bytes.Repeat([]byte{0xA5}, n)
			init := append(append([]byte{0x80, 0x50, 0x31, 0x00, byte(n)}, hostChal...), 0x00)
			card := bytes.Repeat([]byte{0x3C}, n)
			s := New(Options{Rand: bytes.NewReader(card)})
			r := s.Begin(init, ks, aid)
			wantLen := 13 + 2*n
			if tc.i&iPseudoRandom != 0 {
				wantLen += 3
			}
			if r.SW != sw.OK || len(r.Data) != wantLen {
				t.Fatalf("Begin = %04X, %d bytes; want 9000, %d", r.SW, len(r.Data), wantLen)
			}
			if tc.i&iPseudoRandom == 0 && !bytes.Equal(r.Data[13:13+n], card) {
				t.Fatalf("card challenge %X is not the one from Rand", r.Data[13:13+n])
			}
			h := newTestHost(t, ks, r.Data, hostChal)
			if a := s.ExternalAuthenticate(h.externalAuthenticate(t, tc.level)); a.SW != sw.OK {
				t.Fatalf("EXTERNAL AUTHENTICATE = %04X", a.SW)
			}
			cmds := [][]byte{
				scptest.Unhex(t, "80F24000"),         // no data: the counter still moves
				scptest.Unhex(t, "80E2900003DF0101"), // 3 bytes
				append(scptest.Unhex(t, "80E8000010"), bytes.Repeat([]byte{0x11}, 16)...),
				append(scptest.Unhex(t, "80E80001DF"), bytes.Repeat([]byte{0x22}, 0xDF)...),
			}
			for _, plain := range cmds {
				wrapped := plain
				if tc.level&0x01 != 0 {
					wrapped = h.wrap(t, plain)
				}
				got, st := s.Unwrap(wrapped)
				if st != sw.OK || !bytes.Equal(got, plain) {
					t.Fatalf("Unwrap(%X) = %X %04X, want %X", wrapped, got, st, plain)
				}
				resp := append(bytes.Repeat([]byte{0x5A}, len(plain)%40), 0x90, 0x00)
				out := s.Wrap(resp)
				if tc.level&0x10 == 0 {
					if !bytes.Equal(out, resp) {
						t.Fatalf("Wrap without R-MAC changed %X to %X", resp, out)
					}
					continue
				}
				if back := h.unwrapResponse(t, out); !bytes.Equal(back, resp) {
					t.Fatalf("response %X unwraps to %X, want %X", out, back, resp)
				}
			}
		})
	}
}

func TestBegin_PseudoRandomChallengeIsDeterministic(t *testing.T) {
	tr := transcriptNamed(t, "delete_application")
	a := New(Options{}).Begin(tr.init, tr.ks, tr.aid)
	b := New(Options{}).Begin(tr.init, tr.ks, tr.aid)
	if !bytes.Equal(a.Data, b.Data) {
		t.Fatal("pseudo-random mode answered differently for the same counter")
	}
	other := New(Options{}).Begin(tr.init, tr.ks, scptest.Unhex(t, "A0000001515350"))
	if bytes.Equal(a.Data[13:21], other.Data[13:21]) {
		t.Fatal("card challenge does not depend on the AID")
	}
}

func TestBegin_RandFailure_6F00(t *testing.T) {
	tr := transcriptNamed(t, "send_apdu_rmac_rencryption")
	r := New(Options{Rand: bytes.NewReader(nil)}).Begin(tr.init, tr.ks, tr.aid)
	if r.SW != sw.NoPreciseDiagnosis {
		t.Fatalf("= %04X, want 6F00", r.SW)
	}
}
