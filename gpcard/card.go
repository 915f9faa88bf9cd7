package gpcard

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/cardhost/cardhost/gpcard/command"
	"github.com/cardhost/cardhost/gpcard/keys"
	"github.com/cardhost/cardhost/gpcard/scp"
	"github.com/cardhost/cardhost/gpcard/sw"
	"github.com/cardhost/cardhost/reader"
	"github.com/skythen/apdu"
)

// Channel is what command code talks to: the plain transport before
// authentication, a secure channel session after. Both satisfy it.
type Channel interface {
	Transmit(ctx context.Context, c apdu.Capdu) (apdu.Rapdu, error)
}

// A Card is itself a Channel: its Transmit uses the secure channel when open.
var _ Channel = (*Card)(nil)

// Well-known Security Domain AIDs tried when the card's default application
// cannot be selected (gp-card.md §1.4; clients.md §1.2).
var (
	// GPISD is the GlobalPlatform ISD AID.
	GPISD = []byte{0xA0, 0x00, 0x00, 0x01, 0x51, 0x00, 0x00, 0x00}
	// OPISD is the Visa / Open Platform ISD AID.
	OPISD = []byte{0xA0, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00}
)

// Errors of the session layer; card status words are *sw.StatusError.
var (
	// ErrNoISD: no Security Domain could be selected or its FCI names none.
	ErrNoISD = errors.New("gpcard: could not find the issuer security domain")
	// ErrNotAuthenticated: the operation needs a secure channel; call
	// Authenticate first.
	ErrNotAuthenticated = errors.New("gpcard: no secure channel (authenticate first)")
)

// Options configure Connect. The zero value discovers the ISD.
type Options struct {
	// SD is the Security Domain to select; nil discovers the ISD with an
	// empty SELECT, then GPISD and OPISD.
	SD []byte
	// Trace, when set, receives every exchange (keys redacted, see
	// reader.Trace). The library never logs.
	Trace reader.TraceFunc
	// ExtendedLength lets commands use extended length even when the FCI
	// does not announce a maximum above 255 bytes (A5/9F65).
	ExtendedLength bool
	// Rand supplies host challenges; nil means crypto/rand. Tests pin it.
	Rand io.Reader
}

// Card is a session with one card through one transport: the selected
// Security Domain, what its FCI announced, and the secure channel once
// authenticated. Every operation is a method taking a context. A Card is not
// safe for concurrent use (a card processes one command at a time).
type Card struct {
	t        reader.Transport
	o        Options
	fci      command.FCI
	cardData *command.CardData // FCI A5/73, else GET DATA 66, read once
	session  session           // nil until Authenticate
	proto    byte              // protocol of session (02, 03)
	legacy   bool              // GET STATUS answered 6A86 to the tag format
	ch       int               // logical channel (0 basic); see OpenChannel
	closed   bool              // a supplementary channel closed by CloseChannel
	deleg    Delegation        // tokens and receipts; see SetDelegation
}

// session is what a secure channel offers beyond Channel (scp02.Session and
// scp03.Session, through their embedded scp.Conn).
type session interface {
	Channel
	MaxCommandData() int
	WrapKey(ctx context.Context, ref keys.KeyRef) (keys.WrappedKey, error)
	EncryptLoadFile(ctx context.Context, lfdb []byte) ([]byte, error)
	EncryptData(ctx context.Context, data []byte) ([]byte, error)
	I() byte
	KVN() byte
	Close() error
}

// Connect selects a Security Domain over t: o.SD when set, otherwise the
// card's default application (SELECT with an empty AID, accepted with 9000 or
// 6283 "card locked"), falling back to GPISD and OPISD when that answers
// 6A82 or 6A87 (clients.md §1.2). It costs one SELECT on a typical card. The
// caller keeps ownership of t.
func Connect(ctx context.Context, t reader.Transport, o Options) (*Card, error) {
	if t == nil {
		return nil, errors.New("gpcard: Connect needs a transport")
	}
	if o.Trace != nil {
		t = reader.Trace(t, o.Trace, nil)
	}
	c := &Card{t: t, o: o}
	candidates := [][]byte{o.SD}
	if o.SD == nil {
		candidates = [][]byte{{}, GPISD, OPISD}
	}
	var last error
	for _, aid := range candidates {
		err := c.selectSD(ctx, aid)
		var se *sw.StatusError
		if err == nil || !errors.As(err, &se) || (se.SW != sw.FileNotFound && se.SW != 0x6A87) {
			return c, err
		}
		last = err
	}
	return nil, fmt.Errorf("%w: %w", ErrNoISD, last)
}

// Select selects the Security Domain aid (for example an SSD before
// authenticating with its keys). Any secure channel is closed: selecting
// ends it on the card.
func (c *Card) Select(ctx context.Context, aid []byte) error {
	if len(aid) == 0 {
		return errors.New("gpcard: Select needs an AID")
	}
	return c.selectSD(ctx, aid)
}

func (c *Card) selectSD(ctx context.Context, aid []byte) error {
	c.closeSession()
	cmd, err := command.Select(aid)
	if err != nil {
		return err
	}
	r, err := c.transmitRaw(ctx, cmd)
	if err != nil {
		return fmt.Errorf("SELECT %X: %w", aid, err)
	}
	if s := scp.SW(r); s != sw.OK && s != sw.SelectedFileInvalidated {
		return &sw.StatusError{Command: command.NameSelect, SW: s}
	}
	fci, err := command.ParseFCI(r.Data)
	if err != nil {
		return fmt.Errorf("%w: SELECT %X: %w", ErrNoISD, aid, err)
	}
	if len(aid) > 0 && !bytes.Equal(fci.AID, aid) {
		return fmt.Errorf("SELECT %X: card answered with the FCI of %X", aid, fci.AID)
	}
	c.fci, c.cardData = fci, fci.CardData
	return nil
}

// SD returns the AID of the selected Security Domain.
func (c *Card) SD() []byte { return append([]byte(nil), c.fci.AID...) }

// FCI returns what the selected Security Domain answered to SELECT.
func (c *Card) FCI() command.FCI { return c.fci }

// Authenticated reports whether a secure channel is open.
func (c *Card) Authenticated() bool { return c.session != nil }

// Transmit sends c through the secure channel when one is open (which sets
// the secure messaging bit and adds the MAC), otherwise as is. On a
// supplementary logical channel (OpenChannel) the channel number is coded
// into the class byte first, which must then be 00 or 80. A non-9000 status
// is returned in the response, not as an error.
func (c *Card) Transmit(ctx context.Context, cmd apdu.Capdu) (apdu.Rapdu, error) {
	if c.closed {
		return apdu.Rapdu{}, ErrChannelClosed
	}
	if c.ch != 0 {
		var err error
		if cmd, err = command.OnChannel(cmd, c.ch); err != nil {
			return apdu.Rapdu{}, fmt.Errorf("gpcard: channel %d: %w", c.ch, err)
		}
	}
	if c.session != nil {
		return c.session.Transmit(ctx, cmd)
	}
	return scp.TransmitRaw(ctx, c.t, cmd)
}

// transmitRaw sends cmd without secure messaging on this Card's channel.
func (c *Card) transmitRaw(ctx context.Context, cmd apdu.Capdu) (apdu.Rapdu, error) {
	if c.closed {
		return apdu.Rapdu{}, ErrChannelClosed
	}
	if c.ch != 0 {
		var err error
		if cmd, err = command.OnChannel(cmd, c.ch); err != nil {
			return apdu.Rapdu{}, err
		}
	}
	return scp.TransmitRaw(ctx, c.t, cmd)
}

// Close closes the secure channel (zeroing its keys); the transport stays
// open. It is idempotent.
func (c *Card) Close() error {
	c.closeSession()
	return nil
}

func (c *Card) closeSession() {
	if c.session != nil {
		c.session.Close()
		c.session = nil
	}
}

// exchange sends cmd on the current channel and checks the status word
// against name; ok lists further accepted status words.
func (c *Card) exchange(ctx context.Context, name string, cmd apdu.Capdu, ok ...uint16) (apdu.Rapdu, error) {
	r, err := c.Transmit(ctx, cmd)
	if err != nil {
		return apdu.Rapdu{}, fmt.Errorf("%s: %w", name, err)
	}
	s := scp.SW(r)
	for _, w := range ok {
		if s == w {
			return r, nil
		}
	}
	return r, sw.Check(name, s)
}

// secured returns the open session or ErrNotAuthenticated.
func (c *Card) secured() (session, error) {
	if c.session == nil {
		return nil, ErrNotAuthenticated
	}
	return c.session, nil
}
