package gpcard

import (
	"context"

	"github.com/cardhost/cardhost/gpcard/command"
	"github.com/skythen/apdu"
)

// Lock locks an application or SSD with SET STATUS (GPCS 2.3.1 §11.10.2.2).
// It needs a secure channel.
func (c *Card) Lock(ctx context.Context, aid []byte) error { return c.setLock(ctx, aid, true) }

// Unlock returns a locked application or SSD to its previous state.
func (c *Card) Unlock(ctx context.Context, aid []byte) error { return c.setLock(ctx, aid, false) }

func (c *Card) setLock(ctx context.Context, aid []byte, lock bool) error {
	if _, err := c.secured(); err != nil {
		return err
	}
	cmd, err := command.LockApplication(aid, lock)
	if err != nil {
		return err
	}
	_, err = c.exchange(ctx, command.NameSetStatus, cmd)
	return err
}

// SetCardState sets the card life cycle with SET STATUS (GPCS 2.3.1 Table
// 11-81): command.CardSecured, CardLocked (lock the card; back to
// CardSecured unlocks it) or CardTerminated, which is irreversible. It needs
// a secure channel.
func (c *Card) SetCardState(ctx context.Context, state byte) error {
	if _, err := c.secured(); err != nil {
		return err
	}
	_, err := c.exchange(ctx, command.NameSetStatus, command.SetCardLifeCycle(state))
	return err
}

// StoreData sends data to the selected Security Domain (or the application
// named by a preceding INSTALL [for personalization]) in as many STORE DATA
// blocks as the channel needs (GPCS 2.3.1 §11.11) and returns the response
// data of the blocks, concatenated. It needs a secure channel.
func (c *Card) StoreData(ctx context.Context, data []byte, o command.StoreDataOptions) ([]byte, error) {
	s, err := c.secured()
	if err != nil {
		return nil, err
	}
	cmds, err := command.StoreData(data, min(s.MaxCommandData(), apdu.MaxLenCommandDataStandard), o)
	if err != nil {
		return nil, err
	}
	return c.storeBlocks(ctx, cmds)
}

// storeBlocks sends STORE DATA commands in order and returns their response
// data, concatenated; it stops at the first error.
func (c *Card) storeBlocks(ctx context.Context, cmds []apdu.Capdu) ([]byte, error) {
	var out []byte
	for _, cmd := range cmds {
		r, err := c.exchange(ctx, command.NameStoreData, cmd)
		if err != nil {
			return nil, err
		}
		out = append(out, r.Data...)
	}
	return out, nil
}

// Personalize sends DGIs to the application or SSD aid through the selected
// Security Domain: INSTALL [for personalization] then STORE DATA in DGI
// format (GPCS 2.3.1 §11.5.2.3.6, §11.11), all in clear blocks. DGIs whose
// content is secret must already be encrypted; to have the key provider
// encrypt them under the session's DEK, use PersonalizeWith. It needs a
// secure channel.
func (c *Card) Personalize(ctx context.Context, aid []byte, dgis []command.DGI) error {
	_, err := c.PersonalizeWith(ctx, aid, dgis, DGIOptions{})
	return err
}
