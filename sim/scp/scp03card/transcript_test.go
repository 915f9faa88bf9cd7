package scp03card

import (
	"bytes"
	"strconv"
	"testing"

	"github.com/cardhost/cardhost/sim/scp/internal/scptest"
)

// transcript is one "test" block of testdata/kaoh-scp03.txt.
type transcript struct {
	name       string
	ks         KeySet
	aid, rand  []byte
	init, resp []byte
	auth       []byte
	authSW     uint16
	steps      []scptest.Step // unwrap and wrap steps in file order
}

func loadTranscripts(t testing.TB) []transcript {
	t.Helper()
	var all []transcript
	for _, b := range scptest.ReadBlocks(t, "testdata/kaoh-scp03.txt") {
		tr := transcript{name: b.Name}
		for _, l := range b.Lines {
			switch l.Key {
			case "enc":
				tr.ks.ENC = scptest.Unhex(t, l.Val)
			case "mac":
				tr.ks.MAC = scptest.Unhex(t, l.Val)
			case "kvn":
				tr.ks.KVN = scptest.Unhex(t, l.Val)[0]
			case "i":
				tr.ks.I = scptest.Unhex(t, l.Val)[0]
			case "kdd":
				copy(tr.ks.KDD[:], scptest.Unhex(t, l.Val))
			case "counter":
				v, err := strconv.ParseUint(l.Val, 16, 32)
				if err != nil {
					t.Fatal(err)
				}
				tr.ks.Counter = uint32(v)
			case "aid":
				tr.aid = scptest.Unhex(t, l.Val)
			case "rand":
				tr.rand = scptest.Unhex(t, l.Val)
			case "init":
				tr.init = scptest.Unhex(t, l.Val)
			case "resp":
				tr.resp = scptest.Unhex(t, l.Val)
			case "auth":
				tr.auth = scptest.Unhex(t, l.Val)
			case "authsw":
				v, _ := strconv.ParseUint(l.Val, 16, 16)
				tr.authSW = uint16(v)
			case "unwrap", "wrap":
				tr.steps = append(tr.steps, scptest.ParseStep(t, l))
			default:
				t.Fatalf("unknown key %q", l.Key)
			}
		}
		all = append(all, tr)
	}
	if len(all) != 6 {
		t.Fatalf("read %d transcripts, want 6", len(all))
	}
	return all
}

func transcriptNamed(t testing.TB, name string) transcript {
	t.Helper()
	return scptest.Named(t, loadTranscripts(t), func(tr transcript) string { return tr.name }, name)
}

// openTranscript runs INITIALIZE UPDATE and EXTERNAL AUTHENTICATE of tr and
// checks them byte for byte.
func openTranscript(t testing.TB, tr transcript) *Session {
	t.Helper()
	s := New(Options{Rand: bytes.NewReader(tr.rand)})
	r := s.Begin(tr.init, tr.ks, tr.aid)
	if got := r.Bytes(); !bytes.Equal(got, tr.resp) {
		t.Fatalf("INITIALIZE UPDATE response\n got %X\nwant %X", got, tr.resp)
	}
	pseudo := tr.ks.I&iPseudoRandom != 0
	if r.CounterChanged != pseudo || (pseudo && r.Counter != tr.ks.Counter+1) {
		t.Fatalf("counter = %06X changed=%v, want %06X changed=%v", r.Counter, r.CounterChanged, tr.ks.Counter+1, pseudo)
	}
	if a := s.ExternalAuthenticate(tr.auth); a.SW != tr.authSW || a.AuthFailed {
		t.Fatalf("EXTERNAL AUTHENTICATE = %04X (failed=%v), want %04X", a.SW, a.AuthFailed, tr.authSW)
	}
	if want := Authenticated | Level(tr.auth[2]); s.Level() != want {
		t.Fatalf("Level = %02X, want %02X", s.Level(), want)
	}
	return s
}

func TestTranscripts_Kaoh(t *testing.T) {
	for _, tr := range loadTranscripts(t) {
		t.Run("kaoh/"+tr.name, func(t *testing.T) {
			scptest.Replay(t, openTranscript(t, tr), tr.steps)
		})
	}
}
