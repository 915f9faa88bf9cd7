package inventory

import (
	"bytes"
	"slices"

	"github.com/cardhost/cardhost/gpcard"
	"github.com/cardhost/cardhost/gpcard/command"
	"github.com/cardhost/cardhost/tsm/store"
)

// keySets groups key information entries (GET DATA E0, C0 entries) by KVN.
func keySets(sd []byte, ki []command.KeyInfo) []store.KeySet {
	var out []store.KeySet
	for _, k := range ki {
		i := slices.IndexFunc(out, func(s store.KeySet) bool { return s.KVN == k.Version })
		if i < 0 {
			out = append(out, store.KeySet{SDAID: bytes.Clone(sd), KVN: k.Version})
			i = len(out) - 1
		}
		info := store.KeyInfo{ID: k.ID}
		if len(k.Components) > 0 {
			info.Type, info.Length = k.Components[0].Type, k.Components[0].Length
		}
		out[i].Keys = append(out[i].Keys, info)
	}
	return out
}

// addRegistry files the registry entries of GET STATUS as domains, load
// files and applications; the ISD entry gives the card life cycle.
func addRegistry(card *store.Card, reg gpcard.Registry) {
	for _, e := range reg {
		r := e.Entry
		switch r.Kind {
		case command.KindISD:
			card.LifeCycle = r.LifeCycle
			card.Domains = append(card.Domains, store.Domain{AID: bytes.Clone(r.AID), LifeCycle: r.LifeCycle, Privileges: bytes.Clone(r.Privileges[:])})
		case command.KindSSD:
			card.Domains = append(card.Domains, store.Domain{AID: bytes.Clone(r.AID), LifeCycle: r.LifeCycle,
				Privileges: bytes.Clone(r.Privileges[:]), AssociatedSD: bytes.Clone(r.AssociatedSD)})
		case command.KindApp:
			card.Applications = append(card.Applications, store.Application{AID: bytes.Clone(r.AID), LoadFileAID: bytes.Clone(r.LoadFile),
				LifeCycle: r.LifeCycle, Privileges: bytes.Clone(r.Privileges[:]), AssociatedSD: bytes.Clone(r.AssociatedSD)})
		case command.KindPkg:
			lf := store.LoadFile{AID: bytes.Clone(r.AID), LifeCycle: r.LifeCycle, AssociatedSD: bytes.Clone(r.AssociatedSD)}
			if len(r.Version) == 2 {
				lf.Version = store.Version{Major: r.Version[0], Minor: r.Version[1]}
			}
			card.LoadFiles = append(card.LoadFiles, lf)
		}
	}
}

// cplcBytes re-encodes a parsed CPLC as the 42 bytes (plus any extra) of GET
// DATA 9F7F, field by field in the order command.CPLC lists them.
func cplcBytes(c *command.CPLC) []byte {
	var b []byte
	for _, f := range [][]byte{c.ICFabricator[:], c.ICType[:], c.OperatingSystemID[:], c.OperatingSystemReleaseDate[:],
		c.OperatingSystemReleaseLevel[:], c.ICFabricationDate[:], c.ICSerialNumber[:], c.ICBatchIdentifier[:],
		c.ICModuleFabricator[:], c.ICModulePackagingDate[:], c.ICCManufacturer[:], c.ICEmbeddingDate[:],
		c.ICPrePersonalizer[:], c.ICPrePersonalizationEquipmentDate[:], c.ICPrePersonalizationEquipmentID[:],
		c.ICPersonalizer[:], c.ICPersonalizationDate[:], c.ICPersonalizationEquipmentID[:], c.Extra} {
		b = append(b, f...)
	}
	return b
}
