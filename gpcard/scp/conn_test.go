package scp_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/cardhost/cardhost/gpcard/keys"
	"github.com/cardhost/cardhost/gpcard/scp"
	"github.com/cardhost/cardhost/gpcard/scp/scptest"
	"github.com/skythen/apdu"
)

// tagCodec appends one byte AA as its "MAC" and rejects responses whose data
// does not end in AA.
type tagCodec struct{ zeroed int }

func (c *tagCodec) Wrap(p apdu.Capdu) (apdu.Capdu, error) {
	return apdu.Capdu{Cla: p.Cla | scp.SMBit(p.Cla), Ins: p.Ins, P1: p.P1, P2: p.P2, Data: append(append([]byte(nil), p.Data...), 0xAA), Ne: p.Ne}, nil
}

func (c *tagCodec) Unwrap(_ apdu.Capdu, r apdu.Rapdu) (apdu.Rapdu, error) {
	if scp.Unauthenticated(r) {
		return r, nil
	}
	if len(r.Data) == 0 || r.Data[len(r.Data)-1] != 0xAA {
		return apdu.Rapdu{}, scp.ErrResponseMAC
	}
	return apdu.Rapdu{Data: r.Data[:len(r.Data)-1], SW1: r.SW1, SW2: r.SW2}, nil
}

func (c *tagCodec) Zero() { c.zeroed++ }

func TestConn_WrapsChecksAndClosesOnUnwrapFailure(t *testing.T) {
	sc := scptest.New(t,
		scptest.Step{Name: "wrapped, logical channel 1 kept", WantCAPDU: "85CA0066 02 01AA 00", Reply: "0102AA 9000"},
		scptest.Step{Name: "error status without data", WantCAPDU: "84CA0066 02 01AA 00", Reply: "6A88"},
		scptest.Step{Name: "tampered", WantCAPDU: "84CA0066 02 01AA 00", Reply: "0102BB 9000"})
	codec := &tagCodec{}
	c := scp.NewConn("test", sc, codec, 4, nil, keys.SessionInput{I: 0x15})
	ctx := context.Background()
	r, err := c.Transmit(ctx, apdu.Capdu{Cla: 0x81, Ins: 0xCA, P2: 0x66, Data: []byte{1}, Ne: 256})
	if err != nil || string(r.Data) != "\x01\x02" {
		t.Fatalf("Transmit = %X, %v", r.Data, err)
	}
	for _, bad := range []apdu.Capdu{{Cla: 0x00, Ins: 0xA4}, {Cla: 0x84, Ins: 0xCA}, {Cla: 0x80, Ins: 0xE8, Data: make([]byte, 5)}} {
		if _, err := c.Transmit(ctx, bad); err == nil || !strings.HasPrefix(err.Error(), "test: ") {
			t.Errorf("%+v: err = %v", bad, err)
		}
	}
	if r, err := c.Transmit(ctx, apdu.Capdu{Cla: 0x80, Ins: 0xCA, P2: 0x66, Data: []byte{1}, Ne: 256}); err != nil || r.SW1 != 0x6A {
		t.Fatalf("6A88: %v", err)
	}
	if _, err := c.Transmit(ctx, apdu.Capdu{Cla: 0x80, Ins: 0xCA, P2: 0x66, Data: []byte{1}, Ne: 256}); !errors.Is(err, scp.ErrResponseMAC) {
		t.Fatalf("tampered: %v", err)
	}
	if _, err := c.Transmit(ctx, apdu.Capdu{Cla: 0x80, Ins: 0xCA}); !errors.Is(err, scp.ErrClosed) || !c.Closed() || codec.zeroed != 1 {
		t.Fatalf("after failure: %v, zeroed %d", err, codec.zeroed)
	}
	c.Close()
	if codec.zeroed != 1 {
		t.Error("Close after close zeroed again")
	}
}

func TestCryptogramError_MatchesAuthFailed(t *testing.T) {
	err := error(&scp.CryptogramError{SCP: 3, I: 0x70, KVN: 0x30, What: "card cryptogram", Expected: []byte{1}, Received: []byte{2}})
	if !errors.Is(err, scp.ErrAuthFailed) || !strings.HasPrefix(err.Error(), "scp03: card cryptogram mismatch") || !strings.Contains(err.Error(), "do not retry") {
		t.Errorf("err = %v", err)
	}
	if !errors.Is(scp.Protocolf("x %d", 1), scp.ErrProtocol) {
		t.Error("Protocolf does not match ErrProtocol")
	}
}
