package sim

import (
	"bytes"

	"github.com/cardhost/cardhost/gpcard/sw"
	"github.com/cardhost/cardhost/gpcard/tlv"
	"github.com/cardhost/cardhost/sim/image"
)

// delete handles DELETE (GPCS 2.3.1 §11.2, Tables 11-20..11-24): P1 00 (b8 =
// more DELETE commands is not supported), P2 00 object only or 80 object and
// related objects; data 4F AID [B6] [9E token] (card content) or D0 KID
// and/or D2 KVN (keys). The response data is one byte 00, or the
// confirmation with a receipt for a delete authorised by a token (§11.2.3).
func (c *Card) delete(ch *channel, sd *image.App, cmd command) ([]byte, uint16) {
	if cmd.p1 != 0 || (cmd.p2 != 0 && cmd.p2 != 0x80) {
		return nil, sw.IncorrectP1P2
	}
	objs, err := tlv.Parse(cmd.data)
	if err != nil || len(objs) == 0 {
		return nil, sw.WrongData
	}
	if aid, ok := tlv.Find(objs, 0x4F); ok {
		// Table 11-22: 4F AID [B6 CRT for the token] [9E token].
		token, hasToken := tlv.Find(objs, 0x9E)
		_, hasCRT := tlv.Find(objs, 0xB6)
		if len(objs) != 1+btoi(hasToken)+btoi(hasCRT) || objs[0].Tag != 0x4F || len(aid.Value) < 5 || len(aid.Value) > 16 {
			return nil, sw.WrongData
		}
		// GPCS 2.3.1 §C.4: the delete token signs P1 ‖ P2 ‖ Lc ‖ the data
		// without the 9E object.
		delegated, st := checkToken(c.state, sd, tokenData(cmd.p1, cmd.p2, withoutTLV(objs, 0x9E)), token.Value)
		if st != swOK {
			return nil, st
		}
		return c.update(func(s *image.State) ([]byte, uint16) {
			if st := c.deleteContent(s, sd, aid.Value, cmd.p2 == 0x80); st != swOK {
				return nil, st
			}
			if delegated {
				return confirm(s, aid.Value) // delete receipt: AID
			}
			return []byte{0}, swOK
		})
	}
	kid, hasKID := tlv.Find(objs, 0xD0)
	kvn, hasKVN := tlv.Find(objs, 0xD2)
	if len(objs) != btoi(hasKID)+btoi(hasKVN) || (hasKID && len(kid.Value) != 1) || (hasKVN && len(kvn.Value) != 1) {
		return nil, sw.WrongData
	}
	return c.update(func(s *image.State) ([]byte, uint16) {
		return []byte{0}, deleteKeys(s.App(sd.AID).Domain, hasKID, kid.Value, hasKVN, kvn.Value)
	})
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// deleteContent removes an application, SD or load file (GPCS 2.3.1
// §11.2.2.1). The requester must be the object's associated SD or hold
// Global Delete. Refused with 6985: the ISD; an SD with associated content;
// an application selected on a channel; a load file with instances (unless
// related objects are deleted) or on which another load file depends.
func (c *Card) deleteContent(s *image.State, sd *image.App, aid []byte, related bool) uint16 {
	req := s.App(sd.AID)
	mayDelete := func(assoc []byte) bool {
		return bytes.Equal(assoc, req.AID) || has(req.Privileges[1], privGlobalDelete)
	}
	if app := s.App(aid); app != nil {
		if isISD(s, aid) {
			return sw.ConditionsNotSatisfied
		}
		if !mayDelete(app.SD) {
			return sw.SecurityStatus
		}
		if st := c.removeApp(s, aid); st != swOK {
			return st
		}
		return swOK
	}
	lf := s.LoadFile(aid)
	if lf == nil {
		return sw.ReferencedDataNotFound
	}
	if !mayDelete(lf.SD) {
		return sw.SecurityStatus
	}
	for i := range s.LoadFiles {
		for _, imp := range s.LoadFiles[i].Imports {
			if bytes.Equal(imp, aid) {
				return sw.ConditionsNotSatisfied // another load file depends on it
			}
		}
	}
	var instances [][]byte
	for i := range s.Apps {
		if bytes.Equal(s.Apps[i].LoadFile, aid) {
			instances = append(instances, s.Apps[i].AID)
		}
	}
	if len(instances) > 0 && !related {
		return sw.ConditionsNotSatisfied
	}
	for _, inst := range instances {
		if isISD(s, inst) {
			return sw.ConditionsNotSatisfied
		}
		if st := c.removeApp(s, inst); st != swOK {
			return st
		}
	}
	for i := range s.LoadFiles {
		if bytes.Equal(s.LoadFiles[i].AID, aid) {
			s.LoadFiles = append(s.LoadFiles[:i], s.LoadFiles[i+1:]...)
			break
		}
	}
	return swOK
}

// removeApp deletes the application aid from s after checking that nothing
// depends on it and it is not selected.
func (c *Card) removeApp(s *image.State, aid []byte) uint16 {
	if c.selectedElsewhere(aid) {
		return sw.ConditionsNotSatisfied
	}
	for i := range s.Apps {
		if !bytes.Equal(s.Apps[i].AID, aid) && bytes.Equal(s.Apps[i].SD, aid) {
			return sw.ConditionsNotSatisfied // an SD with associated applications
		}
	}
	for i := range s.LoadFiles {
		if bytes.Equal(s.LoadFiles[i].SD, aid) {
			return sw.ConditionsNotSatisfied // an SD with associated load files
		}
	}
	for i := range s.Apps {
		if bytes.Equal(s.Apps[i].AID, aid) {
			s.Apps = append(s.Apps[:i], s.Apps[i+1:]...)
			delete(c.applets, string(aid))
			return swOK
		}
	}
	return sw.ReferencedDataNotFound
}

// deleteKeys removes the keys matching KID and/or KVN from d (GPCS 2.3.1
// §11.2.2.2); key sets left empty disappear. Nothing matching: 6A88.
func deleteKeys(d *image.Domain, hasKID bool, kid []byte, hasKVN bool, kvn []byte) uint16 {
	found := false
	var sets []image.KeySet
	for _, ks := range d.KeySets {
		if hasKVN && ks.KVN != kvn[0] {
			sets = append(sets, ks)
			continue
		}
		var keep []image.Key
		for _, k := range ks.Keys {
			if !hasKID || k.ID == kid[0] {
				found = true
				continue
			}
			keep = append(keep, k)
		}
		if len(keep) > 0 {
			ks.Keys = keep
			sets = append(sets, ks)
		}
	}
	if !found {
		return sw.ReferencedDataNotFound
	}
	d.KeySets = sets
	return swOK
}
