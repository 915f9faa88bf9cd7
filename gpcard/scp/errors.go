package scp

import (
	"errors"
	"fmt"
)

// Sentinel errors shared by the SCP02 and SCP03 channels; scp02 and scp03
// re-export them under the same names, so callers may match either.
var (
	// ErrAuthFailed: mutual authentication failed (card cryptogram,
	// pseudo-random card challenge or EXTERNAL AUTHENTICATE refused).
	ErrAuthFailed = errors.New("scp: authentication failed")
	// ErrProtocol: the card's answer does not follow the protocol (length,
	// version, KVN).
	ErrProtocol = errors.New("scp: protocol violation")
	// ErrResponseMAC: a response's R-MAC did not verify; the channel is closed.
	ErrResponseMAC = errors.New("scp: response MAC mismatch")
	// ErrClosed: the session was closed (by Close, an R-MAC failure or a
	// transport error) and cannot be used.
	ErrClosed = errors.New("scp: channel closed")
)

// CryptogramError reports a card cryptogram (or pseudo-random card challenge)
// that does not match the keys. It matches ErrAuthFailed with errors.Is.
// Retrying with the same keys is pointless and burns the card's
// authentication counter; no Open in this module retries.
type CryptogramError struct {
	SCP, I, KVN byte // protocol, implementation option and key version in use
	// What names the value compared: "card cryptogram" or "card challenge".
	What               string
	Expected, Received []byte // what the keys predict and what the card sent
}

// Error says what did not match and warns against retrying. Cryptograms are
// printed; key bytes never reach this type.
func (e *CryptogramError) Error() string {
	return fmt.Sprintf("scp%02x: %s mismatch (i=%02X, KVN %02X): expected %X, received %X; wrong keys — do not retry with the same keys, every failed attempt burns the card's counter",
		e.SCP, e.What, e.I, e.KVN, e.Expected, e.Received)
}

// Is matches ErrAuthFailed.
func (e *CryptogramError) Is(target error) bool { return target == ErrAuthFailed }

// Protocolf returns an error matching ErrProtocol with a formatted detail.
func Protocolf(format string, a ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrProtocol}, a...)...)
}
