package scp02card

import (
	"fmt"
	"io"

	"github.com/cardhost/cardhost/sim/scp/internal/capdu"
)

// i parameter bits (GPCS 2.3.1 §E.1.1, Table E-1).
const (
	iThreeKeys    = 0x01 // 3 Secure Channel base keys (else 1)
	iUnmodified   = 0x02 // C-MAC on the unmodified APDU (else modified)
	iExplicit     = 0x04 // explicit initiation (else implicit)
	iICVOverAID   = 0x08 // first ICV = MAC over the AID (else zero)
	iICVEncrypt   = 0x10 // ICV encryption for the C-MAC session
	iRMAC         = 0x20 // R-MAC supported
	iPseudoRandom = 0x40 // well-known pseudo-random card challenge
)

// MaxCounter is the largest 2-byte sequence counter; a key set that reached
// it can no longer open sessions (6985).
const MaxCounter = 0xFFFF

// KeySet is one SCP02 key set of a security domain as the card stores it. The
// caller owns the slices; Session copies what it needs.
type KeySet struct {
	// KVN is the key version number, matched against INITIALIZE UPDATE P1.
	KVN byte
	// I is the "i" implementation option of Table E-1.
	I byte
	// KDD is the key diversification data returned in INITIALIZE UPDATE.
	KDD [10]byte
	// ENC, MAC and DEK are the static two-key 3DES keys (16 bytes each). With
	// one base key (i b1 = 0) only ENC is used, as the base key of every
	// session key.
	ENC, MAC, DEK []byte
	// Counter is the key set's 2-byte sequence counter as last persisted.
	Counter uint16
}

// Format prints the key set without key material, for every verb.
func (k KeySet) Format(f fmt.State, _ rune) {
	fmt.Fprintf(f, "scp02card.KeySet{KVN:%02X I:%02X counter:%04X keys:<redacted>}", k.KVN, k.I, k.Counter)
}

// base returns the static keys for S-ENC, S-MAC (also S-RMAC) and S-DEK.
func (k KeySet) base() (enc, mac, dek []byte, ok bool) {
	if k.I&0x80 != 0 || len(k.ENC) != 16 {
		return nil, nil, nil, false
	}
	if k.I&iThreeKeys == 0 {
		return k.ENC, k.ENC, k.ENC, true
	}
	return k.ENC, k.MAC, k.DEK, len(k.MAC) == 16 && len(k.DEK) == 16
}

// Options configure a Session.
type Options struct {
	// Rand supplies random card challenges when the key set does not use the
	// pseudo-random challenge; nil means crypto/rand.Reader.
	Rand io.Reader
}

// Level is a secure channel security level, coded like EXTERNAL
// AUTHENTICATE P1 (GPCS 2.3.1 §E.5.2, security level in P1) and the GlobalPlatform Card
// API SecureChannel constants, plus Authenticated.
type Level byte

// Security level bits.
const (
	CMAC          Level = 0x01 // command MAC
	CDEC          Level = 0x02 // command data decryption
	RMAC          Level = 0x10 // response MAC
	Authenticated Level = 0x80 // the host was authenticated
)

// Has reports whether every bit of f is set in l.
func (l Level) Has(f Level) bool { return l&f == f }

// Reply is the card's answer to INITIALIZE UPDATE, EXTERNAL AUTHENTICATE or
// the first command of an implicit session.
type Reply struct {
	// Data is the response data (INITIALIZE UPDATE only), owned by the caller.
	Data []byte
	// SW is the status word, sw.OK on success.
	SW uint16
	// Counter is the key set's sequence counter after the command; when
	// CounterChanged the caller must persist it before sending the response.
	Counter        uint16
	CounterChanged bool
	// AuthFailed reports a failed authentication attempt (wrong host
	// cryptogram or MAC): the caller counts it and may lock the security domain.
	AuthFailed bool
}

// Bytes returns the response APDU, Data ‖ SW1 SW2, in a new slice.
func (r Reply) Bytes() []byte {
	return capdu.Append(r.Data, r.SW)
}
