package scp03

import (
	"errors"
	"fmt"
)

// Sentinel errors of the SCP03 channel.
var (
	// ErrAuthFailed: mutual authentication failed (card cryptogram, pseudo-random
	// card challenge or EXTERNAL AUTHENTICATE refused).
	ErrAuthFailed = errors.New("scp03: authentication failed")
	// ErrProtocol: the card's answer does not follow SCP03 (length, version, KVN).
	ErrProtocol = errors.New("scp03: protocol violation")
	// ErrResponseMAC: a response's R-MAC did not verify; the channel is closed.
	ErrResponseMAC = errors.New("scp03: response MAC mismatch")
	// ErrClosed: the session was closed (by Close, an R-MAC failure or a
	// transport error) and cannot be used.
	ErrClosed = errors.New("scp03: channel closed")
)

// CryptogramError reports a card cryptogram (or pseudo-random card challenge)
// that does not match the keys. It matches ErrAuthFailed with errors.Is.
// Retrying with the same keys is pointless and burns the card's
// authentication counter; Open never retries.
type CryptogramError struct {
	SCP, I, KVN byte // protocol, implementation option and key version in use
	// What names the value compared: "card cryptogram" or "card challenge".
	What               string
	Expected, Received []byte // what the keys predict and what the card sent
}

// Error says what did not match and warns against retrying.
func (e *CryptogramError) Error() string {
	return fmt.Sprintf("scp%02x: %s mismatch (i=%02X, KVN %02X): expected %X, received %X; wrong keys — do not retry with the same keys, every failed attempt burns the card's counter",
		e.SCP, e.What, e.I, e.KVN, e.Expected, e.Received)
}

// Is matches ErrAuthFailed.
func (e *CryptogramError) Is(target error) bool { return target == ErrAuthFailed }

func protoErr(format string, a ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrProtocol}, a...)...)
}
