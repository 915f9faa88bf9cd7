package scptest

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"iter"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/cardhost/cardhost/gpcard/sw"
)

// Unhex decodes hex digits, ignoring spaces, and fails t on bad input.
func Unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

// Flip returns a copy of b with the low bit of byte i inverted.
func Flip(b []byte, i int) []byte {
	out := append([]byte(nil), b...)
	out[i] ^= 0x01
	return out
}

// ConstReader is an io.Reader that returns its byte forever: a pinned
// source of card challenges.
type ConstReader byte

// Read fills p with c.
func (c ConstReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(c)
	}
	return len(p), nil
}

// Frame joins APDUs into the fuzz input format of the card sessions: each
// preceded by its length (at most 255 bytes; a zero length asks for Reset).
func Frame(apdus ...[]byte) []byte {
	var out []byte
	for _, a := range apdus {
		out = append(append(out, byte(len(a))), a...)
	}
	return out
}

// APDUs splits a fuzz input in Frame's format: each element is the next
// APDU (empty for a Reset). A length byte larger than what remains takes
// what remains.
func APDUs(in []byte) iter.Seq[[]byte] {
	return func(yield func([]byte) bool) {
		for len(in) > 0 {
			n := min(int(in[0]), len(in)-1)
			cmd := in[1 : 1+n]
			in = in[1+n:]
			if !yield(cmd) {
				return
			}
		}
	}
}

// Line is one "key value" line of a transcript block.
type Line struct {
	Key, Val string
}

// Block is one "test NAME" … "end" block of a transcript file, its lines in
// file order.
type Block struct {
	Name  string
	Lines []Line
}

// ReadBlocks reads a transcript file of the testdata: blank lines and lines
// starting with # are skipped, "test NAME" opens a block, "end" closes it,
// and every other line is "key value" inside a block (else t fails).
func ReadBlocks(t testing.TB, path string) []Block {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var all []Block
	var cur *Block
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, val, _ := strings.Cut(line, " ")
		switch {
		case key == "test":
			all = append(all, Block{Name: val})
			cur = &all[len(all)-1]
		case cur == nil:
			t.Fatalf("line %q outside a test block", line)
		case key == "end":
			cur = nil
		default:
			cur.Lines = append(cur.Lines, Line{Key: key, Val: val})
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return all
}

// Step is one "unwrap IN = OUT" or "wrap IN = OUT" line of a transcript, in
// hex. "unwrap IN = mac" (MACOnly) says the command is accepted and its
// plaintext is authenticated by the C-MAC only (Out is empty).
type Step struct {
	Wrap    bool // false: Unwrap
	In, Out []byte
	MACOnly bool
}

// ParseStep decodes an "unwrap" or "wrap" line.
func ParseStep(t testing.TB, l Line) Step {
	t.Helper()
	in, out, ok := strings.Cut(l.Val, "=")
	if !ok {
		t.Fatalf("step %q has no '='", l.Key+" "+l.Val)
	}
	st := Step{Wrap: l.Key == "wrap", In: Unhex(t, in)}
	if strings.TrimSpace(out) == "mac" {
		st.MACOnly = true
	} else {
		st.Out = Unhex(t, out)
	}
	return st
}

// Replay runs steps on an open session s in order and fails t on the first
// Wrap or Unwrap whose output differs from the step's. A MACOnly step must
// unwrap to a plain command (CLA 80, the transcripts' class) with the same
// INS, shorter than the secured one.
func Replay(t testing.TB, s Channel, steps []Step) {
	t.Helper()
	for n, st := range steps {
		if st.Wrap {
			if got := s.Wrap(st.In); !bytes.Equal(got, st.Out) {
				t.Fatalf("step %d Wrap\n got %X\nwant %X", n, got, st.Out)
			}
			continue
		}
		got, status := s.Unwrap(st.In)
		if status != sw.OK || (!st.MACOnly && !bytes.Equal(got, st.Out)) {
			t.Fatalf("step %d Unwrap = %X, %04X\nwant %X, 9000", n, got, status, st.Out)
		}
		if st.MACOnly && (got[0] != 0x80 || got[1] != st.In[1] || len(got) >= len(st.In)) {
			t.Fatalf("step %d Unwrap = %X: not a plain form of %X", n, got, st.In)
		}
	}
}

// Seed is a fuzz seed in Frame's format: init, auth, then the commands of the
// unwrap steps that fit a length byte.
func Seed(init, auth []byte, steps []Step) []byte {
	apdus := [][]byte{init, auth}
	for _, st := range steps {
		if !st.Wrap && len(st.In) < 256 {
			apdus = append(apdus, st.In)
		}
	}
	return Frame(apdus...)
}

// Named returns the element of all whose name is want, or fails t.
func Named[T any](t testing.TB, all []T, name func(T) string, want string) T {
	t.Helper()
	for _, v := range all {
		if name(v) == want {
			return v
		}
	}
	t.Fatalf("no transcript %q", want)
	var zero T
	return zero
}

// Channel is what BenchUnwrapWrap drives: a card-side Session.
type Channel interface {
	Unwrap(cmd []byte) ([]byte, uint16)
	Wrap(rapdu []byte) []byte
}

// BenchUnwrapWrap measures Unwrap of cmds[i] followed by Wrap of resp, for
// i up to b.N (len(cmds) must be b.N: each command carries the next MAC of the
// chain). A command that does not unwrap with 9000 fails b.
func BenchUnwrapWrap(b *testing.B, s Channel, cmds [][]byte, resp []byte) {
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if _, st := s.Unwrap(cmds[i]); st != sw.OK {
			b.Fatalf("command %d: %04X", i, st)
		}
		s.Wrap(resp)
	}
}

// CheckNoHostCode enforces the simulator rule of DESIGN.md on the package in
// the current directory: the card side may use the leaf packages gpcrypto
// and sw, never host protocol code.
func CheckNoHostCode(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, p := range strings.Fields(string(out)) {
		if strings.Contains(p, "/cardhost/gpcard/") && !strings.HasSuffix(p, "/gpcard/gpcrypto") && !strings.HasSuffix(p, "/gpcard/sw") {
			t.Errorf("imports host package %s", p)
		}
	}
}
