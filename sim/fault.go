package sim

// faults are the test hooks: power cuts around numbered APDUs and one-shot
// status word injection. APDU numbers count commands reaching Transmit since
// the hook was set, starting at 1.
type faults struct {
	count       int
	tearBefore  int // cut power before processing APDU n (0: off)
	tearAfter   int // process APDU n, commit, then cut power (response lost)
	injectINS   byte
	injectSW    uint16
	injectArmed bool
}

// TearBefore arranges for power to be cut when the n-th APDU from now
// arrives (n ≥ 1; 1 is the next one): the command is not processed, the
// caller sees the card removed, and the card stays unpowered until PowerOn
// or Reset. Cutting between two LOAD blocks leaves no trace of the load.
// It replaces any pending tear.
func (c *Card) TearBefore(n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.faults.count, c.faults.tearBefore, c.faults.tearAfter = 0, n, 0
}

// TearAfter arranges for the n-th APDU from now to be processed and its
// changes committed, then for power to be cut before the response leaves
// the card: the caller sees the card removed. It replaces any pending tear.
func (c *Card) TearAfter(n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.faults.count, c.faults.tearBefore, c.faults.tearAfter = 0, 0, n
}

// FailNext makes the card answer the next command with instruction ins with
// status word status, once, without processing it.
func (c *Card) FailNext(ins byte, status uint16) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.faults.injectINS, c.faults.injectSW, c.faults.injectArmed = ins, status, true
}

// Transmit processes one command APDU and returns the response APDU (data ‖
// SW1 SW2). It returns nil when the card is unpowered or power is cut by a
// tear hook (the vpcd bridge reports that as a card removal). It never
// panics.
func (c *Card) Transmit(capdu []byte) []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.powered {
		return nil
	}
	f := &c.faults
	if f.tearBefore > 0 || f.tearAfter > 0 {
		f.count++
	}
	if f.tearBefore > 0 && f.count == f.tearBefore {
		f.tearBefore = 0
		c.powerOff()
		return nil
	}
	var resp []byte
	if f.injectArmed && len(capdu) >= 2 && capdu[1] == f.injectINS {
		f.injectArmed = false
		resp = respond(nil, f.injectSW)
	} else {
		resp = c.safeProcess(capdu)
	}
	if f.tearAfter > 0 && f.count == f.tearAfter {
		f.tearAfter = 0
		c.powerOff()
		return nil
	}
	return resp
}

// safeProcess is process with a last-resort guard: an unexpected panic
// answers 6F00 and, since nothing was committed, leaves the state as it was.
func (c *Card) safeProcess(capdu []byte) (resp []byte) {
	defer func() {
		if recover() != nil {
			resp = respond(nil, 0x6F00)
		}
	}()
	return c.process(capdu)
}
