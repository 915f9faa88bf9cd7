package gate

import (
	"github.com/cardhost/cardhost/gpcard/sw"
	"github.com/cardhost/cardhost/sim/scp/internal/capdu"
)

// Phase is where a session on one logical channel stands.
type Phase int

// Phases of a session. The zero value is Idle.
const (
	Idle    Phase = iota // no session
	Pending              // INITIALIZE UPDATE answered, waiting for EXTERNAL AUTHENTICATE
	Open                 // the host is authenticated
)

// InitializeUpdate checks the header of an INITIALIZE UPDATE command for the
// key set with version kvn (GPCS 2.3.1 §11.9 for SCP02, Amendment D §7.1 for
// SCP03): a malformed APDU answers its status (6700), secure messaging in CLA
// 6E00, P2 ≠ 00 6A86, and P1 other than 00 (the default key set) or kvn 6A88.
// The data field (host challenge) is left to the protocol, whose length
// differs.
func InitializeUpdate(cmd []byte, kvn byte) (capdu.Command, uint16) {
	c, status := capdu.Parse(cmd)
	switch {
	case status != sw.OK:
		return c, status
	case capdu.Secured(c.CLA):
		return c, sw.ClaNotSupported
	case c.P2 != 0:
		return c, sw.IncorrectP1P2
	case c.P1 != 0 && c.P1 != kvn:
		return c, sw.ReferencedDataNotFound
	}
	return c, sw.OK
}

// ExternalAuthenticate checks the header of an EXTERNAL AUTHENTICATE command
// (GPCS 2.3.1 §E.5.2, Amendment D §7.2): a malformed APDU answers its status
// (6700), a CLA without secure messaging 6982 (the command carries a C-MAC),
// P2 ≠ 00 or a security level in P1 that allowed rejects 6A86, and a data
// field (host cryptogram ‖ C-MAC) other than dataLen bytes 6700.
func ExternalAuthenticate(cmd []byte, allowed func(level byte) bool, dataLen int) (capdu.Command, uint16) {
	c, status := capdu.Parse(cmd)
	switch {
	case status != sw.OK:
		return c, status
	case !capdu.Secured(c.CLA):
		return c, sw.SecurityStatus
	case c.P2 != 0 || !allowed(c.P1):
		return c, sw.IncorrectP1P2
	case len(c.Data) != dataLen:
		return c, sw.WrongLength
	}
	return c, sw.OK
}

// Verdict is what a session does with a command that Admit looked at.
type Verdict int

// Verdicts of Admit. They start at 1 so that zero means unset.
const (
	// Pass: no session is open and the command is plain; it goes on unchanged.
	Pass Verdict = iota + 1
	// Plain: a session is open whose level has no C-MAC, and the command is
	// plain as it must be.
	Plain
	// Verify: a session is open whose level includes C-MAC, and the command
	// carries secure messaging; the protocol verifies and removes it.
	Verify
	// Refuse: no session is open and the command carries secure messaging;
	// answer the status word, there is nothing to end.
	Refuse
	// End: answer the status word and end the session (malformed APDU, or
	// secure messaging present when the level does not include C-MAC or
	// absent when it does).
	End
)

// Admit is the protocol-independent first step of unwrapping a command: it
// parses cmd and decides from whether a session is open and whether its level
// includes C-MAC (GPCS 2.3.1 §10.6: in a session every command carries a
// C-MAC exactly when the level says so). A pending initiation counts as no
// session; the caller abandons it before calling Admit. The status word is
// sw.OK for Pass, Plain and Verify.
func Admit(open, cmac bool, cmd []byte) (capdu.Command, Verdict, uint16) {
	c, status := capdu.Parse(cmd)
	if status != sw.OK {
		return c, End, status
	}
	secured := capdu.Secured(c.CLA)
	switch {
	case !open && secured:
		return c, Refuse, sw.SecurityStatus
	case !open:
		return c, Pass, sw.OK
	case secured != cmac:
		return c, End, sw.SecurityStatus
	case secured:
		return c, Verify, sw.OK
	}
	return c, Plain, sw.OK
}

// Respond is the protocol-independent first step of wrapping a response.
// protect says whether the response must be protected: the command was
// unwrapped in an open session whose level includes R-MAC. When the
// response is final — rapdu is shorter than a status word (answered 6F00), or
// needs no protection (a copy of rapdu) — Respond returns it as out;
// otherwise out is nil and data (aliasing rapdu) and status are to be
// protected by the protocol.
func Respond(protect bool, rapdu []byte) (data []byte, status uint16, out []byte) {
	data, status, ok := capdu.Status(rapdu)
	if !ok {
		return nil, 0, capdu.Append(nil, sw.NoPreciseDiagnosis)
	}
	if !protect {
		return nil, 0, append([]byte(nil), rapdu...)
	}
	return data, status, nil
}
