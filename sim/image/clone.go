package image

import "bytes"

// Clone returns a deep copy of s that shares no mutable memory with it.
// Applet storage values are shared because they are never modified in place.
func (s *State) Clone() *State {
	c := &State{
		Config:    s.Config.clone(),
		LifeCycle: s.LifeCycle,
		CPLC:      bytes.Clone(s.CPLC),
		KDD:       bytes.Clone(s.KDD),
		LoadFiles: make([]LoadFile, len(s.LoadFiles)),
		Apps:      make([]App, len(s.Apps)),
	}
	for i := range s.LoadFiles {
		c.LoadFiles[i] = s.LoadFiles[i].Clone()
	}
	for i := range s.Apps {
		c.Apps[i] = s.Apps[i].Clone()
	}
	return c
}

func (c Config) clone() Config {
	c.ATR = bytes.Clone(c.ATR)
	if c.SSDKeys != nil {
		c.SSDKeys = KeySet{Keys: c.SSDKeys}.Clone().Keys
	}
	return c
}

// Clone returns a deep copy of f.
func (f LoadFile) Clone() LoadFile {
	f.AID = bytes.Clone(f.AID)
	f.SD = bytes.Clone(f.SD)
	f.Hash = bytes.Clone(f.Hash)
	f.Modules = cloneAIDs(f.Modules)
	f.Imports = cloneAIDs(f.Imports)
	return f
}

// Clone returns a deep copy of a (storage values shared, see State.Clone).
func (a App) Clone() App {
	a.AID = bytes.Clone(a.AID)
	a.LoadFile = bytes.Clone(a.LoadFile)
	a.Module = bytes.Clone(a.Module)
	a.SD = bytes.Clone(a.SD)
	if a.Storage != nil {
		m := make(map[string][]byte, len(a.Storage))
		for k, v := range a.Storage {
			m[k] = v
		}
		a.Storage = m
	}
	if a.Domain != nil {
		d := a.Domain.Clone()
		a.Domain = &d
	}
	return a
}

// Clone returns a deep copy of d.
func (d *Domain) Clone() Domain {
	c := *d
	c.IIN = bytes.Clone(d.IIN)
	c.CIN = bytes.Clone(d.CIN)
	if d.DAP != nil {
		c.DAP = &DAPKey{Scheme: d.DAP.Scheme, PKIX: bytes.Clone(d.DAP.PKIX)}
	}
	if d.Token != nil {
		c.Token = &DAPKey{Scheme: d.Token.Scheme, PKIX: bytes.Clone(d.Token.PKIX)}
	}
	if d.Receipt != nil {
		k := *d.Receipt
		k.Value = bytes.Clone(k.Value)
		c.Receipt = &k
	}
	c.KeySets = make([]KeySet, len(d.KeySets))
	for i := range d.KeySets {
		c.KeySets[i] = d.KeySets[i].Clone()
	}
	return c
}

// Clone returns a deep copy of ks.
func (ks KeySet) Clone() KeySet {
	keys := make([]Key, len(ks.Keys))
	for i, k := range ks.Keys {
		k.Value = bytes.Clone(k.Value)
		keys[i] = k
	}
	ks.Keys = keys
	return ks
}

func cloneAIDs(in [][]byte) [][]byte {
	if in == nil {
		return nil
	}
	out := make([][]byte, len(in))
	for i, a := range in {
		out[i] = bytes.Clone(a)
	}
	return out
}
