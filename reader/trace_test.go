package reader

import (
	"context"
	"strings"
	"testing"
)

type replyTransport struct{ reply []byte }

func (r replyTransport) Transmit(context.Context, []byte) ([]byte, error) {
	return append([]byte(nil), r.reply...), nil
}
func (replyTransport) ATR() []byte                 { return nil }
func (replyTransport) Reset(context.Context) error { return nil }
func (replyTransport) Close() error                { return nil }

func TestTrace_RedactsPutKeyAndStoreData(t *testing.T) {
	secret := "404142434445464748494A4B4C4D4E4F"
	tests := []struct {
		name, cmd, reply string
		redacted         bool
		wantCmd          string
	}{
		{"PUT KEY", "80D8000117" + "018010" + secret + "03AABBCC", "018BAF479000", true, "80D8000117 <redacted 23 bytes>"},
		{"wrapped STORE DATA", "84E2800018" + secret + "0102030405060708", "9000", true, "84E2800018 <redacted 24 bytes>"},
		{"extended PUT KEY", "80D80001000013" + secret + "010203", "9000", true, "80D80001000013 <redacted 19 bytes>"},
		{"SELECT shown", "00A4040008A000000151000000", "6F009000", false, "00A4040008A000000151000000"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var lines []string
			tr := Trace(replyTransport{hx(t, tc.reply)}, func(e Exchange) { lines = append(lines, FormatExchange(e)) }, nil)
			resp, err := tr.Transmit(context.Background(), hx(t, tc.cmd))
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.ToUpper(string(hexOf(resp))); got != tc.reply {
				t.Fatalf("trace altered the response: %s", got)
			}
			out := strings.Join(lines, "\n")
			if tc.redacted && strings.Contains(strings.ToUpper(out), secret) {
				t.Fatalf("secret leaked into trace:\n%s", out)
			}
			if !strings.HasPrefix(out, ">> "+tc.wantCmd+"\n<< ") {
				t.Fatalf("trace = %q, want command line %q", out, tc.wantCmd)
			}
			if !strings.Contains(out, tc.reply[len(tc.reply)-4:]+"  (") {
				t.Fatalf("status word or timing missing: %q", out)
			}
		})
	}
}

func hexOf(b []byte) []byte {
	const digits = "0123456789ABCDEF"
	out := make([]byte, 0, 2*len(b))
	for _, c := range b {
		out = append(out, digits[c>>4], digits[c&15])
	}
	return out
}
