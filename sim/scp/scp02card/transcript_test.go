package scp02card

import (
	"bytes"
	"strconv"
	"testing"

	"github.com/cardhost/cardhost/gpcard/sw"
	"github.com/cardhost/cardhost/sim/scp/internal/scptest"
)

// transcript is one "test" block of testdata/kaoh-scp02.txt.
type transcript struct {
	name             string
	ks               KeySet
	aid, rand        []byte
	init, resp, auth []byte
	steps            []scptest.Step
}

func loadTranscripts(t testing.TB) []transcript {
	t.Helper()
	var all []transcript
	for _, b := range scptest.ReadBlocks(t, "testdata/kaoh-scp02.txt") {
		tr := transcript{name: b.Name}
		for _, l := range b.Lines {
			switch l.Key {
			case "key":
				k := scptest.Unhex(t, l.Val)
				tr.ks.ENC, tr.ks.MAC, tr.ks.DEK = k, k, k
			case "kvn":
				tr.ks.KVN = scptest.Unhex(t, l.Val)[0]
			case "i":
				tr.ks.I = scptest.Unhex(t, l.Val)[0]
			case "kdd":
				copy(tr.ks.KDD[:], scptest.Unhex(t, l.Val))
			case "counter":
				v, err := strconv.ParseUint(l.Val, 16, 16)
				if err != nil {
					t.Fatal(err)
				}
				tr.ks.Counter = uint16(v)
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
			case "unwrap", "wrap":
				tr.steps = append(tr.steps, scptest.ParseStep(t, l))
			default:
				t.Fatalf("unknown key %q", l.Key)
			}
		}
		all = append(all, tr)
	}
	if len(all) != 2 {
		t.Fatalf("read %d transcripts, want 2", len(all))
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
	if got := r.Bytes(); !bytes.Equal(got, tr.resp) || r.CounterChanged {
		t.Fatalf("INITIALIZE UPDATE response (counter changed %v)\n got %X\nwant %X", r.CounterChanged, got, tr.resp)
	}
	a := s.ExternalAuthenticate(tr.auth)
	if a.SW != sw.OK || a.AuthFailed || !a.CounterChanged || a.Counter != tr.ks.Counter+1 {
		t.Fatalf("EXTERNAL AUTHENTICATE = %+v, want 9000 and counter %04X", a, tr.ks.Counter+1)
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

// GPPro TestPlaintextKeys via shared/spec/vectors.md §4: SCP02 session keys of
// K at sequence counter 0000, and PUT KEY encryption 3DES-ECB(S-DEK, K).
func TestSessionKeys_GPPro(t *testing.T) {
	k := scptest.Unhex(t, "404142434445464748494A4B4C4D4E4F")
	s := New(Options{Rand: bytes.NewReader(make([]byte, 6))})
	ks := KeySet{KVN: 1, I: 0x15, ENC: k, MAC: k, DEK: k}
	if r := s.Begin(scptest.Unhex(t, "80500000080000000000000000"), ks, nil); r.SW != sw.OK {
		t.Fatalf("Begin = %04X", r.SW)
	}
	for name, c := range map[string]struct{ got, want []byte }{
		"S-ENC":  {s.sENC, scptest.Unhex(t, "010B0371D78377B801F2D62AFC671D95")},
		"S-MAC":  {s.sMAC, scptest.Unhex(t, "D1C28C601652A4770D67AD82D2D2E1C4")},
		"S-DEK":  {s.sDEK, scptest.Unhex(t, "E11987EE331B417A5D67D760692F89D4")},
		"S-RMAC": {s.sRMAC, scptest.Unhex(t, "FFAEC7EC7FAD69F9FBFF093BF2F79C45")},
	} {
		if !bytes.Equal(c.got, c.want) {
			t.Errorf("%s = %X, want %X", name, c.got, c.want)
		}
	}
	h := newTestHost(t, ks, 0, nil)
	if a := s.ExternalAuthenticate(h.externalAuthenticate(t, 0x01, make([]byte, 8), make([]byte, 6))); a.SW != sw.OK {
		t.Fatalf("EXTERNAL AUTHENTICATE = %04X", a.SW)
	}
	got, st := s.DecryptKeyData(scptest.Unhex(t, "EFBEE6C6D99D7B70BDE9D7E927F020AF"))
	if st != sw.OK || !bytes.Equal(got, k) {
		t.Fatalf("DecryptKeyData = %X %04X, want K", got, st)
	}
}
