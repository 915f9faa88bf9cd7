package scp03

import (
	"fmt"
	"io"

	"github.com/cardhost/cardhost/gpcard/scp"
)

// Level is the security level requested in EXTERNAL AUTHENTICATE P1 (Amd D
// §7.1.2.1, Table 7-4). The zero value means CMAC.
type Level byte

// Security level bits.
const (
	CMAC Level = 0x01 // C-MAC on every command
	CDEC Level = 0x02 // command data encryption
	RMAC Level = 0x10 // R-MAC on every response
	RENC Level = 0x20 // response data encryption
)

// valid reports whether l is one of 01, 03, 11, 13, 33 (Amd D §5.2).
func (l Level) valid() bool {
	switch l {
	case CMAC, CMAC | CDEC, CMAC | RMAC, CMAC | CDEC | RMAC, CMAC | CDEC | RMAC | RENC:
		return true
	}
	return false
}

// Implementation option "i" bits (Amd D v1.2 §5.1, Table 5-1).
const (
	iS16          byte = 0x01 // b1: S16 mode (16-byte challenges, cryptograms, MACs)
	iPseudoRandom byte = 0x10 // b5: pseudo-random card challenge
	iRMAC         byte = 0x20 // b6-b7 = 01: R-MAC support
	iRENC         byte = 0x40 // b6-b7 = 11: R-MAC and R-ENC support
)

// checkI rejects RFU bits and the undefined b6-b7 = 10 combination.
func checkI(i byte) error {
	if i&^(iS16|iPseudoRandom|iRMAC|iRENC) != 0 || i&(iRMAC|iRENC) == iRENC {
		return scp.Protocolf("unknown implementation option i=%02X", i)
	}
	return nil
}

// DefaultAID is the GlobalPlatform ISD AID, the invoking AID used for the
// pseudo-random card challenge when Options.AID is nil.
var DefaultAID = []byte{0xA0, 0x00, 0x00, 0x01, 0x51, 0x00, 0x00, 0x00}

// Options configure Open. The zero value opens S8 mode with C-MAC on the
// card's default key set, honouring the i the card reports.
type Options struct {
	// KVN is sent in INITIALIZE UPDATE P1; 0 lets the card choose. When
	// non-zero the card must answer with the same KVN.
	KVN byte
	// I, with ForceI, overrides the implementation option the card reports
	// in INITIALIZE UPDATE; without ForceI the card's i is used.
	I      byte // implementation option used when ForceI is set
	ForceI bool // use I instead of the card's i
	// S16 sends a 16-byte host challenge and expects S16 mode (i b1).
	S16 bool
	// Level is the security level; zero means CMAC.
	Level Level
	// AID is the invoking AID (the selected Security Domain) for the
	// pseudo-random card challenge check. Nil means DefaultAID.
	AID []byte
	// Rand supplies the host challenge; nil means crypto/rand.
	Rand io.Reader
	// ExtendedLength lets wrapped commands exceed 255 data bytes (only when
	// the card announces extended length support).
	ExtendedLength bool
	// Channel is the logical channel (0 basic, 1–19) the Security Domain is
	// selected on: INITIALIZE UPDATE and EXTERNAL AUTHENTICATE carry it in
	// their class byte (ISO/IEC 7816-4 §5.4.1), and so must every command
	// sent through the session.
	Channel int
}

func (o Options) withDefaults() (Options, error) {
	if o.Level == 0 {
		o.Level = CMAC
	}
	if o.AID == nil {
		o.AID = DefaultAID
	}
	if !o.Level.valid() {
		return o, fmt.Errorf("scp03: invalid security level %02X (want 01, 03, 11, 13 or 33)", byte(o.Level))
	}
	if o.ForceI {
		if err := checkI(o.I); err != nil {
			return o, err
		}
	}
	if o.Channel < 0 || o.Channel > 19 {
		return o, fmt.Errorf("scp03: logical channel %d, want 0 to 19", o.Channel)
	}
	if n := len(o.AID); n < 5 || n > 16 {
		return o, fmt.Errorf("scp03: AID must be 5 to 16 bytes, got %d", n)
	}
	return o, nil
}

// MaxCommandData returns how many plain data bytes one command may carry at
// level: 255 (65535 when extended) minus the C-MAC (8 bytes, 16 in S16), and
// with C-DEC minus the ISO 9797-1 method 2 padding to a multiple of 16.
func MaxCommandData(level Level, s16, extended bool) int {
	if level == 0 {
		level = CMAC
	}
	limit := 255
	if extended {
		limit = 65535
	}
	room := limit - macLen(s16)
	if level&CDEC != 0 {
		return room/16*16 - 1
	}
	return room
}

func macLen(s16 bool) int {
	if s16 {
		return 16
	}
	return 8
}
