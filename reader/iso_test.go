package reader

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
)

func hx(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

// step is one expected exchange of a scripted card.
type step struct {
	want  string // expected C-APDU (hex)
	reply string // R-APDU (hex)
}

// scriptedLink fails the test on the first unexpected, extra or missing APDU.
type scriptedLink struct {
	t     *testing.T
	steps []step
	n     int
}

func (s *scriptedLink) Exchange(_ context.Context, c []byte) ([]byte, error) {
	s.t.Helper()
	if s.n >= len(s.steps) {
		s.t.Fatalf("extra APDU %X after %d scripted steps", c, len(s.steps))
	}
	st := s.steps[s.n]
	s.n++
	if want := hx(s.t, st.want); !bytes.Equal(c, want) {
		s.t.Fatalf("step %d: got APDU %X, want %X", s.n, c, want)
	}
	return hx(s.t, st.reply), nil
}

func (s *scriptedLink) done() {
	s.t.Helper()
	if s.n != len(s.steps) {
		s.t.Fatalf("only %d of %d scripted APDUs were sent", s.n, len(s.steps))
	}
}

func TestTransmitISO(t *testing.T) {
	tests := []struct {
		name  string
		cmd   string
		steps []step
		want  string
	}{
		{"plain 9000", "00A4040000", []step{{"00A4040000", "6F009000"}}, "6F009000"},
		{"error SW passes through", "80CA9F7F00", []step{{"80CA9F7F00", "6A88"}}, "6A88"},
		{"61xx one round", "00A4040007A000000151000000",
			[]step{{"00A4040007A000000151000000", "6104"}, {"00C0000004", "010203049000"}}, "010203049000"},
		{"61xx chained with data", "80F24002024F0000",
			[]step{{"80F24002024F0000", "AABB6102"}, {"00C0000002", "CCDD6101"}, {"00C0000001", "EE6310"}}, "AABBCCDDEE6310"},
		{"61xx on logical channel 2", "82CA006600",
			[]step{{"82CA006600", "6103"}, {"02C0000003", "1122339000"}}, "1122339000"},
		{"61xx on further channel 5", "41CA006600",
			[]step{{"41CA006600", "6101"}, {"41C0000001", "119000"}}, "119000"},
		{"61xx on GP secure CLA 84 channel 1", "8582010010" + strings.Repeat("00", 16),
			[]step{{"8582010010" + strings.Repeat("00", 16), "6100"}, {"01C0000000", strings.Repeat("11", 256) + "9000"}},
			strings.Repeat("11", 256) + "9000"},
		{"6Cxx case 2 re-send", "80CA9F7F00",
			[]step{{"80CA9F7F00", "6C2D"}, {"80CA9F7F2D", strings.Repeat("AB", 45) + "9000"}}, strings.Repeat("AB", 45) + "9000"},
		{"6Cxx case 1 adds Le", "80CA0042",
			[]step{{"80CA0042", "6C05"}, {"80CA004205", "01020304059000"}}, "01020304059000"},
		{"6Cxx case 3 adds Le", "80CA004202AABB",
			[]step{{"80CA004202AABB", "6C01"}, {"80CA004202AABB01", "019000"}}, "019000"},
		{"6Cxx case 4 replaces Le", "80CA004202AABB10",
			[]step{{"80CA004202AABB10", "6C01"}, {"80CA004202AABB01", "019000"}}, "019000"},
		{"6Cxx then 61xx", "00B0000000",
			[]step{{"00B0000000", "6C02"}, {"00B0000002", "6102"}, {"00C0000002", "AAAA9000"}}, "AAAA9000"},
		{"GET RESPONSE answered 6Cxx", "00B0000000",
			[]step{{"00B0000000", "6110"}, {"00C0000010", "6C08"}, {"00C0000008", "01020304050607089000"}}, "01020304050607089000"},
		{"extended command not altered on 6Cxx", "00B00000000000",
			[]step{{"00B00000000000", "6C10"}}, "6C10"},
		{"6Cxx re-send is bounded", "80CA9F7F00",
			[]step{{"80CA9F7F00", "6C10"}, {"80CA9F7F10", "6C11"}, {"80CA9F7F11", "6C12"}}, "6C12"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := &scriptedLink{t: t, steps: tc.steps}
			got, err := transmitISO(context.Background(), "test", l, hx(t, tc.cmd))
			if err != nil {
				t.Fatal(err)
			}
			if want := hx(t, tc.want); !bytes.Equal(got, want) {
				t.Fatalf("got %X want %X", got, want)
			}
			l.done()
		})
	}
}

// endless61 always answers 61xx: the loop must give up.
type endless61 struct{ n int }

func (e *endless61) Exchange(context.Context, []byte) ([]byte, error) {
	e.n++
	return []byte{0x01, 0x61, 0x01}, nil
}

func TestTransmitISO_EndlessGetResponse_Bounded(t *testing.T) {
	l := &endless61{}
	_, err := transmitISO(context.Background(), "test", l, hx(t, "00B0000000"))
	if err == nil || !strings.Contains(err.Error(), "GET RESPONSE") {
		t.Fatalf("got %v, want a GET RESPONSE limit error", err)
	}
	if l.n > maxGetResponseRounds+1 {
		t.Fatalf("sent %d APDUs, limit is %d", l.n, maxGetResponseRounds+1)
	}
}

type fixedLink struct{ reply []byte }

func (f fixedLink) Exchange(context.Context, []byte) ([]byte, error) { return f.reply, nil }

func TestTransmitISO_BadInput(t *testing.T) {
	ctx := context.Background()
	if _, err := transmitISO(ctx, "r", fixedLink{hx(t, "9000")}, hx(t, "00A4")); err == nil {
		t.Error("3-byte command accepted")
	}
	if _, err := transmitISO(ctx, "r", fixedLink{hx(t, "90")}, hx(t, "00A4040000")); err == nil {
		t.Error("1-byte response accepted")
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := transmitISO(cancelled, "r", fixedLink{hx(t, "9000")}, hx(t, "00A4040000")); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: got %v", err)
	}
}

func TestPickReader(t *testing.T) {
	names := []string{"Virtual PCD 00 00", "Virtual PCD 00 01", "ACS ACR39U ICC Reader 01 00"}
	tests := []struct {
		spec, want string
		err        error
	}{
		{"Virtual PCD 00 01", "Virtual PCD 00 01", nil},
		{"2", "ACS ACR39U ICC Reader 01 00", nil},
		{"acr39", "ACS ACR39U ICC Reader 01 00", nil},
		{"00 00", "Virtual PCD 00 00", nil},
		{"Virtual", "", ErrAmbiguousReader},
		{"7", "", ErrUnknownReader},
		{"-1", "", ErrUnknownReader},
		{"omnikey", "", ErrUnknownReader},
	}
	for _, tc := range tests {
		got, err := pickReader(names, tc.spec)
		if tc.err != nil {
			if !errors.Is(err, tc.err) {
				t.Errorf("%q: got %q, %v; want %v", tc.spec, got, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%q: got %q, %v; want %q", tc.spec, got, err, tc.want)
		}
	}
	if _, err := pickReader(nil, "0"); !errors.Is(err, ErrNoReaders) {
		t.Errorf("no readers: got %v", err)
	}
}
