package scp03card

import (
	"bytes"
	"testing"

	"github.com/cardhost/cardhost/gpcard/sw"
	"github.com/cardhost/cardhost/sim/scp/internal/scptest"
)

// FuzzCardSCP03 feeds arbitrary APDU sequences to a card session, routed the
// way the card manager routes them, and checks that nothing panics and the
// session invariants hold.
func FuzzCardSCP03(f *testing.F) {
	for _, tr := range loadTranscripts(f) {
		f.Add(tr.name == "get_status_aes_192", scptest.Seed(tr.init, tr.auth, tr.steps))
	}
	f.Add(false, scptest.Frame([]byte{0x84, 0x82, 0x33, 0x00}, nil, []byte{0x80, 0x50, 0x00, 0x00, 0x00}))
	enc := transcriptNamed(f, "get_status_enc_mac")
	aes192 := transcriptNamed(f, "get_status_aes_192")
	f.Fuzz(func(t *testing.T, useAES192 bool, in []byte) {
		tr := enc
		if useAES192 {
			tr = aes192
		}
		s := New(Options{Rand: scptest.ConstReader(0xC3)})
		for cmd := range scptest.APDUs(in) {
			if len(cmd) == 0 {
				s.Reset()
				continue
			}
			switch {
			case len(cmd) > 1 && cmd[1] == 0x50:
				r := s.Begin(cmd, tr.ks, tr.aid)
				if (r.SW == sw.OK) != (len(r.Data) > 0) {
					t.Fatalf("Begin %X: SW %04X with %d data bytes", cmd, r.SW, len(r.Data))
				}
			case len(cmd) > 1 && cmd[1] == 0x82:
				if r := s.ExternalAuthenticate(cmd); r.SW != sw.OK && s.Level() != 0 {
					t.Fatalf("failed EXTERNAL AUTHENTICATE left level %02X", s.Level())
				}
			default:
				plain, st := s.Unwrap(cmd)
				if (st == sw.OK) != (plain != nil) {
					t.Fatalf("Unwrap %X = %X, %04X", cmd, plain, st)
				}
				if st != sw.OK && s.Level() != 0 && cmd[0]&0x04 != 0 {
					t.Fatalf("failed secured command left level %02X", s.Level())
				}
				out := s.Wrap(append(bytes.Repeat([]byte{0x61}, len(cmd)%32), 0x90, 0x00))
				if len(out) < 2 {
					t.Fatalf("Wrap returned %X", out)
				}
			}
			if l := s.Level(); l != 0 && !l.Has(Authenticated) {
				t.Fatalf("level %02X without Authenticated", l)
			}
		}
	})
}
