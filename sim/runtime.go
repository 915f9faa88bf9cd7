package sim

import (
	"bytes"

	"github.com/cardhost/cardhost/gpcard/sw"
	"github.com/cardhost/cardhost/gpcard/tlv"
	"github.com/cardhost/cardhost/sim/image"
)

// manageChannel handles MANAGE CHANNEL (ISO/IEC 7816-4 §11.1.2): P1 00 opens
// (P2 00: the card picks and returns the number; P2 1–19: that channel), P1
// 80 closes channel P2 (or the command's channel when P2 is 00).
func (c *Card) manageChannel(cl class, cmd command) ([]byte, uint16) {
	if cl.proprietary || cl.sm {
		return nil, sw.ClaNotSupported
	}
	if c.state.LifeCycle == image.CardTerminated {
		return nil, sw.ConditionsNotSatisfied
	}
	switch cmd.p1 {
	case 0x00:
		n := int(cmd.p2)
		if n == 0 {
			for n = 1; n < numChannels && c.channels[n].open; n++ {
			}
			if n == numChannels {
				return nil, sw.FunctionNotSupported // no free channel
			}
		} else if n >= numChannels {
			return nil, sw.IncorrectP1P2
		} else if c.channels[n].open {
			return nil, sw.ConditionsNotSatisfied
		}
		// ISO/IEC 7816-4 §11.1.2: opened from the basic channel, the default
		// application (the ISD) is selected; from another channel, the
		// application selected there.
		sel := c.state.ISD().AID
		if cl.channel != 0 && c.channels[cl.channel].selected != nil {
			if app := c.selectedApp(&c.channels[cl.channel]); app != nil && app.IsSD() {
				sel = app.AID
			}
		}
		c.channels[n] = channel{open: true, selected: bytes.Clone(sel)}
		if cmd.p2 == 0 {
			return []byte{byte(n)}, swOK
		}
		return nil, swOK
	case 0x80:
		n := int(cmd.p2)
		if n == 0 {
			n = cl.channel
		}
		if n == 0 || n >= numChannels {
			return nil, sw.IncorrectP1P2
		}
		if !c.channels[n].open {
			return nil, swChannelNotSupported
		}
		c.deselect(&c.channels[n])
		c.channels[n] = channel{}
		return nil, swOK
	}
	return nil, sw.IncorrectP1P2
}

// selectByName handles SELECT by DF name (ISO/IEC 7816-4 §11.1.1; GPCS 2.3.1
// §11.9): P2 00 first or only occurrence, 02 next occurrence, b4-b3 = 11
// (0C) no response data. An empty AID selects the ISD. A partial AID
// selects the first (or next) selectable application whose AID starts with it.
func (c *Card) selectByName(ch *channel, chNum int, cmd command) ([]byte, uint16) {
	next := cmd.p2&0x03 == 0x02
	noFCI := cmd.p2&0x0C == 0x0C
	if cmd.p2&^0x0E != 0 || cmd.p2&0x03 == 0x01 || cmd.p2&0x03 == 0x03 || (cmd.p2&0x0C != 0 && !noFCI) {
		return nil, sw.IncorrectP1P2
	}
	if len(cmd.data) > 16 || (len(cmd.data) > 0 && len(cmd.data) < 5) {
		return nil, sw.FileNotFound
	}
	s := c.state
	var target *image.App
	if len(cmd.data) == 0 {
		target = s.ISD()
	} else {
		target = c.findSelectable(ch, cmd.data, next)
	}
	if target == nil {
		return nil, sw.FileNotFound
	}
	// GPCS 2.3.1 §5.1.1.4–5: in CARD_LOCKED and TERMINATED only the ISD can
	// be selected.
	if (s.LifeCycle == image.CardLocked || s.LifeCycle == image.CardTerminated) && !isISD(s, target.AID) {
		return nil, sw.FileNotFound
	}
	c.deselect(ch)
	ch.selected = bytes.Clone(target.AID)
	var data []byte
	status := swOK
	if target.IsSD() {
		data = c.fci(target)
	} else {
		data, status = c.appletSelect(ch, chNum, target)
		if status != swOK {
			ch.selected = nil
			return nil, status
		}
	}
	if noFCI {
		data = nil
	}
	return data, status
}

// findSelectable returns the selectable application matching aid (a full
// AID or a prefix); with next, the first match after the one selected on ch.
func (c *Card) findSelectable(ch *channel, aid []byte, next bool) *image.App {
	s := c.state
	start := 0
	if next && ch.selected != nil {
		for i := range s.Apps {
			if bytes.Equal(s.Apps[i].AID, ch.selected) && bytes.HasPrefix(s.Apps[i].AID, aid) {
				start = i + 1
			}
		}
	}
	// A full AID selects its own application even when an application with a
	// longer AID sharing that prefix comes first in the registry; partial
	// matching (ISO/IEC 7816-4 §5.3.1.1, GPCS 2.3.1 §11.9.2.1) applies only
	// when nothing matches exactly.
	if !next {
		for i := range s.Apps {
			a := &s.Apps[i]
			if bytes.Equal(a.AID, aid) && (isISD(s, a.AID) || a.Selectable()) {
				return a
			}
		}
	}
	for i := start; i < len(s.Apps); i++ {
		a := &s.Apps[i]
		if !bytes.HasPrefix(a.AID, aid) {
			continue
		}
		if isISD(s, a.AID) || a.Selectable() {
			return a
		}
	}
	return nil
}

// fci builds a Security Domain's File Control Information (GPCS 2.3.1
// §11.9.3.1, Table 11-80): 6F { 84 AID, A5 { 73 Security Domain Management
// Data (Card Recognition Data for the ISD), 9F65 maximum command data
// length } }.
func (c *Card) fci(sd *image.App) []byte {
	prop := tlv.NewConstructed(0xA5,
		tlv.New(0x73, c.recognitionData(sd)),
		tlv.New(0x9F65, minimalInt(c.state.Config.MaxBlock)),
	)
	return tlv.NewConstructed(0x6F, tlv.New(0x84, sd.AID), prop).Bytes()
}

// deselect ends what the selection on ch carried: the secure channel
// session, unfinished operations, and the applet's Deselect call.
func (c *Card) deselect(ch *channel) {
	ch.sess = nil
	ch.resetOperations()
	if ch.selected == nil {
		return
	}
	if a := c.live(ch.selected); a != nil {
		a.Deselect(c.appletContext(nil, 0, 0))
	}
	ch.selected = nil
}

// minimalInt encodes n big-endian in the fewest bytes (at least one).
func minimalInt(n int) []byte {
	var b []byte
	for ; n > 0; n >>= 8 {
		b = append([]byte{byte(n)}, b...)
	}
	if len(b) == 0 {
		b = []byte{0}
	}
	return b
}
