package scp02

import (
	"fmt"
	"io"
)

// Level is the security level requested in EXTERNAL AUTHENTICATE P1 (GPCS
// 2.3.1 §E.5.2.3, Table E-5). The zero value means CMAC.
type Level byte

// Security level bits.
const (
	CMAC Level = 0x01 // C-MAC on every command
	CDEC Level = 0x02 // command data encryption (with CMAC: 03)
	RMAC Level = 0x10 // R-MAC on every response
)

// valid reports whether l is one of 01, 03, 11, 13.
func (l Level) valid() bool {
	return l == CMAC || l == CMAC|CDEC || l == CMAC|RMAC || l == CMAC|CDEC|RMAC
}

// Implementation option "i" bits (GPCS 2.3.1 §E.1.1, Table E-1). b1 (3
// Secure Channel keys, else 1 base key) is applied by the key provider.
const (
	iUnmodified   byte = 0x02 // b2: C-MAC on the unmodified APDU (else modified)
	iExplicit     byte = 0x04 // b3: explicit initiation (else implicit)
	iICVAID       byte = 0x08 // b4: ICV = MAC over AID (else zero)
	iICVEncrypt   byte = 0x10 // b5: ICV encryption for C-MAC session
	iRMAC         byte = 0x20 // b6: R-MAC supported
	iPseudoRandom byte = 0x40 // b7: well-known pseudo-random card challenge
)

// DefaultI is used when Options.I is zero: 15, the option every SCP02 card
// must support (explicit, modified APDU, ICV 0, ICV encryption, 3 keys).
const DefaultI byte = 0x15

// DefaultAID is the GlobalPlatform ISD AID, used when Options.AID is nil.
var DefaultAID = []byte{0xA0, 0x00, 0x00, 0x01, 0x51, 0x00, 0x00, 0x00}

// Options configure Open. The zero value opens i=15 with C-MAC on the card's
// default key set.
type Options struct {
	// KVN is sent in INITIALIZE UPDATE P1; 0 lets the card choose. When
	// non-zero the card must answer with the same KVN.
	KVN byte
	// I is the card's implementation option, as announced in its Card
	// Recognition Data (GET DATA 66, tag 64) — INITIALIZE UPDATE does not carry
	// it for SCP02. Zero means DefaultI. An i whose b3 is 0 selects implicit
	// initiation.
	I byte
	// Level is the security level; zero means CMAC. Implicit initiation
	// supports CMAC only.
	Level Level
	// AID is the AID of the selected Security Domain or application, used for
	// the pseudo-random card challenge check (b7) and the ICV over the AID
	// (b4). Nil means DefaultAID.
	AID []byte
	// KDD is the key diversification data for implicit initiation, where no
	// INITIALIZE UPDATE returns it (read it with GET DATA CF). Only a
	// diversifying key provider needs it.
	KDD []byte
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
	if o.I == 0 {
		o.I = DefaultI
	}
	if o.Level == 0 {
		o.Level = CMAC
	}
	if o.AID == nil {
		o.AID = DefaultAID
	}
	if o.I&0x80 != 0 {
		return o, fmt.Errorf("scp02: unknown implementation option i=%02X (b8 is RFU)", o.I)
	}
	if !o.Level.valid() {
		return o, fmt.Errorf("scp02: invalid security level %02X (want 01, 03, 11 or 13)", byte(o.Level))
	}
	if o.Level&RMAC != 0 && o.I&iRMAC == 0 {
		return o, fmt.Errorf("scp02: R-MAC requested but i=%02X has no R-MAC support (b6)", o.I)
	}
	if o.I&iExplicit == 0 && o.Level != CMAC {
		return o, fmt.Errorf("scp02: implicit initiation (i=%02X) supports C-MAC only", o.I)
	}
	if o.Channel < 0 || o.Channel > 19 {
		return o, fmt.Errorf("scp02: logical channel %d, want 0 to 19", o.Channel)
	}
	if n := len(o.AID); n < 5 || n > 16 {
		return o, fmt.Errorf("scp02: AID must be 5 to 16 bytes, got %d", n)
	}
	return o, nil
}

// MaxCommandData returns how many plain data bytes one command may carry at
// level so the wrapped command still fits: 255 (or 65535 when extended)
// minus the 8-byte C-MAC, and with C-DEC minus the ISO 9797-1 method 2
// padding to a multiple of 8 (at least one byte).
func MaxCommandData(level Level, extended bool) int {
	if level == 0 {
		level = CMAC
	}
	limit := 255
	if extended {
		limit = 65535
	}
	room := limit - 8
	if level&CDEC != 0 {
		return room/8*8 - 1
	}
	return room
}
