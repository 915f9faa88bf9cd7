package keys

import (
	"context"
	"errors"

	"github.com/cardhost/cardhost/gpcard/secret"
)

// ErrNoKeySet is returned when a provider has no key set for the requested KVN.
var ErrNoKeySet = errors.New("keys: no key set for this key version")

// Provider is how a secure channel obtains what it needs from static keys
// without ever holding static, master or DEK key bytes: session keys, the
// expected SCP03 pseudo-random card challenge, and PUT KEY key encryption. A
// PKCS#11 implementation keeps every static key inside the token.
//
// Implementations must be safe for concurrent use.
type Provider interface {
	// SessionKeys derives the session keys of one secure channel session.
	SessionKeys(ctx context.Context, in SessionInput) (*SessionKeys, error)
	// PseudoRandomChallenge returns the card challenge an SCP03 card in
	// pseudo-random mode (i bit b5) must have sent: KDF(static Key-ENC, 02,
	// sequence counter ‖ invoking AID), 8 bytes, or 16 in S16 mode (Amd D
	// §6.2.2.1). in.Sequence holds the 3-byte counter.
	PseudoRandomChallenge(ctx context.Context, in SessionInput, invokingAID []byte) ([]byte, error)
	// WrapKey encrypts the key named by req.New for PUT KEY under the DEK
	// rules of the session's SCP (GPCS 2.3.1 §E.4.7 / Amd D §6.2.1, see
	// gp-card.md §1.8) and returns the cryptogram with the key's KCV.
	WrapKey(ctx context.Context, req WrapRequest) (WrappedKey, error)
}

// SessionInput is what a card told the host in INITIALIZE UPDATE (or GET DATA
// for SCP02 implicit initiation), plus the host challenge. Slices are only
// read.
type SessionInput struct {
	// SCP is 0x02 or 0x03.
	SCP byte
	// I is the implementation option in force.
	I byte
	// KVN is the key version number the card reported.
	KVN byte
	// KDD is the 10-byte key diversification data.
	KDD []byte
	// Sequence is the SCP02 sequence counter (2 bytes) or the SCP03
	// pseudo-random sequence counter (3 bytes, may be nil).
	Sequence []byte
	// HostChallenge and CardChallenge form the SCP03 derivation context
	// (8 bytes each, 16 in S16 mode). Unused by SCP02.
	HostChallenge, CardChallenge []byte
}

// SessionKeys are the keys of one secure channel session. SCP02 session DEK
// and SCP03 static DEK are not included: key encryption happens in WrapKey.
// The holder must call Zero when the session ends.
type SessionKeys struct {
	ENC  secret.Key // S-ENC: cryptograms (SCP02), C-DEC and R-ENC
	MAC  secret.Key // S-MAC: C-MAC (SCP03 also cryptograms)
	RMAC secret.Key // S-RMAC: R-MAC
}

// Zero wipes the session keys.
func (k *SessionKeys) Zero() {
	k.ENC.Zero()
	k.MAC.Zero()
	k.RMAC.Zero()
}

// KeyRef names one static key known to a provider: key version and key
// identifier (1 ENC, 2 MAC, 3 DEK; GPCS 2.3.1 §7.5.1, gp-card.md §1.10).
type KeyRef struct {
	KVN byte // key version number
	KID byte // key identifier: 1 ENC, 2 MAC, 3 DEK
}

// WrapRequest asks a provider to encrypt the key New for a PUT KEY sent in
// the session described by Session.
type WrapRequest struct {
	Session SessionInput // the session the PUT KEY is sent in
	New     KeyRef       // the key to encrypt
}

// WrappedKey is one key encrypted for PUT KEY.
type WrappedKey struct {
	// Type is the key's type: the key type byte is Type.KeyTypeByte().
	Type Type
	// ClearLen is the key length in bytes before encryption.
	ClearLen int
	// Cipher is the encrypted key (a multiple of the block size).
	Cipher []byte
	// KCV is the 3-byte key check value of the clear key.
	KCV []byte
}
