package sim

import (
	"bytes"

	"github.com/cardhost/cardhost/gpcard/sw"
	"github.com/cardhost/cardhost/gpcard/tlv"
	"github.com/cardhost/cardhost/sim/image"
)

// statusPage is the most response data GET STATUS returns in one response,
// leaving room in a short response for R-MAC and R-ENC padding.
const statusPage = 224

// statusCursor holds the entries GET STATUS has not returned yet, for P2
// "next occurrence".
type statusCursor struct {
	p1, format byte
	entries    [][]byte
}

// GET STATUS P1 subsets (GPCS 2.3.1 §11.4.2.1, Table 11-33).
const (
	statusISD          = 0x80
	statusApps         = 0x40
	statusLoadFiles    = 0x20
	statusLoadFilesMod = 0x10
)

// getStatus handles GET STATUS (GPCS 2.3.1 §11.4): P1 selects the subset,
// P2 b2 the format (1: tags, 0: legacy) and b1 first (0) or next (1); data
// is the search criteria 4F <AID or prefix> (empty = all), optionally
// followed by a 5C tag list (ignored). More entries than fit answer 6310;
// P2 next continues. No entry answers 6A88.
func (c *Card) getStatus(ch *channel, sd *image.App, cmd command) ([]byte, uint16) {
	format := cmd.p2 & 0x02
	if cmd.p2&^0x03 != 0 {
		return nil, sw.IncorrectP1P2
	}
	if cmd.p2&0x01 != 0 {
		cur := ch.status
		if cur == nil || cur.p1 != cmd.p1 || cur.format != format {
			ch.status = nil
			return nil, sw.ConditionsNotSatisfied
		}
		return ch.page()
	}
	ch.status = nil
	switch cmd.p1 {
	case statusISD, statusApps, statusLoadFiles, statusLoadFilesMod:
	default:
		return nil, sw.IncorrectP1P2
	}
	objs, err := tlv.Parse(cmd.data)
	if err != nil {
		return nil, sw.WrongData
	}
	crit, ok := tlv.Find(objs, 0x4F)
	if !ok {
		return nil, sw.WrongData
	}
	for _, o := range objs {
		if o.Tag != 0x4F && o.Tag != 0x5C {
			return nil, sw.WrongData
		}
	}
	s := c.state
	// GPCS 2.3.1 §11.4.2: without Global Registry an SSD sees only what is
	// associated with it.
	global := isISD(s, sd.AID) || sd.Privileges[1]&privGlobalRegistry != 0
	if cmd.p1 == statusISD && !global {
		return nil, sw.ReferencedDataNotFound
	}
	var entries [][]byte
	visible := func(assoc []byte) bool { return global || bytes.Equal(assoc, sd.AID) }
	switch cmd.p1 {
	case statusISD:
		isd := s.ISD()
		if bytes.HasPrefix(isd.AID, crit.Value) {
			entries = append(entries, statusEntry(format, isd.AID, s.LifeCycle, isd.Privileges[:], nil, nil, nil, nil))
		}
	case statusApps:
		for i := 1; i < len(s.Apps); i++ {
			a := &s.Apps[i]
			if visible(a.SD) && bytes.HasPrefix(a.AID, crit.Value) {
				entries = append(entries, statusEntry(format, a.AID, a.LifeCycle, a.Privileges[:], a.LoadFile, nil, nil, a.SD))
			}
		}
	default:
		for i := range s.LoadFiles {
			lf := &s.LoadFiles[i]
			if !visible(lf.SD) || !bytes.HasPrefix(lf.AID, crit.Value) {
				continue
			}
			var mods [][]byte
			if cmd.p1 == statusLoadFilesMod {
				mods = lf.Modules
				if mods == nil {
					mods = [][]byte{}
				}
			}
			entries = append(entries, statusEntry(format, lf.AID, lf.LifeCycle, nil, nil, lf.Version[:], mods, lf.SD))
		}
	}
	if len(entries) == 0 {
		return nil, sw.ReferencedDataNotFound
	}
	ch.status = &statusCursor{p1: cmd.p1, format: format, entries: entries}
	return ch.page()
}

// page returns the next page of the channel's GET STATUS cursor.
func (ch *channel) page() ([]byte, uint16) {
	cur := ch.status
	var out []byte
	n := 0
	for n < len(cur.entries) && (n == 0 || len(out)+len(cur.entries[n]) <= statusPage) {
		out = append(out, cur.entries[n]...)
		n++
	}
	cur.entries = cur.entries[n:]
	if len(cur.entries) > 0 {
		return out, sw.MoreData
	}
	ch.status = nil
	return out, swOK
}

// statusEntry encodes one registry entry. Tag format (GPCS 2.3.1 §11.4.3.2,
// Table 11-36): E3 { 4F AID, 9F70 life cycle, C5 privileges, C4 ELF AID,
// CE ELF version, 84 module AID…, CC associated SD AID }, each present when
// given. Legacy format (Table 11-35): LV AID, life cycle, one privilege byte
// (00 for load files), then for P1 10 the module count and LV module AIDs.
func statusEntry(format byte, aid []byte, lc byte, privs, elf, version []byte, modules [][]byte, assoc []byte) []byte {
	if format == 0 {
		out := append([]byte{byte(len(aid))}, aid...)
		p := byte(0)
		if len(privs) > 0 {
			p = privs[0]
		}
		out = append(out, lc, p)
		if modules != nil {
			out = append(out, byte(len(modules)))
			for _, m := range modules {
				out = append(append(out, byte(len(m))), m...)
			}
		}
		return out
	}
	objs := []tlv.TLV{tlv.New(0x4F, aid), tlv.New(0x9F70, []byte{lc})}
	if privs != nil {
		objs = append(objs, tlv.New(0xC5, privs))
	}
	if len(elf) > 0 {
		objs = append(objs, tlv.New(0xC4, elf))
	}
	if version != nil {
		objs = append(objs, tlv.New(0xCE, version))
	}
	for _, m := range modules {
		objs = append(objs, tlv.New(0x84, m))
	}
	if len(assoc) > 0 {
		objs = append(objs, tlv.New(0xCC, assoc))
	}
	return tlv.NewConstructed(0xE3, objs...).Bytes()
}
