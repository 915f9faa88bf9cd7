package gpcard

import (
	"context"
	"errors"
	"fmt"

	"github.com/cardhost/cardhost/gpcard/command"
	"github.com/cardhost/cardhost/gpcard/keys"
)

// ErrKeyCheck: the card's answer to PUT KEY does not confirm the key version
// and check values sent; the key set on the card is in doubt.
var ErrKeyCheck = errors.New("gpcard: PUT KEY response does not confirm the keys sent")

// PutKeyOptions configure PutKeySet.
type PutKeyOptions struct {
	// ReplaceKVN is the key version replaced (P1); 0 adds a new key set.
	ReplaceKVN byte
	// NewKVN is the version of the keys sent (01–7F).
	NewKVN byte
	// Keys name the new keys inside the session's key provider, in KID
	// order from the first; nil means KVN NewKVN, KID 1, 2, 3 (ENC, MAC,
	// DEK).
	Keys []keys.KeyRef
}

// KeySetResult describes a key set the card accepted: never key bytes, only
// its version and check values.
type KeySetResult struct {
	KVN  byte       `json:"kvn"`
	Type string     `json:"type"` // e.g. AES-128
	KCV  []HexBytes `json:"kcv"`  // per key, in KID order
}

// PutKeySet sends a whole key set in one PUT KEY (GPCS 2.3.1 §11.8; P2 81
// for KIDs 1–3), each key encrypted under the session's DEK by the key
// provider, and checks that the card answers with the new KVN and the same
// check values (an ErrKeyCheck error otherwise). It needs a secure channel
// whose provider also holds the new keys.
func (c *Card) PutKeySet(ctx context.Context, o PutKeyOptions) (*KeySetResult, error) {
	s, err := c.secured()
	if err != nil {
		return nil, err
	}
	refs := o.Keys
	if refs == nil {
		refs = []keys.KeyRef{{KVN: o.NewKVN, KID: 1}, {KVN: o.NewKVN, KID: 2}, {KVN: o.NewKVN, KID: 3}}
	}
	if len(refs) == 0 {
		return nil, errors.New("gpcard: PutKeySet needs keys")
	}
	p := command.PutKeyParams{ReplaceKVN: o.ReplaceKVN, NewKVN: o.NewKVN, FirstKID: refs[0].KID}
	res := &KeySetResult{KVN: o.NewKVN}
	for _, ref := range refs {
		w, err := s.WrapKey(ctx, ref)
		if err != nil {
			return nil, fmt.Errorf("PUT KEY: wrapping key %02X/%02X: %w", ref.KVN, ref.KID, err)
		}
		p.Keys = append(p.Keys, putKeyBlock(w))
		res.Type = w.Type.String()
		res.KCV = append(res.KCV, w.KCV)
	}
	cmd, err := command.PutKey(p)
	if err != nil {
		return nil, err
	}
	r, err := c.exchange(ctx, command.NamePutKey, cmd)
	if err != nil {
		return nil, err
	}
	if err := command.CheckPutKeyResponse(r.Data, p); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrKeyCheck, err)
	}
	return res, nil
}

// putKeyBlock turns a wrapped key into a PUT KEY key data field: AES keys
// carry the clear length before the cryptogram, DES keys do not unless the
// length is not a multiple of 8 (gp-card.md §1.7; GPCS 2.3.1 Tables 11-70,
// 11-71; Amd D §7.2).
func putKeyBlock(w keys.WrappedKey) command.WrappedKey {
	k := command.WrappedKey{Type: w.Type.KeyTypeByte(), Cryptogram: w.Cipher, KCV: w.KCV}
	if w.Type.IsAES() || w.ClearLen%8 != 0 {
		k.ClearLength = byte(w.ClearLen)
	}
	return k
}
