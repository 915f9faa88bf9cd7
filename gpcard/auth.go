package gpcard

import (
	"context"
	"errors"
	"fmt"

	"github.com/cardhost/cardhost/gpcard/command"
	"github.com/cardhost/cardhost/gpcard/keys"
	"github.com/cardhost/cardhost/gpcard/scp"
	"github.com/cardhost/cardhost/gpcard/scp02"
	"github.com/cardhost/cardhost/gpcard/scp03"
	"github.com/cardhost/cardhost/gpcard/sw"
)

// Level is the secure channel security level (EXTERNAL AUTHENTICATE P1; GPCS
// 2.3.1 Table E-5, Amd D Table 7-4). The zero value means CMAC.
type Level byte

// Security level bits; SCP02 knows CMAC, CDEC and RMAC, SCP03 all four.
const (
	CMAC Level = 0x01 // C-MAC on every command
	CDEC Level = 0x02 // command data encryption
	RMAC Level = 0x10 // R-MAC on every response
	RENC Level = 0x20 // response data encryption (SCP03)
)

// Both secure channels are sessions (pinned at compile time).
var (
	_ session = (*scp02.Session)(nil)
	_ session = (*scp03.Session)(nil)
)

// ErrUnknownSCP: the card announces no secure channel protocol this package
// speaks and none was forced.
var ErrUnknownSCP = errors.New("gpcard: cannot tell which secure channel protocol the card uses; set AuthOptions.SCP")

// AuthOptions configure Authenticate. The zero value uses the card's default
// key version, the protocol and i the card announces, and C-MAC.
type AuthOptions struct {
	// KVN is the key version (INITIALIZE UPDATE P1); 0 lets the card choose.
	KVN byte
	// SCP forces the protocol (0x02 or 0x03); 0 takes it from the card
	// recognition data (FCI A5/73, else GET DATA 66).
	SCP byte
	// I forces the implementation option; 0 takes the card's (SCP03 also
	// reports it in INITIALIZE UPDATE; SCP02 defaults to 15).
	I byte
	// Level is the security level; zero means CMAC.
	Level Level
}

// AuthError reports a failed mutual authentication: a card cryptogram (or
// pseudo-random challenge) that does not match the keys, or an EXTERNAL
// AUTHENTICATE the card refused. It matches scp.ErrAuthFailed. Nothing is
// retried: the card counts failed attempts and may lock the Security Domain.
type AuthError struct {
	SD       []byte // the Security Domain authenticated to
	SCP, KVN byte   // protocol and requested key version (0: card's default)
	Err      error  // *scp.CryptogramError or a wrapped *sw.StatusError
}

// Error describes the failure and warns against retrying.
func (e *AuthError) Error() string {
	msg := fmt.Sprintf("authenticating to %X with SCP%02X (KVN %02X): %v", e.SD, e.SCP, e.KVN, e.Err)
	var ce *scp.CryptogramError
	if errors.As(e.Err, &ce) {
		return msg // the cryptogram error already warns against retrying
	}
	return msg + "; WARNING: do not retry with the same keys, each failed authentication counts and may lock the card"
}

// Unwrap returns the cause.
func (e *AuthError) Unwrap() error { return e.Err }

// Authenticate opens a secure channel with the selected Security Domain
// using the keys of kp: INITIALIZE UPDATE and EXTERNAL AUTHENTICATE, plus one
// GET DATA 66 only when the protocol is neither forced nor announced in the
// FCI. A failed authentication is an *AuthError and is never retried.
// Keys for later PUT KEY and STORE DATA must be reachable through kp too.
func (c *Card) Authenticate(ctx context.Context, kp keys.Provider, a AuthOptions) error {
	c.closeSession()
	if c.closed {
		return ErrChannelClosed
	}
	if kp == nil {
		return errors.New("gpcard: Authenticate needs a key provider")
	}
	proto, i, err := c.protocol(ctx, a)
	if err != nil {
		return err
	}
	level := a.Level
	if level == 0 {
		level = CMAC
	}
	var s session
	switch proto {
	case 0x02:
		s, err = scp02.Open(ctx, c.t, kp, scp02.Options{KVN: a.KVN, I: i, Level: scp02.Level(level), AID: c.fci.AID, Rand: c.o.Rand, ExtendedLength: c.extended(), Channel: c.ch})
	case 0x03:
		s, err = scp03.Open(ctx, c.t, kp, scp03.Options{KVN: a.KVN, I: a.I, ForceI: a.I != 0, S16: i&0x01 != 0, Level: scp03.Level(level), AID: c.fci.AID, Rand: c.o.Rand, ExtendedLength: c.extended(), Channel: c.ch})
	default:
		return fmt.Errorf("gpcard: unsupported secure channel protocol %02X", proto)
	}
	if errors.Is(err, scp.ErrAuthFailed) {
		return &AuthError{SD: c.SD(), SCP: proto, KVN: a.KVN, Err: err}
	}
	if err != nil {
		return err
	}
	c.session, c.proto = s, proto
	return nil
}

// protocol settles SCP and i: forced by a, else the first protocol this
// package speaks in the card recognition data.
func (c *Card) protocol(ctx context.Context, a AuthOptions) (byte, byte, error) {
	if a.SCP != 0 {
		return a.SCP, a.I, nil
	}
	cd, err := c.recognition(ctx)
	if err != nil {
		return 0, 0, err
	}
	for _, o := range cd.SCPs {
		if o.SCP == 0x02 || o.SCP == 0x03 {
			i := byte(o.I)
			if a.I != 0 {
				i = a.I
			}
			return byte(o.SCP), i, nil
		}
	}
	return 0, 0, ErrUnknownSCP
}

// recognition returns the card recognition data: from the FCI, else read
// once with GET DATA 66 (GPCS 2.3.1 §H.2). A card without it gives an empty
// value.
func (c *Card) recognition(ctx context.Context) (command.CardData, error) {
	if c.cardData != nil {
		return *c.cardData, nil
	}
	r, err := c.exchange(ctx, command.NameGetData+" [card data]", command.GetData(command.TagCardData))
	var se *sw.StatusError
	switch {
	case errors.As(err, &se):
		c.cardData = &command.CardData{}
		return *c.cardData, nil
	case err != nil:
		return command.CardData{}, err
	}
	cd, err := command.ParseCardData(r.Data)
	if err != nil {
		return command.CardData{}, fmt.Errorf("GET DATA 66: %w", err)
	}
	c.cardData = &cd
	return cd, nil
}

// extended reports whether commands may use extended length: forced by
// Options, or a maximum command data length above 255 in the FCI.
func (c *Card) extended() bool { return c.o.ExtendedLength || c.fci.MaxCommandData > 255 }
