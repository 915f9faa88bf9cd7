package sim

import (
	"bytes"

	"github.com/cardhost/cardhost/gpcard/sw"
	"github.com/cardhost/cardhost/sim/image"
)

// setStatus handles SET STATUS (GPCS 2.3.1 §11.10, Tables 11-84/11-85): P1 80
// the card (ISD), 40 an application or SD, 60 an SD and its associated
// applications; P2 the new life-cycle state; data the AID (may be empty for
// P1 80).
func (c *Card) setStatus(ch *channel, sd *image.App, cmd command) ([]byte, uint16) {
	switch cmd.p1 {
	case 0x80:
		if len(cmd.data) > 0 && !isISD(c.state, cmd.data) {
			return nil, sw.ReferencedDataNotFound
		}
		return c.update(func(s *image.State) ([]byte, uint16) { return nil, cardTransition(s, sd, cmd.p2) })
	case 0x40, 0x60:
		return c.update(func(s *image.State) ([]byte, uint16) {
			return nil, appTransition(s, c.selectedElsewhere, sd, cmd.data, cmd.p2, cmd.p1 == 0x60)
		})
	}
	return nil, sw.IncorrectP1P2
}

// cardTransition applies a card life-cycle transition requested by sd (GPCS
// 2.3.1 §5.1.2, Figure 5-1): OP_READY → INITIALIZED → SECURED, never back;
// SECURED ⇄ CARD_LOCKED with the Card Lock privilege; any state → TERMINATED
// with the Card Terminate privilege.
func cardTransition(s *image.State, sd *image.App, to byte) uint16 {
	from := s.LifeCycle
	privs := sd.Privileges[0]
	ok := false
	switch to {
	case image.CardInitialized:
		ok = from == image.CardOPReady && isISD(s, sd.AID)
	case image.CardSecured:
		ok = (from == image.CardOPReady || from == image.CardInitialized) && isISD(s, sd.AID) ||
			from == image.CardLocked && has(privs, privCardLock)
	case image.CardLocked:
		ok = from == image.CardSecured && has(privs, privCardLock)
	case image.CardTerminated:
		ok = from != image.CardTerminated && has(privs, privCardTerminate)
	default:
		return sw.IncorrectP1P2
	}
	if !ok {
		return sw.ConditionsNotSatisfied
	}
	s.LifeCycle = to
	s.ISD().LifeCycle = to
	return swOK
}

// appTransition locks (P2 b8 set) or unlocks (P2 b8 clear) an application
// or SD, or moves an SD to PERSONALIZED (P2 0F). The requester must be the
// target's associated SD, the ISD, or hold Global Lock (GPCS 2.3.1 §11.10.2.1,
// §9.4). With withApps the SD's associated applications follow it.
// A target selected on some channel cannot be locked (derived; 6985).
func appTransition(s *image.State, selected func([]byte) bool, sd *image.App, aid []byte, to byte, withApps bool) uint16 {
	t := s.App(aid)
	if t == nil {
		return sw.ReferencedDataNotFound
	}
	if isISD(s, t.AID) || (withApps && !t.IsSD()) {
		return sw.WrongData
	}
	req := s.App(sd.AID)
	allowed := isISD(s, req.AID) || bytes.Equal(t.SD, req.AID) || has(req.Privileges[1], privGlobalLock)
	if !allowed {
		return sw.SecurityStatus
	}
	targets := []*image.App{t}
	if withApps {
		for i := range s.Apps {
			if a := &s.Apps[i]; !bytes.Equal(a.AID, t.AID) && bytes.Equal(a.SD, t.AID) {
				targets = append(targets, a)
			}
		}
	}
	for _, a := range targets {
		switch {
		case to&image.LockedBit != 0: // b8 set: lock
			if a.Locked() || selected(a.AID) && !a.IsSD() {
				return sw.ConditionsNotSatisfied
			}
			a.LifeCycle |= image.LockedBit
		case a.Locked(): // b8 clear on a locked one: unlock, previous state back
			a.LifeCycle &^= image.LockedBit
		case to == image.SDPersonalized && a.IsSD() && a.LifeCycle == image.AppSelectable:
			a.LifeCycle = image.SDPersonalized
		default:
			return sw.ConditionsNotSatisfied
		}
	}
	return swOK
}

// selectedElsewhere reports whether aid is selected on any channel.
func (c *Card) selectedElsewhere(aid []byte) bool {
	for i := range c.channels {
		if c.channels[i].open && bytes.Equal(c.channels[i].selected, aid) {
			return true
		}
	}
	return false
}
