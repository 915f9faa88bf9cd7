package scp03card

import (
	"fmt"
	"io"

	"github.com/cardhost/cardhost/sim/scp/internal/capdu"
)

// i parameter bits (GPCS Amendment D v1.1.1 §5.1, Table 5-1).
const (
	iS16          = 0x01 // 16-byte challenges, cryptograms and MACs
	iPseudoRandom = 0x10 // card challenge derived from the sequence counter
	iRMAC         = 0x20 // R-MAC supported
	iRENC         = 0x40 // R-ENCRYPTION supported (only together with R-MAC)
)

// MaxCounter is the largest 3-byte sequence counter. A key set whose counter
// has reached it refuses INITIALIZE UPDATE in pseudo-random mode with 6985
// (Amendment D §6.2.2.1).
const MaxCounter = 0xFFFFFF

// KeySet is one SCP03 key set of a security domain as the card stores it. The
// caller owns the slices; Session copies what it needs. The key DEK is not
// used by the secure channel itself (PUT KEY decrypts with the static DEK) and
// is therefore not part of KeySet.
type KeySet struct {
	// KVN is the key version number, matched against INITIALIZE UPDATE P1.
	KVN byte
	// I is the "i" implementation parameter the card announces: a combination
	// of b1 (S16), b5 '10' (pseudo-random challenge), b6 '20' (R-MAC) and b7
	// '40' (R-ENCRYPTION, needs R-MAC).
	I byte
	// KDD is the key diversification data returned in INITIALIZE UPDATE.
	KDD [10]byte
	// ENC and MAC are the static AES keys Key-ENC and Key-MAC, both 16, 24 or
	// 32 bytes long and of the same length (Amendment D §6.1).
	ENC, MAC []byte
	// Counter is the key set's sequence counter as last persisted (0 for a new
	// key set). It is used only in pseudo-random mode.
	Counter uint32
}

// Format prints the key set without key material, for every verb.
func (k KeySet) Format(f fmt.State, _ rune) {
	fmt.Fprintf(f, "scp03card.KeySet{KVN:%02X I:%02X AES-%d keys:<redacted>}", k.KVN, k.I, len(k.ENC)*8)
}

func (k KeySet) valid() bool {
	switch len(k.ENC) {
	case 16, 24, 32:
	default:
		return false
	}
	if len(k.MAC) != len(k.ENC) || k.I&^(iS16|iPseudoRandom|iRMAC|iRENC) != 0 {
		return false
	}
	return k.I&iRENC == 0 || k.I&iRMAC != 0
}

// Options configure a Session.
type Options struct {
	// Rand supplies random card challenges when the key set is not in
	// pseudo-random mode; nil means crypto/rand.Reader. Tests pin it to replay
	// transcripts.
	Rand io.Reader
}

// Level is a secure channel security level, coded like the GlobalPlatform
// Card API SecureChannel constants and EXTERNAL AUTHENTICATE P1
// (Amendment D v1.1.1 §7.2, EXTERNAL AUTHENTICATE P1), plus Authenticated.
type Level byte

// Security level bits.
const (
	CMAC          Level = 0x01 // command MAC
	CDEC          Level = 0x02 // command data decryption
	RMAC          Level = 0x10 // response MAC
	RENC          Level = 0x20 // response data encryption
	Authenticated Level = 0x80 // the host was authenticated (mutual authentication done)
)

// Has reports whether every bit of f is set in l.
func (l Level) Has(f Level) bool { return l&f == f }

// Reply is the card's answer to INITIALIZE UPDATE or EXTERNAL AUTHENTICATE.
type Reply struct {
	// Data is the response data (INITIALIZE UPDATE only), owned by the caller.
	Data []byte
	// SW is the status word, sw.OK on success.
	SW uint16
	// Counter is the key set's sequence counter after the command; when
	// CounterChanged the caller must persist it before sending the response.
	Counter        uint32
	CounterChanged bool
	// AuthFailed reports a failed authentication attempt (wrong host cryptogram
	// or MAC): the caller counts it and may lock the security domain.
	AuthFailed bool
}

// Bytes returns the response APDU, Data ‖ SW1 SW2, in a new slice.
func (r Reply) Bytes() []byte {
	return capdu.Append(r.Data, r.SW)
}
