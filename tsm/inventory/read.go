package inventory

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/cardhost/cardhost/gpcard"
	"github.com/cardhost/cardhost/gpcard/command"
	"github.com/cardhost/cardhost/tsm/store"
)

// ErrNoCIN reports a card that does not answer GET DATA 45: without a Card
// Image Number the TSM cannot key its inventory.
var ErrNoCIN = errors.New("inventory: card reports no CIN (GET DATA 45)")

// Snapshot is what Read learned: the inventory record and the key
// diversification data that per-card keys are derived from.
type Snapshot struct {
	Card store.Card
	KDD  []byte // 10 bytes (GET DATA CF), nil if the card does not report it
}

// Read builds a snapshot of the card behind c, which must hold a secure
// channel to the issuer security domain (GET STATUS needs one). Reading the
// key information of each supplementary security domain selects it, which
// ends the secure channel; c is left with the ISD selected again only when
// there were SSDs to read, so callers check c.Authenticated before sending
// commands that need a channel.
func Read(ctx context.Context, c *gpcard.Card) (Snapshot, error) {
	info, err := c.Info(ctx)
	if err != nil {
		return Snapshot{}, fmt.Errorf("reading card data: %w", err)
	}
	if len(info.CIN) == 0 {
		return Snapshot{}, ErrNoCIN
	}
	isd := bytes.Clone(c.SD())
	card := store.Card{CIN: info.CIN, IIN: info.IIN, ISDAID: isd}
	if info.CPLC != nil {
		card.CPLC = cplcBytes(info.CPLC)
		card.CPLCSerial = bytes.Clone(info.CPLC.ICSerialNumber[:])
	}
	card.KeySets = keySets(isd, info.KeyInfo)
	kdd, err := readKDD(ctx, c)
	if err != nil {
		return Snapshot{}, err
	}
	reg, err := c.Registry(ctx)
	if err != nil {
		return Snapshot{}, fmt.Errorf("reading the registry: %w", err)
	}
	addRegistry(&card, reg)
	if err := readSSDKeys(ctx, c, &card); err != nil {
		return Snapshot{}, err
	}
	return Snapshot{Card: card, KDD: kdd}, nil
}

// readKDD asks for GET DATA CF; a card that refuses it has no KDD to give.
func readKDD(ctx context.Context, c *gpcard.Card) ([]byte, error) {
	r, err := c.Transmit(ctx, command.GetData(command.TagKDD))
	if err != nil {
		return nil, fmt.Errorf("GET DATA CF: %w", err)
	}
	if r.SW1 != 0x90 || r.SW2 != 0x00 {
		return nil, nil
	}
	kdd, err := command.ParseKDD(r.Data)
	if err != nil {
		return nil, fmt.Errorf("GET DATA CF: %w", err)
	}
	return kdd, nil
}

// readSSDKeys selects each supplementary security domain and reads its key
// information template, then selects the ISD again.
func readSSDKeys(ctx context.Context, c *gpcard.Card, card *store.Card) error {
	read := false
	for _, d := range card.Domains {
		if bytes.Equal(d.AID, card.ISDAID) {
			continue
		}
		read = true
		if err := c.Select(ctx, d.AID); err != nil {
			return fmt.Errorf("selecting SSD %X: %w", d.AID, err)
		}
		r, err := c.Transmit(ctx, command.GetData(command.TagKeyInformation))
		if err != nil {
			return fmt.Errorf("GET DATA E0 of SSD %X: %w", d.AID, err)
		}
		if r.SW1 != 0x90 || r.SW2 != 0x00 {
			continue // an SSD without keys may not answer
		}
		ki, err := command.ParseKeyInfo(r.Data)
		if err != nil {
			return fmt.Errorf("key information of SSD %X: %w", d.AID, err)
		}
		card.KeySets = append(card.KeySets, keySets(d.AID, ki)...)
	}
	if read {
		if err := c.Select(ctx, card.ISDAID); err != nil {
			return fmt.Errorf("selecting the ISD again: %w", err)
		}
	}
	return nil
}
