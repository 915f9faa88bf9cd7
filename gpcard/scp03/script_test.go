package scp03_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"strings"
	"sync"
	"testing"
)

// step is one expected exchange of a scripted card.
type step struct {
	Name      string
	WantCAPDU string // hex; spaces ignored
	Reply     string // hex R-APDU incl. SW
}

// script is a reader.Transport that fails the test on the first mismatched,
// extra or missing APDU.
type script struct {
	t     testing.TB
	mu    sync.Mutex
	steps []step
	n     int
}

func newScript(t testing.TB, steps ...step) *script {
	s := &script{t: t, steps: steps}
	t.Cleanup(func() {
		if s.n != len(s.steps) && !t.Failed() {
			t.Errorf("script: %d of %d APDUs sent; missing %q", s.n, len(s.steps), s.steps[s.n].Name)
		}
	})
	return s
}

func hx(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

func (s *script) Transmit(_ context.Context, c []byte) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.t.Helper()
	if s.n >= len(s.steps) {
		s.t.Fatalf("script: extra APDU %X", c)
	}
	st := s.steps[s.n]
	s.n++
	if want := hx(s.t, st.WantCAPDU); !bytes.Equal(c, want) {
		s.t.Fatalf("script step %q:\n got  %X\n want %X", st.Name, c, want)
	}
	return hx(s.t, st.Reply), nil
}

func (s *script) ATR() []byte                     { return []byte{0x3B, 0x00} }
func (s *script) Reset(ctx context.Context) error { return nil }
func (s *script) Close() error                    { return nil }
