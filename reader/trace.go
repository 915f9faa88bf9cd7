package reader

import (
	"context"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
)

// Redactor decides whether the data field of a command (and of its response)
// must be hidden in a trace. It receives the C-APDU as sent.
type Redactor func(capdu []byte) bool

// Secret instructions whose data carry key material (GPCS 2.3.1 §11.8 PUT KEY,
// §11.11 STORE DATA, which personalises keys through DGIs such as 8113/00B9).
const (
	insPutKey    = 0xD8
	insStoreData = 0xE2
)

// RedactSecrets is the default Redactor: it hides the data of PUT KEY and
// STORE DATA whatever their CLA, since with a secure channel the trace sees
// wrapped commands and cannot tell key-carrying STORE DATA from other DGIs.
func RedactSecrets(capdu []byte) bool {
	return len(capdu) >= 4 && (capdu[1] == insPutKey || capdu[1] == insStoreData)
}

// Trace returns a Transport that hands every exchange of t to fn. Exchanges
// for which redact returns true reach fn with the command data and response
// data replaced by zero bytes of the same length, so not even a misbehaving
// hook sees secrets; FormatExchange prints them as <redacted N bytes>. A nil
// redact means RedactSecrets.
func Trace(t Transport, fn TraceFunc, redact Redactor) Transport {
	if redact == nil {
		redact = RedactSecrets
	}
	return &traced{t: t, fn: fn, redact: redact, name: transportName(t)}
}

type traced struct {
	t      Transport
	fn     TraceFunc
	redact Redactor
	name   string
}

func transportName(t Transport) string {
	if n, ok := t.(interface{ Reader() string }); ok {
		return n.Reader()
	}
	return ""
}

func (x *traced) Transmit(ctx context.Context, capdu []byte) ([]byte, error) {
	start := time.Now()
	resp, err := x.t.Transmit(ctx, capdu)
	e := Exchange{Reader: x.name, Command: capdu, Response: resp, Duration: time.Since(start), Err: err}
	if x.redact(capdu) {
		e.Command, e.Response = blankData(capdu, false), blankData(resp, true)
		e.Redacted = true
	}
	x.fn(e)
	return resp, err
}

func (x *traced) ATR() []byte                     { return x.t.ATR() }
func (x *traced) Reset(ctx context.Context) error { return x.t.Reset(ctx) }
func (x *traced) Close() error                    { return x.t.Close() }

// Reader returns the wrapped transport's reader name, if it has one.
func (x *traced) Reader() string { return x.name }

// blankData returns a copy of an APDU whose data field is zeroed: for a
// command everything after the header and Lc, for a response everything
// before the status word.
func blankData(b []byte, response bool) []byte {
	if b == nil {
		return nil
	}
	out := append([]byte(nil), b...)
	start, end := headerLen(out), len(out)
	if response {
		start, end = 0, len(out)-2
	}
	for i := start; i < end && i >= 0; i++ {
		out[i] = 0
	}
	return out
}

// headerLen is the length of header plus Lc of a command APDU (ISO/IEC 7816-4
// §5.1): 5 for short, 7 for extended (00 + 2 bytes), 4 with no data.
func headerLen(c []byte) int {
	switch {
	case len(c) <= 5:
		return len(c)
	case c[4] == 0 && len(c) > 7:
		return 7
	}
	return 5
}

// FormatExchange renders e as two lines, the way operators read traces:
//
//	>> 80CA9F7F00
//	<< 9F7F2A...9000  (0.21 ms)
//
// Data of redacted exchanges is shown as <redacted N bytes>; headers, Lc, Le,
// status word and timing are kept.
func FormatExchange(e Exchange) string {
	var b strings.Builder
	b.WriteString(">> ")
	if e.Redacted {
		h := headerLen(e.Command)
		b.WriteString(strings.ToUpper(hex.EncodeToString(e.Command[:h])))
		if n := len(e.Command) - h; n > 0 {
			fmt.Fprintf(&b, " <redacted %d bytes>", n)
		}
	} else {
		b.WriteString(strings.ToUpper(hex.EncodeToString(e.Command)))
	}
	b.WriteString("\n<< ")
	switch {
	case e.Err != nil:
		fmt.Fprintf(&b, "error: %v", e.Err)
	case e.Redacted && len(e.Response) > 2:
		fmt.Fprintf(&b, "<redacted %d bytes> %X", len(e.Response)-2, e.Response[len(e.Response)-2:])
	default:
		b.WriteString(strings.ToUpper(hex.EncodeToString(e.Response)))
	}
	fmt.Fprintf(&b, "  (%.2f ms)", float64(e.Duration.Microseconds())/1000)
	return b.String()
}
