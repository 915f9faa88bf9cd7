package reader

import (
	"context"
	"fmt"
)

// Link is a raw card link: one command in, one response out, with no ISO/IEC
// 7816-4 transport rules applied. PC/SC handles and test cards implement it;
// WithISORules turns it into a Transport.
type Link interface {
	// Exchange sends capdu and returns the raw response (data ‖ SW1 SW2).
	Exchange(ctx context.Context, capdu []byte) ([]byte, error)
}

// Limits of the card-driven loops in transmitISO: a misbehaving card cannot
// keep the host busy forever or make it buffer without bound.
const (
	maxGetResponseRounds = 512
	maxResendRounds      = 2
	maxResponseBytes     = 1 << 17
)

// transmitISO sends capdu over x and applies the ISO/IEC 7816-4 §5.3.4 (T=0
// case handling, Annex of ISO/IEC 7816-3 §12.2) response rules:
//   - 6Cxx: the card wants Le = xx; the same command is re-sent with that Le.
//   - 61xx: xx more bytes are available; GET RESPONSE (INS C0, Le = xx) is sent
//     on the command's logical channel and the data are concatenated, until the
//     card answers a final status word.
//
// The returned slice is data ‖ SW1 SW2 of the final answer.
func transmitISO(ctx context.Context, name string, x Link, capdu []byte) ([]byte, error) {
	if len(capdu) < 4 {
		return nil, fmt.Errorf("reader %s: command APDU of %d bytes is shorter than its 4-byte header", name, len(capdu))
	}
	cmd := capdu
	var resp []byte
	var err error
	for round := 0; ; round++ {
		if err = ctx.Err(); err != nil {
			return nil, err
		}
		resp, err = exchangeChecked(ctx, name, x, cmd)
		if err != nil {
			return nil, err
		}
		if resp[len(resp)-2] != 0x6C || round >= maxResendRounds {
			break
		}
		fixed, ok := withShortLe(cmd, resp[len(resp)-1])
		if !ok {
			break
		}
		cmd = fixed
	}
	sw1, sw2 := resp[len(resp)-2], resp[len(resp)-1]
	if sw1 != 0x61 {
		return resp, nil
	}
	data := append([]byte(nil), resp[:len(resp)-2]...)
	getResponse := []byte{getResponseCLA(capdu[0]), 0xC0, 0x00, 0x00, sw2}
	for round := 0; round < maxGetResponseRounds; round++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		r, err := exchangeChecked(ctx, name, x, getResponse)
		if err != nil {
			return nil, err
		}
		sw1, sw2 = r[len(r)-2], r[len(r)-1]
		if sw1 == 0x6C {
			getResponse[4] = sw2
			continue
		}
		data = append(data, r[:len(r)-2]...)
		if len(data) > maxResponseBytes {
			return nil, fmt.Errorf("reader %s: card sent more than %d response bytes through GET RESPONSE", name, maxResponseBytes)
		}
		if sw1 != 0x61 {
			return append(data, sw1, sw2), nil
		}
		getResponse[4] = sw2
	}
	return nil, fmt.Errorf("reader %s: card still answered 61xx after %d GET RESPONSE rounds", name, maxGetResponseRounds)
}

func exchangeChecked(ctx context.Context, name string, x Link, cmd []byte) ([]byte, error) {
	r, err := x.Exchange(ctx, cmd)
	if err != nil {
		return nil, err
	}
	if len(r) < 2 {
		return nil, fmt.Errorf("reader %s: response of %d bytes has no status word", name, len(r))
	}
	return r, nil
}

// withShortLe returns a copy of a short command APDU with its Le set to le
// (ISO/IEC 7816-4 §5.1 cases 1–4). Extended-length commands are not altered:
// 6Cxx only carries a one-byte length.
func withShortLe(cmd []byte, le byte) ([]byte, bool) {
	switch {
	case len(cmd) == 4: // case 1: add Le
		return append(append([]byte(nil), cmd...), le), true
	case len(cmd) == 5: // case 2: replace Le (a lone 00 byte would be Le, not Lc)
		out := append([]byte(nil), cmd...)
		out[4] = le
		return out, true
	case cmd[4] != 0 && len(cmd) == 5+int(cmd[4]): // case 3: add Le
		return append(append([]byte(nil), cmd...), le), true
	case cmd[4] != 0 && len(cmd) == 6+int(cmd[4]): // case 4: replace Le
		out := append([]byte(nil), cmd...)
		out[len(out)-1] = le
		return out, true
	}
	return nil, false
}

// getResponseCLA returns the interindustry CLA of GET RESPONSE on the logical
// channel coded in cla (ISO/IEC 7816-4 §5.4.1, Tables 2 and 3): channels 0–3
// in bits 1–2 of a first-interindustry CLA, channels 4–19 in bits 1–4 of a
// further-interindustry CLA (b7 set). GlobalPlatform proprietary CLAs (80, 84,
// C0, E0...) code channels the same way.
func getResponseCLA(cla byte) byte {
	if cla&0x40 != 0 {
		return 0x40 | cla&0x0F
	}
	return cla & 0x03
}

// isoTransport applies transmitISO to a Link.
type isoTransport struct {
	name string
	link Link
	atr  []byte
}

// WithISORules returns a Transport that sends commands over link and applies
// the 61xx and 6Cxx rules. name identifies the card source in errors; atr is
// reported by ATR. Reset and Close are no-ops unless link implements them
// (Reset(ctx) error, Close() error).
func WithISORules(name string, link Link, atr []byte) Transport {
	return &isoTransport{name: name, link: link, atr: append([]byte(nil), atr...)}
}

func (t *isoTransport) Transmit(ctx context.Context, capdu []byte) ([]byte, error) {
	return transmitISO(ctx, t.name, t.link, capdu)
}

func (t *isoTransport) ATR() []byte { return t.atr }

func (t *isoTransport) Reset(ctx context.Context) error {
	if r, ok := t.link.(interface{ Reset(context.Context) error }); ok {
		return r.Reset(ctx)
	}
	return nil
}

func (t *isoTransport) Close() error {
	if c, ok := t.link.(interface{ Close() error }); ok {
		return c.Close()
	}
	return nil
}
