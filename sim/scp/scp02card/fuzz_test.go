package scp02card

import (
	"bytes"
	"testing"

	"github.com/cardhost/cardhost/gpcard/sw"
	"github.com/cardhost/cardhost/sim/scp/internal/scptest"
)

// FuzzCardSCP02 feeds arbitrary APDU sequences (each preceded by its length; a
// zero length asks for Reset) to a card session routed like the card manager
// routes them, for an explicit (i=15) or implicit (i=1A) key set, and checks
// that nothing panics and the session invariants hold.
func FuzzCardSCP02(f *testing.F) {
	for _, tr := range loadTranscripts(f) {
		f.Add(false, scptest.Seed(tr.init, tr.auth, tr.steps))
	}
	f.Add(true, scptest.Frame([]byte{0x84, 0xF2, 0x40, 0x02, 0x08, 1, 2, 3, 4, 5, 6, 7, 8}, nil))
	tr := transcriptNamed(f, "install_mac_enc")
	f.Fuzz(func(t *testing.T, implicit bool, in []byte) {
		ks := tr.ks
		if implicit {
			ks.I = 0x1A
		}
		s := New(Options{Rand: scptest.ConstReader(0x5A)})
		for cmd := range scptest.APDUs(in) {
			if len(cmd) == 0 {
				s.Reset()
				continue
			}
			switch {
			case len(cmd) > 1 && cmd[1] == 0x50:
				if r := s.Begin(cmd, ks, tr.aid); (r.SW == sw.OK) != (len(r.Data) == 28) {
					t.Fatalf("Begin %X = %+v", cmd, r)
				}
			case len(cmd) > 1 && cmd[1] == 0x82:
				if r := s.ExternalAuthenticate(cmd); r.SW != sw.OK && s.Level() != 0 {
					t.Fatalf("failed EXTERNAL AUTHENTICATE left level %02X", s.Level())
				}
			case implicit && s.Level() == 0 && cmd[0]&0x04 != 0:
				if plain, r := s.BeginImplicit(cmd, ks, tr.aid); (r.SW == sw.OK) != (plain != nil) {
					t.Fatalf("BeginImplicit %X = %X %+v", cmd, plain, r)
				}
			default:
				plain, st := s.Unwrap(cmd)
				if (st == sw.OK) != (plain != nil) {
					t.Fatalf("Unwrap %X = %X, %04X", cmd, plain, st)
				}
				if len(s.Wrap(append(bytes.Repeat([]byte{0x61}, len(cmd)%32), 0x90, 0x00))) < 2 {
					t.Fatal("Wrap returned less than a status word")
				}
			}
			if l := s.Level(); l != 0 && !l.Has(Authenticated) {
				t.Fatalf("level %02X without Authenticated", l)
			}
		}
	})
}
