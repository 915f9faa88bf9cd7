package scp03card

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/cardhost/cardhost/gpcard/sw"
)

// transcript is one "test" block of testdata/kaoh-scp03.txt.
type transcript struct {
	name       string
	ks         KeySet
	aid, rand  []byte
	init, resp []byte
	auth       []byte
	authSW     uint16
	steps      []step // unwrap and wrap steps in file order
}

type step struct {
	wrap    bool // false: unwrap
	in, out []byte
}

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

func loadTranscripts(t testing.TB) []transcript {
	t.Helper()
	f, err := os.Open("testdata/kaoh-scp03.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var all []transcript
	var cur *transcript
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, val, _ := strings.Cut(line, " ")
		if key == "test" {
			all = append(all, transcript{name: val})
			cur = &all[len(all)-1]
			continue
		}
		if cur == nil {
			t.Fatalf("line %q outside a test block", line)
		}
		switch key {
		case "enc":
			cur.ks.ENC = unhex(t, val)
		case "mac":
			cur.ks.MAC = unhex(t, val)
		case "kvn":
			cur.ks.KVN = unhex(t, val)[0]
		case "i":
			cur.ks.I = unhex(t, val)[0]
		case "kdd":
			copy(cur.ks.KDD[:], unhex(t, val))
		case "counter":
			v, err := strconv.ParseUint(val, 16, 32)
			if err != nil {
				t.Fatal(err)
			}
			cur.ks.Counter = uint32(v)
		case "aid":
			cur.aid = unhex(t, val)
		case "rand":
			cur.rand = unhex(t, val)
		case "init":
			cur.init = unhex(t, val)
		case "resp":
			cur.resp = unhex(t, val)
		case "auth":
			cur.auth = unhex(t, val)
		case "authsw":
			v, _ := strconv.ParseUint(val, 16, 16)
			cur.authSW = uint16(v)
		case "unwrap", "wrap":
			in, out, ok := strings.Cut(val, "=")
			if !ok {
				t.Fatalf("step %q has no '='", line)
			}
			cur.steps = append(cur.steps, step{wrap: key == "wrap", in: unhex(t, in), out: unhex(t, out)})
		case "end":
			cur = nil
		default:
			t.Fatalf("unknown key %q", key)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(all) != 6 {
		t.Fatalf("read %d transcripts, want 6", len(all))
	}
	return all
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
			s := openTranscript(t, tr)
			for n, st := range tr.steps {
				if st.wrap {
					if got := s.Wrap(st.in); !bytes.Equal(got, st.out) {
						t.Fatalf("step %d Wrap\n got %X\nwant %X", n, got, st.out)
					}
					continue
				}
				got, status := s.Unwrap(st.in)
				if status != sw.OK || !bytes.Equal(got, st.out) {
					t.Fatalf("step %d Unwrap = %X, %04X\nwant %X, 9000", n, got, status, st.out)
				}
			}
		})
	}
}
