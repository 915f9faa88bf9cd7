package gpcard

import (
	"context"
	"fmt"
	"slices"

	"github.com/cardhost/cardhost/gpcard/command"
	"github.com/cardhost/cardhost/gpcard/keys"
	"github.com/skythen/apdu"
)

// DGIOptions say which DGIs of a StoreDGIs or PersonalizeWith call carry
// secrets. Secret DGIs are encrypted inside the key provider under the DEK of
// the current secure channel, by the DEK rules of its protocol (gp-card.md
// §1.8: SCP02 session DEK, 3DES-ECB with explicit initiation, GPCS 2.3.1
// §E.4.7; SCP03 static Key-DEK, AES-CBC with ICV 0, Amd D §6.2.1), and sent
// in STORE DATA blocks announced as encrypted (P1 b7–b6 = 11, GPCS 2.3.1
// §11.11.2.1, Table 11-89) that hold nothing else; only the DGI values are
// encrypted, identifiers and lengths stay clear. The DEK never leaves the
// provider. The zero value encrypts nothing.
type DGIOptions struct {
	// Encrypt lists DGI identifiers of the call whose values the key
	// provider encrypts (keys.DataEncrypter, e.g. keys.Local). Each value
	// must be a non-empty multiple of the cipher block, 8 bytes for SCP02
	// and 16 for SCP03, since neither protocol defines a padding for
	// sensitive data (keys.ErrDataLength): the receiving application
	// defines any padding. Every identifier must be among the DGIs.
	Encrypt []uint16
	// Keys are DGIs whose value is a key held by the key provider, sent
	// before the other DGIs: the provider encrypts the key under the
	// session's DEK exactly as for PUT KEY (keys.Provider WrapKey), so the
	// key itself never leaves it. A 24-byte AES key is padded with 8
	// arbitrary bytes (Amd D §6.2.8) and its DGI is 32 bytes long.
	Keys []KeyDGI
}

// KeyDGI is a DGI whose value is a key named in the key provider.
type KeyDGI struct {
	ID  uint16      // DGI identifier, e.g. 8101
	Key keys.KeyRef // the key
}

// KeyDGIResult describes a key sent in a DGI: never the key, only its
// reference and check value.
type KeyDGIResult struct {
	DGI uint16 `json:"dgi"`
	KVN byte   `json:"kvn"`
	KID byte   `json:"kid"`
	// Type and KCV are those of the key read as a key of the session's
	// protocol (keys.TypeFor): in an SCP02 session a 16-byte key is
	// checked as 3DES (3DES-ECB of 00×8), in SCP03 as AES (AES-ECB of
	// 01×16) (GPCS 2.3.1 §B.6).
	Type string   `json:"type"`
	KCV  HexBytes `json:"kcv"`
}

// PersonalizeWith is Personalize with secret DGIs encrypted as o says:
// INSTALL [for personalization] of aid, then StoreDGIs. It returns the check
// values of o.Keys. It needs a secure channel whose key provider holds the
// keys of o.Keys and, when o.Encrypt is set, implements
// keys.DataEncrypter (scp.ErrNoDataEncryption otherwise).
func (c *Card) PersonalizeWith(ctx context.Context, aid []byte, dgis []command.DGI, o DGIOptions) ([]KeyDGIResult, error) {
	if _, err := c.secured(); err != nil {
		return nil, err
	}
	// Encrypt first: a refused value costs no command.
	segs, res, err := c.dgiSegments(ctx, dgis, o)
	if err != nil {
		return nil, err
	}
	cmd, err := command.InstallForPersonalization(aid)
	if err != nil {
		return nil, err
	}
	if _, err := c.exchange(ctx, command.NameInstallForPersonalization, cmd); err != nil {
		return nil, err
	}
	if err := c.sendDGIs(ctx, segs); err != nil {
		return nil, err
	}
	return res, nil
}

// StoreDGIs sends DGIs with STORE DATA in DGI format to the selected
// Security Domain, or to the application named by a preceding INSTALL [for
// personalization], encrypting the secret ones as o says (see DGIOptions).
// Clear DGIs go in clear blocks, secret ones in encrypted blocks, each run
// in as many blocks as the channel needs, numbered on from 00; the last
// block has P1 b8 set. It returns the check values of o.Keys. It needs a
// secure channel.
func (c *Card) StoreDGIs(ctx context.Context, dgis []command.DGI, o DGIOptions) ([]KeyDGIResult, error) {
	if _, err := c.secured(); err != nil {
		return nil, err
	}
	segs, res, err := c.dgiSegments(ctx, dgis, o)
	if err != nil {
		return nil, err
	}
	if err := c.sendDGIs(ctx, segs); err != nil {
		return nil, err
	}
	return res, nil
}

// dgiSegments encodes o.Keys (wrapped) and dgis (the values of o.Encrypt
// encrypted) into runs of clear and encrypted DGIs, in order.
func (c *Card) dgiSegments(ctx context.Context, dgis []command.DGI, o DGIOptions) ([]command.StoreDataSegment, []KeyDGIResult, error) {
	s := c.session
	for _, id := range o.Encrypt {
		if !slices.ContainsFunc(dgis, func(d command.DGI) bool { return d.ID == id }) {
			return nil, nil, fmt.Errorf("gpcard: DGI %04X is to be encrypted but not among the DGIs", id)
		}
	}
	var segs []command.StoreDataSegment
	add := func(d command.DGI, enc bool) error {
		if len(segs) == 0 || segs[len(segs)-1].Encrypted != enc {
			segs = append(segs, command.StoreDataSegment{Encrypted: enc})
		}
		b, err := command.AppendDGI(segs[len(segs)-1].Data, d)
		segs[len(segs)-1].Data = b
		return err
	}
	var res []KeyDGIResult
	for _, k := range o.Keys {
		w, err := s.WrapKey(ctx, k.Key)
		if err != nil {
			return nil, nil, fmt.Errorf("DGI %04X: wrapping key %02X/%02X: %w", k.ID, k.Key.KVN, k.Key.KID, err)
		}
		if err := add(command.DGI{ID: k.ID, Value: w.Cipher}, true); err != nil {
			return nil, nil, err
		}
		res = append(res, KeyDGIResult{DGI: k.ID, KVN: k.Key.KVN, KID: k.Key.KID, Type: w.Type.String(), KCV: w.KCV})
	}
	for _, d := range dgis {
		enc := slices.Contains(o.Encrypt, d.ID)
		if enc {
			ct, err := s.EncryptData(ctx, d.Value)
			if err != nil {
				return nil, nil, fmt.Errorf("DGI %04X: %w", d.ID, err)
			}
			d = command.DGI{ID: d.ID, Value: ct}
		}
		if err := add(d, enc); err != nil {
			return nil, nil, err
		}
	}
	return segs, res, nil
}

// sendDGIs sends segs in STORE DATA blocks in DGI format.
func (c *Card) sendDGIs(ctx context.Context, segs []command.StoreDataSegment) error {
	s, err := c.secured()
	if err != nil {
		return err
	}
	cmds, err := command.StoreDataSegments(segs, min(s.MaxCommandData(), apdu.MaxLenCommandDataStandard), command.StoreDataOptions{Format: command.StoreDGI})
	if err != nil {
		return err
	}
	_, err = c.storeBlocks(ctx, cmds)
	return err
}
