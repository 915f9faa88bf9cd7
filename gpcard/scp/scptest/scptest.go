// Package scptest provides scripted card transports for tests of host code
// that speaks to a card through a reader.Transport: Script checks every
// command against a transcript, Recorder answers fixed replies and records
// what was sent, Replay answers recorded responses for runnable examples.
package scptest

import (
	"bytes"
	"context"
	"encoding/hex"
	"strings"
	"sync"
	"testing"

	"github.com/cardhost/cardhost/reader"
	"github.com/skythen/apdu"
)

var (
	_ reader.Transport = (*Script)(nil)
	_ reader.Transport = (*Recorder)(nil)
	_ reader.Transport = (*Replay)(nil)
)

// Step is one expected exchange of a scripted card.
type Step struct {
	Name      string // what the step is, shown on a mismatch
	WantCAPDU string // hex of the expected command; spaces ignored
	Reply     string // hex of the R-APDU including SW; spaces ignored
}

// Script is a reader.Transport that fails the test on the first mismatched or
// extra APDU and, at cleanup, on missing ones. It is safe for concurrent use.
type Script struct {
	t     testing.TB
	mu    sync.Mutex
	steps []Step
	n     int
}

// New returns a Script expecting steps in order.
func New(t testing.TB, steps ...Step) *Script {
	s := &Script{t: t, steps: steps}
	t.Cleanup(func() {
		if s.n != len(s.steps) && !t.Failed() {
			t.Errorf("script: %d of %d APDUs sent; missing %q", s.n, len(s.steps), s.steps[s.n].Name)
		}
	})
	return s
}

// Sent returns how many APDUs the script has answered.
func (s *Script) Sent() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n
}

// Transmit checks c against the next step and returns its reply.
func (s *Script) Transmit(_ context.Context, c []byte) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.t.Helper()
	if s.n >= len(s.steps) {
		s.t.Fatalf("script: extra APDU %X", c)
	}
	st := s.steps[s.n]
	s.n++
	if want := Hex(s.t, st.WantCAPDU); !bytes.Equal(c, want) {
		s.t.Fatalf("script step %q:\n got  %X\n want %X", st.Name, c, want)
	}
	return Hex(s.t, st.Reply), nil
}

// ATR returns a fixed minimal ATR.
func (s *Script) ATR() []byte { return []byte{0x3B, 0x00} }

// Reset does nothing.
func (s *Script) Reset(context.Context) error { return nil }

// Close does nothing.
func (s *Script) Close() error { return nil }

// Recorder answers with fixed replies (hex, spaces ignored) and records what
// was sent, for flows whose commands have no independent transcript; it
// fails the test on an APDU beyond its replies. Not safe for concurrent use.
type Recorder struct {
	T       testing.TB
	Replies []string
	Sent    [][]byte
}

// Transmit records c and returns the next reply.
func (r *Recorder) Transmit(_ context.Context, c []byte) ([]byte, error) {
	if len(r.Sent) >= len(r.Replies) {
		r.T.Fatalf("extra APDU %X", c)
	}
	r.Sent = append(r.Sent, append([]byte(nil), c...))
	return Hex(r.T, r.Replies[len(r.Sent)-1]), nil
}

// ATR returns nil.
func (r *Recorder) ATR() []byte { return nil }

// Reset does nothing.
func (r *Recorder) Reset(context.Context) error { return nil }

// Close does nothing.
func (r *Recorder) Close() error { return nil }

// Replay answers each command with the next recorded response, without
// checking the command; runnable examples use it where no testing.TB exists.
// Past its last response it answers 6F00.
type Replay [][]byte

// NewReplay returns a Replay of hex responses (spaces ignored); it panics on
// bad hex, which is a programmer error in an example.
func NewReplay(responses ...string) *Replay {
	r := make(Replay, len(responses))
	for i, s := range responses {
		b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
		if err != nil {
			panic("scptest: bad hex in NewReplay")
		}
		r[i] = b
	}
	return &r
}

// Transmit returns the next recorded response.
func (r *Replay) Transmit(_ context.Context, _ []byte) ([]byte, error) {
	if len(*r) == 0 {
		return []byte{0x6F, 0x00}, nil
	}
	out := (*r)[0]
	*r = (*r)[1:]
	return out, nil
}

// ATR returns nil.
func (r *Replay) ATR() []byte { return nil }

// Reset does nothing.
func (r *Replay) Reset(context.Context) error { return nil }

// Close does nothing.
func (r *Replay) Close() error { return nil }

// Hex decodes s (spaces ignored) or fails the test.
func Hex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

// Capdu parses a hex command APDU (spaces ignored) with its data copied, or
// fails the test.
func Capdu(t testing.TB, s string) apdu.Capdu {
	t.Helper()
	c, err := apdu.ParseCapdu(Hex(t, s))
	if err != nil {
		t.Fatal(err)
	}
	return apdu.Capdu{Cla: c.Cla, Ins: c.Ins, P1: c.P1, P2: c.P2, Data: append([]byte(nil), c.Data...), Ne: c.Ne}
}
