package reader

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ebfe/scard"
)

// Context is a connection to the PC/SC resource manager (pcscd). It lists
// readers, waits for card events and connects to cards. A Context may be used
// from several goroutines, but a wait and a connect on the same Context are
// serialised by pcscd.
type Context struct {
	ctx       *scard.Context
	closeOnce sync.Once
}

// NewContext establishes a PC/SC context. It fails with ErrNoService when
// pcscd is not running or its socket is not reachable (see
// PCSCLITE_CSOCK_NAME).
func NewContext() (*Context, error) {
	c, err := scard.EstablishContext()
	if err != nil {
		return nil, pcscErr("", "establish context", err)
	}
	return &Context{ctx: c}, nil
}

// Close releases the context. It is idempotent.
func (c *Context) Close() error {
	var err error
	c.closeOnce.Do(func() { err = pcscErr("", "release context", c.ctx.Release()) })
	return err
}

// Readers lists the reader names known to pcscd, in pcscd's order. An empty
// list is not an error.
func (c *Context) Readers() ([]string, error) {
	names, err := c.ctx.ListReaders()
	if errors.Is(err, scard.ErrNoReadersAvailable) {
		return nil, nil
	}
	if err != nil {
		return nil, pcscErr("", "list readers", err)
	}
	return names, nil
}

// Find resolves a reader spec to a reader name: an exact name, a decimal
// index into Readers(), or a case-insensitive substring that matches exactly
// one reader. It fails with ErrNoReaders, ErrUnknownReader or
// ErrAmbiguousReader (naming the candidates).
func (c *Context) Find(spec string) (string, error) {
	names, err := c.Readers()
	if err != nil {
		return "", err
	}
	return pickReader(names, spec)
}

func pickReader(names []string, spec string) (string, error) {
	if len(names) == 0 {
		return "", ErrNoReaders
	}
	for _, n := range names {
		if n == spec {
			return n, nil
		}
	}
	if i, err := strconv.Atoi(spec); err == nil {
		if i < 0 || i >= len(names) {
			return "", fmt.Errorf("%w: index %d out of range (%d readers)", ErrUnknownReader, i, len(names))
		}
		return names[i], nil
	}
	var hits []string
	for _, n := range names {
		if strings.Contains(strings.ToLower(n), strings.ToLower(spec)) {
			hits = append(hits, n)
		}
	}
	switch len(hits) {
	case 0:
		return "", fmt.Errorf("%w: %q matches none of %q", ErrUnknownReader, spec, names)
	case 1:
		return hits[0], nil
	}
	return "", fmt.Errorf("%w: %q matches %q", ErrAmbiguousReader, spec, hits)
}

// WaitForCard blocks until a card is present in the reader (returning at once
// if one already is) or ctx ends.
func (c *Context) WaitForCard(ctx context.Context, reader string) error {
	return c.waitFor(ctx, reader, scard.StatePresent)
}

// WaitForRemoval blocks until the reader is empty or ctx ends.
func (c *Context) WaitForRemoval(ctx context.Context, reader string) error {
	return c.waitFor(ctx, reader, scard.StateEmpty)
}

// waitSlice bounds one GetStatusChange call inside waitFor.
const waitSlice = time.Second

// waitFor polls the reader state with GetStatusChange until want is set. A
// cancelled ctx interrupts the wait through SCardCancel.
func (c *Context) waitFor(ctx context.Context, reader string, want scard.StateFlag) error {
	stop := context.AfterFunc(ctx, func() { _ = c.ctx.Cancel() })
	defer stop()
	rs := []scard.ReaderState{{Reader: reader, CurrentState: scard.StateUnaware}}
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		// A bounded wait: a Cancel issued just before GetStatusChange starts
		// would otherwise be lost.
		err := c.ctx.GetStatusChange(rs, waitSlice)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if errors.Is(err, scard.ErrTimeout) {
			continue
		}
		if err != nil {
			return pcscErr(reader, "wait for card event", err)
		}
		ev := rs[0].EventState
		if ev&(scard.StateUnknown|scard.StateIgnore) != 0 {
			return fmt.Errorf("%w: %q", ErrUnknownReader, reader)
		}
		if ev&want != 0 {
			return nil
		}
		rs[0].CurrentState = ev &^ scard.StateChanged
	}
}

// Protocol selects the transmission protocol when connecting.
type Protocol int

// Protocols. Any lets the reader choose T=0 or T=1.
const (
	ProtocolAny Protocol = iota + 1
	ProtocolT0
	ProtocolT1
)

// ConnectOptions tunes Connect. The zero value connects shared with any
// protocol.
type ConnectOptions struct {
	Exclusive bool
	Protocol  Protocol // zero means ProtocolAny
}

// PCSC is a card connected through pcscd. It implements Transport and applies
// the 61xx/6Cxx rules. It is not safe for concurrent use.
type PCSC struct {
	reader   string
	card     *scard.Card
	share    scard.ShareMode
	proto    scard.Protocol
	atr      []byte
	closed   bool
	inTxn    bool
	closeErr error
	ownCtx   *Context // released by Close when Open created it
}

var _ Transport = (*PCSC)(nil)

// Connect connects to the card in reader. It fails with ErrNoCard when the
// reader is empty and ErrSharingViolation when another application holds the
// card exclusively.
func (c *Context) Connect(ctx context.Context, reader string, o ConnectOptions) (*PCSC, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	share := scard.ShareShared
	if o.Exclusive {
		share = scard.ShareExclusive
	}
	proto := scard.ProtocolAny
	switch o.Protocol {
	case ProtocolT0:
		proto = scard.ProtocolT0
	case ProtocolT1:
		proto = scard.ProtocolT1
	}
	card, err := c.ctx.Connect(reader, share, proto)
	if err != nil {
		return nil, pcscErr(reader, "connect", err)
	}
	p := &PCSC{reader: reader, card: card, share: share, proto: proto}
	if err := p.refreshATR(); err != nil {
		_ = card.Disconnect(scard.LeaveCard)
		return nil, err
	}
	return p, nil
}

func (p *PCSC) refreshATR() error {
	st, err := p.card.Status()
	if err != nil {
		return pcscErr(p.reader, "status", err)
	}
	p.atr = append([]byte(nil), st.Atr...)
	return nil
}

// Reader returns the reader name.
func (p *PCSC) Reader() string { return p.reader }

// Protocol returns the active protocol, T=0 or T=1.
func (p *PCSC) Protocol() Protocol {
	if p.card.ActiveProtocol() == scard.ProtocolT0 {
		return ProtocolT0
	}
	return ProtocolT1
}

// ATR returns the answer to reset read at connect or the last Reset.
func (p *PCSC) ATR() []byte { return p.atr }

// Exchange sends one APDU without the 61xx/6Cxx rules (Link).
func (p *PCSC) Exchange(ctx context.Context, capdu []byte) ([]byte, error) {
	if p.closed {
		return nil, fmt.Errorf("reader %q: %w", p.reader, ErrClosed)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	r, err := p.card.Transmit(capdu)
	if err != nil {
		return nil, pcscErr(p.reader, "transmit", err)
	}
	if len(r) < 2 {
		// Some drivers (vpcd among them) report success with no bytes when
		// the card went away mid-command; ask pcscd what happened.
		if _, serr := p.card.Status(); serr != nil {
			return nil, pcscErr(p.reader, "transmit", serr)
		}
		return nil, fmt.Errorf("reader %q: transmit: %w (%d-byte response)", p.reader, ErrUnresponsiveCard, len(r))
	}
	return r, nil
}

// Transmit sends capdu and returns the complete response, following 61xx with
// GET RESPONSE and 6Cxx with a re-send. An APDU in flight cannot be
// interrupted; ctx is checked before each APDU.
func (p *PCSC) Transmit(ctx context.Context, capdu []byte) ([]byte, error) {
	return transmitISO(ctx, p.reader, p, capdu)
}

// Begin starts a PC/SC transaction: other applications cannot use the card
// until End. Use it around multi-APDU operations on a shared connection.
func (p *PCSC) Begin(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := p.card.BeginTransaction(); err != nil {
		return pcscErr(p.reader, "begin transaction", err)
	}
	p.inTxn = true
	return nil
}

// End ends the transaction started by Begin, leaving the card as it is.
func (p *PCSC) End() error {
	p.inTxn = false
	return pcscErr(p.reader, "end transaction", p.card.EndTransaction(scard.LeaveCard))
}

// Reset warm-resets the card (SCardReconnect with SCARD_RESET_CARD) and reads
// the new ATR. Every secure channel and selection on the card is lost.
func (p *PCSC) Reset(ctx context.Context) error {
	if p.closed {
		return fmt.Errorf("reader %q: %w", p.reader, ErrClosed)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := p.card.Reconnect(p.share, p.proto, scard.ResetCard); err != nil {
		return pcscErr(p.reader, "reset", err)
	}
	return p.refreshATR()
}

// Close ends any transaction and disconnects, leaving the card powered. It is
// idempotent.
func (p *PCSC) Close() error {
	if p.closed {
		return p.closeErr
	}
	p.closed = true
	if p.inTxn {
		_ = p.card.EndTransaction(scard.LeaveCard)
	}
	p.closeErr = pcscErr(p.reader, "disconnect", p.card.Disconnect(scard.LeaveCard))
	if p.ownCtx != nil {
		p.ownCtx.Close()
	}
	return p.closeErr
}

// Open is the one-call way to reach a card: it establishes a context, resolves
// spec with Find, waits up to wait for a card (0: do not wait), and connects.
// Closing the returned PCSC also releases the context.
func Open(ctx context.Context, spec string, wait time.Duration, o ConnectOptions) (*PCSC, error) {
	c, err := NewContext()
	if err != nil {
		return nil, err
	}
	name, err := c.Find(spec)
	if err != nil {
		c.Close()
		return nil, err
	}
	if wait > 0 {
		wctx, cancel := context.WithTimeout(ctx, wait)
		err = c.WaitForCard(wctx, name)
		cancel()
		if errors.Is(err, context.DeadlineExceeded) {
			err = fmt.Errorf("reader %q: %w waiting %v for a card", name, ErrTimeout, wait)
		}
		if err != nil {
			c.Close()
			return nil, err
		}
	}
	p, err := c.Connect(ctx, name, o)
	if err != nil {
		c.Close()
		return nil, err
	}
	p.ownCtx = c
	return p, nil
}
