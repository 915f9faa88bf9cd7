package scp

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"

	"github.com/cardhost/cardhost/gpcard/command"
	"github.com/cardhost/cardhost/gpcard/sw"
	"github.com/cardhost/cardhost/reader"
	"github.com/skythen/apdu"
)

// Instruction bytes of the authentication commands (GPCS 2.3.1 §11.1, Table
// 11-2).
const (
	insInitializeUpdate     = 0x50
	insExternalAuthenticate = 0x82
)

// HostChallenge reads an n-byte host challenge from r; nil means crypto/rand.
func HostChallenge(r io.Reader, n int) ([]byte, error) {
	if r == nil {
		r = rand.Reader
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(r, b); err != nil {
		return nil, fmt.Errorf("host challenge: %w", err)
	}
	return b, nil
}

// AuthClass returns the class byte of the authentication commands on
// logical channel ch (0–19): 80 with the channel coded (GPCS 2.3.1 §11.1.4
// Table 11-11; ISO/IEC 7816-4 §5.4.1), plus the secure messaging bit when sm
// is set (EXTERNAL AUTHENTICATE).
func AuthClass(ch int, sm bool) (byte, error) {
	cla, err := command.ChannelClass(0x80, ch)
	if err != nil {
		return 0, err
	}
	if sm {
		cla |= SMBit(cla)
	}
	return cla, nil
}

// InitializeUpdate sends INITIALIZE UPDATE, 80 50 KVN 00 Lc host-challenge 00
// (GPCS 2.3.1 §E.5.1.1; Amd D §7.1.1), on logical channel ch (class 80–83,
// C0–CF), without secure messaging and returns the response data. A status
// other than 9000 is a *sw.StatusError.
func InitializeUpdate(ctx context.Context, t reader.Transport, ch int, kvn byte, host []byte) ([]byte, error) {
	cla, err := AuthClass(ch, false)
	if err != nil {
		return nil, err
	}
	c := apdu.Capdu{Cla: cla, Ins: insInitializeUpdate, P1: kvn, Data: host, Ne: 256}
	rp, err := TransmitRaw(ctx, t, c)
	if err != nil {
		return nil, fmt.Errorf("INITIALIZE UPDATE: %w", err)
	}
	if err := sw.Check("INITIALIZE UPDATE", SW(rp)); err != nil {
		return nil, err
	}
	return rp.Data, nil
}

// ExternalAuthenticate sends EXTERNAL AUTHENTICATE, 84 82 level 00 Lc data
// (GPCS 2.3.1 §E.5.2; Amd D §7.1.2), with class AuthClass(ch, true), where
// data is the host cryptogram and its C-MAC (computed over that class). A
// refusal matches ErrAuthFailed and wraps the *sw.StatusError; it must not
// be retried with the same keys.
func ExternalAuthenticate(ctx context.Context, t reader.Transport, ch int, level byte, data []byte) error {
	cla, err := AuthClass(ch, true)
	if err != nil {
		return err
	}
	c := apdu.Capdu{Cla: cla, Ins: insExternalAuthenticate, P1: level, Data: data}
	rp, err := TransmitRaw(ctx, t, c)
	if err != nil {
		return fmt.Errorf("EXTERNAL AUTHENTICATE: %w", err)
	}
	if err := sw.Check("EXTERNAL AUTHENTICATE", SW(rp)); err != nil {
		return fmt.Errorf("%w: %w", ErrAuthFailed, err)
	}
	return nil
}

// TransmitRaw sends c without secure messaging and returns the response with
// its data copied. It checks ctx first because an APDU in flight cannot be
// cancelled.
func TransmitRaw(ctx context.Context, t reader.Transport, c apdu.Capdu) (apdu.Rapdu, error) {
	if err := ctx.Err(); err != nil {
		return apdu.Rapdu{}, err
	}
	b, err := c.Bytes()
	if err != nil {
		return apdu.Rapdu{}, err
	}
	resp, err := t.Transmit(ctx, b)
	if err != nil {
		return apdu.Rapdu{}, err
	}
	rp, err := apdu.ParseRapdu(resp)
	if err != nil {
		return apdu.Rapdu{}, Protocolf("response of %d bytes", len(resp))
	}
	return apdu.Rapdu{Data: append([]byte(nil), rp.Data...), SW1: rp.SW1, SW2: rp.SW2}, nil
}

// SW returns the status word SW1SW2 of r.
func SW(r apdu.Rapdu) uint16 { return uint16(r.SW1)<<8 | uint16(r.SW2) }
