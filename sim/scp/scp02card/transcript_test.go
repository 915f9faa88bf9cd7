package scp02card

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

// transcript is one "test" block of testdata/kaoh-scp02.txt.
type transcript struct {
	name             string
	ks               KeySet
	aid, rand        []byte
	init, resp, auth []byte
	steps            []step
}

type step struct {
	wrap    bool // false: unwrap
	in, out []byte
	macOnly bool // unwrap accepted; plaintext authenticated by the C-MAC only
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
	f, err := os.Open("testdata/kaoh-scp02.txt")
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
		case "key":
			k := unhex(t, val)
			cur.ks.ENC, cur.ks.MAC, cur.ks.DEK = k, k, k
		case "kvn":
			cur.ks.KVN = unhex(t, val)[0]
		case "i":
			cur.ks.I = unhex(t, val)[0]
		case "kdd":
			copy(cur.ks.KDD[:], unhex(t, val))
		case "counter":
			v, err := strconv.ParseUint(val, 16, 16)
			if err != nil {
				t.Fatal(err)
			}
			cur.ks.Counter = uint16(v)
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
		case "unwrap", "wrap":
			in, out, ok := strings.Cut(val, "=")
			if !ok {
				t.Fatalf("step %q has no '='", line)
			}
			st := step{wrap: key == "wrap", in: unhex(t, in)}
			if strings.TrimSpace(out) == "mac" {
				st.macOnly = true
			} else {
				st.out = unhex(t, out)
			}
			cur.steps = append(cur.steps, st)
		case "end":
			cur = nil
		default:
			t.Fatalf("unknown key %q", key)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 {
		t.Fatalf("read %d transcripts, want 2", len(all))
	}
	return all
}

func transcriptNamed(t testing.TB, name string) transcript {
	t.Helper()
	for _, tr := range loadTranscripts(t) {
		if tr.name == name {
			return tr
		}
	}
	t.Fatalf("no transcript %q", name)
	return transcript{}
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
			s := openTranscript(t, tr)
			for n, st := range tr.steps {
				if st.wrap {
					if got := s.Wrap(st.in); !bytes.Equal(got, st.out) {
						t.Fatalf("step %d Wrap\n got %X\nwant %X", n, got, st.out)
					}
					continue
				}
				got, status := s.Unwrap(st.in)
				if status != sw.OK || (!st.macOnly && !bytes.Equal(got, st.out)) {
					t.Fatalf("step %d Unwrap = %X, %04X\nwant %X, 9000", n, got, status, st.out)
				}
				if st.macOnly && (got[0] != 0x80 || got[1] != st.in[1] || len(got) >= len(st.in)) {
					t.Fatalf("step %d Unwrap = %X: not a plain form of %X", n, got, st.in)
				}
			}
		})
	}
}

// GPPro TestPlaintextKeys via shared/spec/vectors.md §4: SCP02 session keys of
// K at sequence counter 0000, and PUT KEY encryption 3DES-ECB(S-DEK, K).
func TestSessionKeys_GPPro(t *testing.T) {
	k := unhex(t, "404142434445464748494A4B4C4D4E4F")
	s := New(Options{Rand: bytes.NewReader(make([]byte, 6))})
	ks := KeySet{KVN: 1, I: 0x15, ENC: k, MAC: k, DEK: k}
	if r := s.Begin(unhex(t, "80500000080000000000000000"), ks, nil); r.SW != sw.OK {
		t.Fatalf("Begin = %04X", r.SW)
	}
	for name, c := range map[string]struct{ got, want []byte }{
		"S-ENC":  {s.sENC, unhex(t, "010B0371D78377B801F2D62AFC671D95")},
		"S-MAC":  {s.sMAC, unhex(t, "D1C28C601652A4770D67AD82D2D2E1C4")},
		"S-DEK":  {s.sDEK, unhex(t, "E11987EE331B417A5D67D760692F89D4")},
		"S-RMAC": {s.sRMAC, unhex(t, "FFAEC7EC7FAD69F9FBFF093BF2F79C45")},
	} {
		if !bytes.Equal(c.got, c.want) {
			t.Errorf("%s = %X, want %X", name, c.got, c.want)
		}
	}
	h := newTestHost(t, ks, 0, nil)
	if a := s.ExternalAuthenticate(h.externalAuthenticate(t, 0x01, make([]byte, 8), make([]byte, 6))); a.SW != sw.OK {
		t.Fatalf("EXTERNAL AUTHENTICATE = %04X", a.SW)
	}
	got, st := s.DecryptKeyData(unhex(t, "EFBEE6C6D99D7B70BDE9D7E927F020AF"))
	if st != sw.OK || !bytes.Equal(got, k) {
		t.Fatalf("DecryptKeyData = %X %04X, want K", got, st)
	}
}
