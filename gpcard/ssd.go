package gpcard

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/cardhost/cardhost/gpcard/command"
	"github.com/cardhost/cardhost/gpcard/keys"
	"github.com/cardhost/cardhost/gpcard/tlv"
)

// Default SSD creation package and module (GlobalPlatformPro --domain;
// gp-card.md §1.4).
var (
	SDPackage = []byte{0xA0, 0x00, 0x00, 0x01, 0x51, 0x53, 0x50}
	SDModule  = []byte{0xA0, 0x00, 0x00, 0x01, 0x51, 0x53, 0x50, 0x41}
)

// KeyDelivery is how a new SSD receives its first key set; the zero value
// is unset.
type KeyDelivery int

// Key deliveries (gp-card.md §1.6).
const (
	// ByStoreData personalises the SSD through the ISD: INSTALL [for
	// personalization] then STORE DATA with DGI 00B9 (key CRT) and 8113
	// (the key under the ISD session's DEK) per key.
	ByStoreData KeyDelivery = iota + 1
	// ByPutKey selects the SSD, authenticates with its initial keys and
	// sends PUT KEY; the Card stays on the SSD's secure channel.
	ByPutKey
)

// InitialKeys says how and which keys a new SSD gets.
type InitialKeys struct {
	Via KeyDelivery
	// KVN is the version of the new keys; Keys name them in the key
	// provider (nil: KVN, KID 1, 2, 3).
	KVN  byte
	Keys []keys.KeyRef
	// Usage and Access fill the key CRT tags 95 and 96 for ByStoreData
	// (Access 00: any authorised user, the default for SCP keys;
	// gp-card.md §1.10). A zero Usage omits tag 95.
	Usage, Access byte
	// For ByPutKey: Initial holds the SSD's initial keys and the new ones,
	// Auth how to authenticate with them, ReplaceKVN the version replaced
	// (0 adds a set).
	Initial    keys.Provider
	Auth       AuthOptions
	ReplaceKVN byte
}

// SSDOptions configure CreateSSD.
type SSDOptions struct {
	// AID of the new SSD.
	AID []byte
	// Package and Module default to SDPackage and SDModule.
	Package, Module []byte
	// Privileges by name; SecurityDomain is always added.
	Privileges []string
	// SCP and I go into C9 as 81 02 <scp> <i>; a zero SCP takes the
	// protocol and i of the current secure channel.
	SCP, I byte
	// AcceptExtraditionTo adds 82 02 20 20, AcceptExtraditionFrom 87 02 20
	// 20 (GlobalPlatformPro --allow-to / --allow-from; card-profile data).
	AcceptExtraditionTo, AcceptExtraditionFrom bool
	// Extra data objects appended inside C9.
	Extra []tlv.TLV
	// C9, when non-nil, replaces the whole C9 content (e.g. 45 for cards
	// that only accept the old style).
	C9 []byte
	// System are the memory quotas; Token the install token.
	System command.SystemParams
	Token  []byte
	// InitialKeys, when set, gives the SSD its first key set.
	InitialKeys *InitialKeys
}

// SSDResult describes a created SSD.
type SSDResult struct {
	AID  HexBytes      `json:"aid"`
	Keys *KeySetResult `json:"keys,omitempty"`
}

// CreateSSD installs a Security Domain with INSTALL [for install and make
// selectable] of the SD package (GPCS 2.3.1 §11.5, Table 11-43; C9 per
// gp-card.md §1.5), then delivers its initial keys when asked. It needs a
// secure channel to a Security Domain allowed to install.
func (c *Card) CreateSSD(ctx context.Context, o SSDOptions) (*SSDResult, error) {
	if _, err := c.secured(); err != nil {
		return nil, err
	}
	in := InstallOptions{LoadFile: o.Package, Module: o.Module, AID: o.AID, System: o.System, Token: o.Token, Params: o.C9}
	if in.LoadFile == nil {
		in.LoadFile = SDPackage
	}
	if in.Module == nil {
		in.Module = SDModule
	}
	in.Privileges = append(slices.Clone(o.Privileges), "SecurityDomain")
	if in.Params == nil {
		in.Params = c.sdParams(o)
	}
	if err := c.Install(ctx, in); err != nil {
		return nil, err
	}
	res := &SSDResult{AID: o.AID}
	if o.InitialKeys == nil {
		return res, nil
	}
	var err error
	switch o.InitialKeys.Via {
	case ByStoreData:
		res.Keys, err = c.storeKeys(ctx, o.AID, *o.InitialKeys)
	case ByPutKey:
		res.Keys, err = c.putInitialKeys(ctx, o.AID, *o.InitialKeys)
	default:
		err = errors.New("gpcard: InitialKeys.Via unset")
	}
	if err != nil {
		return nil, fmt.Errorf("SSD %X created, initial keys failed: %w", o.AID, err)
	}
	return res, nil
}

// sdParams builds the C9 content: 81 02 <scp> <i> and the extradition flags.
func (c *Card) sdParams(o SSDOptions) []byte {
	scp, i := o.SCP, o.I
	if scp == 0 {
		scp, i = c.proto, c.session.I()
	}
	extra := slices.Clone(o.Extra)
	if o.AcceptExtraditionTo {
		extra = append(extra, tlv.New(0x82, []byte{0x20, 0x20}))
	}
	if o.AcceptExtraditionFrom {
		extra = append(extra, tlv.New(0x87, []byte{0x20, 0x20}))
	}
	return command.SDParams(scp, i, extra...)
}

func keyRefs(k InitialKeys) []keys.KeyRef {
	if k.Keys != nil {
		return k.Keys
	}
	return []keys.KeyRef{{KVN: k.KVN, KID: 1}, {KVN: k.KVN, KID: 2}, {KVN: k.KVN, KID: 3}}
}

// storeKeys personalises the SSD through the current Security Domain: per
// key DGI 00B9 { [95 usage] 96 access 80 type 81 length 82 KID 83 KVN 84 KCV }
// and DGI 8113 <key under the session DEK> (gp-card.md §1.6; GPCS 2.3.1
// §11.11.4).
func (c *Card) storeKeys(ctx context.Context, aid []byte, k InitialKeys) (*KeySetResult, error) {
	res := &KeySetResult{KVN: k.KVN}
	var dgis []command.DGI
	for _, ref := range keyRefs(k) {
		w, err := c.session.WrapKey(ctx, ref)
		if err != nil {
			return nil, fmt.Errorf("wrapping key %02X/%02X: %w", ref.KVN, ref.KID, err)
		}
		var crt []tlv.TLV
		if k.Usage != 0 {
			crt = append(crt, tlv.New(0x95, []byte{k.Usage}))
		}
		crt = append(crt, tlv.New(0x96, []byte{k.Access}), tlv.New(0x80, []byte{w.Type.KeyTypeByte()}), tlv.New(0x81, []byte{byte(w.ClearLen)}),
			tlv.New(0x82, []byte{ref.KID}), tlv.New(0x83, []byte{ref.KVN}), tlv.New(0x84, w.KCV))
		dgis = append(dgis, command.DGI{ID: 0x00B9, Value: tlv.Encode(crt...)}, command.DGI{ID: 0x8113, Value: w.Cipher})
		res.Type = w.Type.String()
		res.KCV = append(res.KCV, w.KCV)
	}
	if err := c.Personalize(ctx, aid, dgis); err != nil {
		return nil, err
	}
	return res, nil
}

// putInitialKeys selects the SSD, authenticates with its initial keys and
// replaces or adds the key set.
func (c *Card) putInitialKeys(ctx context.Context, aid []byte, k InitialKeys) (*KeySetResult, error) {
	if k.Initial == nil {
		return nil, errors.New("gpcard: ByPutKey needs the SSD's initial keys (InitialKeys.Initial)")
	}
	if err := c.Select(ctx, aid); err != nil {
		return nil, err
	}
	if err := c.Authenticate(ctx, k.Initial, k.Auth); err != nil {
		return nil, err
	}
	return c.PutKeySet(ctx, PutKeyOptions{ReplaceKVN: k.ReplaceKVN, NewKVN: k.KVN, Keys: k.Keys})
}
