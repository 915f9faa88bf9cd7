package sim

import (
	"context"
	"fmt"
	"sync"

	"github.com/cardhost/cardhost/reader"
	"github.com/cardhost/cardhost/sim/vpcd"
)

var (
	_ vpcd.Card        = (*Card)(nil)
	_ reader.Transport = (*Transport)(nil)
)

// Transport is the in-process reader.Transport of a Card, for tests:
//
//	t := sim.New(profile.Default()).Transport()
//
// The card never answers 61xx or 6Cxx, so no ISO 7816-4 transport rules are
// needed. Like every Transport it is not for concurrent use.
type Transport struct {
	card   *Card
	mu     sync.Mutex
	closed bool
}

// Transport returns a new in-process transport to c.
func (c *Card) Transport() *Transport { return &Transport{card: c} }

// Card returns the card behind t.
func (t *Transport) Card() *Card { return t.card }

// Transmit sends capdu to the card. After a tear, or while the card is
// unpowered, it fails with an error matching reader.ErrCardRemoved until
// Reset powers the card again.
func (t *Transport) Transmit(ctx context.Context, capdu []byte) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	t.mu.Lock()
	closed := t.closed
	t.mu.Unlock()
	if closed {
		return nil, reader.ErrClosed
	}
	resp := t.card.Transmit(capdu)
	if resp == nil {
		return nil, fmt.Errorf("sim: card lost power: %w", reader.ErrCardRemoved)
	}
	return resp, nil
}

// ATR returns the card's answer to reset.
func (t *Transport) ATR() []byte { return t.card.ATR() }

// Reset warm-resets the card, powering it if it was torn.
func (t *Transport) Reset(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	t.card.Reset()
	return nil
}

// Close marks the transport closed; the card keeps its state. It is
// idempotent.
func (t *Transport) Close() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.closed = true
	return nil
}
