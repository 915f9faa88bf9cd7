package gpcard

import (
	"context"
	"errors"
	"fmt"

	"github.com/cardhost/cardhost/gpcard/command"
	"github.com/cardhost/cardhost/gpcard/scp"
	"github.com/cardhost/cardhost/gpcard/sw"
)

// ErrChannelClosed: the logical channel of this Card was closed with
// CloseChannel.
var ErrChannelClosed = errors.New("gpcard: logical channel closed")

// Channel returns the logical channel this Card talks on: 0 for the basic
// channel, 1–19 for one opened with OpenChannel.
func (c *Card) Channel() int { return c.ch }

// OpenChannel opens a supplementary logical channel with MANAGE CHANNEL
// [open] on the basic channel (00 70 00 00 01, the card chooses the number;
// ISO/IEC 7816-4 §11.1.2, GPCS 2.3.1 §11.1.4) and selects the Security
// Domain sd on it (nil: the one selected on c). It returns a Card bound to
// the new channel: every command it sends carries the channel number in its
// class byte, and its secure channel (Authenticate) is independent of c's,
// as a secure channel session is bound to the logical channel it was
// opened on (GPCS 2.3.1 chapter 10). c may be any Card of the transport.
// The new Card starts without a secure channel and without a Delegation.
//
// The Cards share c's transport and options; like a Card itself, they must
// not be used concurrently (a card processes one command at a time). Close
// the channel with CloseChannel.
func (c *Card) OpenChannel(ctx context.Context, sd []byte) (*Card, error) {
	if c.closed {
		return nil, ErrChannelClosed
	}
	if sd == nil {
		sd = c.SD()
	}
	r, err := scp.TransmitRaw(ctx, c.t, command.ManageChannelOpen())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", command.NameManageChannel, err)
	}
	if err := sw.Check(command.NameManageChannel, scp.SW(r)); err != nil {
		return nil, err
	}
	n, err := command.ParseManageChannelOpen(r.Data)
	if err != nil {
		return nil, err
	}
	nc := &Card{t: c.t, o: c.o, ch: n}
	if err := nc.Select(ctx, sd); err != nil {
		// Leave no channel behind on the card.
		if cerr := nc.CloseChannel(ctx); cerr != nil {
			return nil, errors.Join(err, cerr)
		}
		return nil, err
	}
	return nc, nil
}

// CloseChannel ends the secure channel of a Card returned by OpenChannel and
// closes its logical channel with MANAGE CHANNEL [close] sent on the basic
// channel (00 70 80 n). Later calls return nil; the basic channel cannot be
// closed.
func (c *Card) CloseChannel(ctx context.Context) error {
	if c.ch == 0 {
		return errors.New("gpcard: the basic channel cannot be closed")
	}
	if c.closed {
		return nil
	}
	c.closeSession()
	cmd, err := command.ManageChannelClose(c.ch)
	if err != nil {
		return err
	}
	r, err := scp.TransmitRaw(ctx, c.t, cmd)
	if err != nil {
		return fmt.Errorf("%s: %w", command.NameManageChannel, err)
	}
	if err := sw.Check(command.NameManageChannel, scp.SW(r)); err != nil {
		return err
	}
	c.closed = true
	return nil
}
