package sim

import (
	"bytes"
	"fmt"

	"github.com/cardhost/cardhost/sim/image"
	"github.com/cardhost/cardhost/sim/profile"
)

// Non-volatile memory charged for objects whose size the card cannot know
// from the command (a simplification: real cards charge their own object
// sizes).
const (
	sdInstanceSize     = 1024 // a Security Domain instance
	appletInstanceSize = 256  // an application instance, plus its EF/C8 quota
)

// newState builds the initial image of a card made with p.
func newState(p *profile.Profile) (*image.State, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	gp, _ := p.GPVersionBytes()
	lc, _ := p.LifeCycleByte()
	cplc, _ := p.CPLC.Bytes()
	keyType := image.KeyTypeDES3
	if p.KeyType == "AES" {
		keyType = image.KeyTypeAES
	}
	// KIDs 1, 2, 3 = ENC, MAC, DEK (shared/spec/gp-card.md §1.10).
	keys := []image.Key{
		{ID: 1, Type: keyType, Value: bytes.Clone(p.Keys.ENC)},
		{ID: 2, Type: keyType, Value: bytes.Clone(p.Keys.MAC)},
		{ID: 3, Type: keyType, Value: bytes.Clone(p.Keys.DEK)},
	}
	isdAID := bytes.Clone(p.ISDAID)
	s := &image.State{
		Config: image.Config{
			ATR:              bytes.Clone(p.ATR),
			GPVersion:        gp,
			MaxBlock:         p.MaxBlock,
			ExtendedLength:   p.ExtendedLength,
			AuthFailureLimit: p.AuthFailureLimit,
			MemoryTotal:      p.Memory,
			// A new SSD starts with the card's factory key values (the
			// test keys of the embedded profiles), as GP test cards do.
			SSDKeys: image.KeySet{Keys: keys}.Clone().Keys,
		},
		LifeCycle: lc,
		CPLC:      cplc,
		KDD:       bytes.Clone(p.KDD),
	}
	for _, pk := range p.Packages {
		v, _ := profile.ParseVersion(pk.Version)
		lf := image.LoadFile{AID: bytes.Clone(pk.AID), Version: v, SD: isdAID, LifeCycle: image.LoadFileLoaded}
		for _, m := range pk.Modules {
			lf.Modules = append(lf.Modules, bytes.Clone(m))
		}
		if s.LoadFile(lf.AID) != nil {
			return nil, fmt.Errorf("packages: %X listed twice", lf.AID)
		}
		s.LoadFiles = append(s.LoadFiles, lf)
	}
	var privs [3]byte
	copy(privs[:], p.ISDPrivileges)
	s.Apps = []image.App{{
		AID:        isdAID,
		LifeCycle:  lc,
		Privileges: privs,
		SD:         isdAID,
		Domain: &image.Domain{
			SCP:     byte(p.SCP),
			I:       byte(p.I),
			KeySets: []image.KeySet{{KVN: byte(p.KVN), Keys: keys, Counter: p.SequenceCounter}},
			IIN:     bytes.Clone(p.IIN),
			CIN:     bytes.Clone(p.CIN),
		},
	}}
	if len(p.ReceiptKey) > 0 {
		s.Apps[0].Domain.Receipt = &image.Key{ID: 1, Type: keyType, Value: bytes.Clone(p.ReceiptKey)}
	}
	return s, nil
}
