package command

import (
	"fmt"

	"github.com/skythen/apdu"
)

// SET STATUS P1 status types (GPCS 2.3.1 §11.10.2.1, Table 11-80).
const (
	statusTypeISD      = 0x80 // card life cycle
	statusTypeApp      = 0x40 // application or supplementary security domain
	statusTypeSDAndApp = 0x60 // security domain and its associated applications
)

// SetCardLifeCycle returns SET STATUS of the card: 80 F0 80 <state>, e.g.
// CardSecured, CardLocked (lock) or CardTerminated (GPCS 2.3.1 Table 11-81).
func SetCardLifeCycle(state byte) apdu.Capdu {
	return apdu.Capdu{Cla: claGP, Ins: insSetStatus, P1: statusTypeISD, P2: state}
}

// SetApplicationLifeCycle returns SET STATUS of an application or SSD:
// 80 F0 40 <state> Lc <AID>. With sdAndApps the status of a security domain
// and all its associated applications changes (P1 60).
func SetApplicationLifeCycle(aid []byte, state byte, sdAndApps bool) (apdu.Capdu, error) {
	if err := checkAID(NameSetStatus, aid, false); err != nil {
		return apdu.Capdu{}, err
	}
	p1 := byte(statusTypeApp)
	if sdAndApps {
		p1 = statusTypeSDAndApp
	}
	return apdu.Capdu{Cla: claGP, Ins: insSetStatus, P1: p1, P2: state, Data: clone(aid)}, nil
}

// LockApplication returns SET STATUS locking (lock true: P2 80) or
// unlocking (P2 00) an application or SSD: b8 of P2 requests LOCKED and
// unlocking returns it to its previous state (GPCS 2.3.1 §11.10.2.2).
func LockApplication(aid []byte, lock bool) (apdu.Capdu, error) {
	var state byte
	if lock {
		state = 0x80
	}
	c, err := SetApplicationLifeCycle(aid, state, false)
	if err != nil {
		return apdu.Capdu{}, fmt.Errorf("lock/unlock: %w", err)
	}
	return c, nil
}
