package scp02

import "github.com/cardhost/cardhost/gpcard/scp"

// Sentinel errors of the channel, shared with the other protocol through
// package scp: errors.Is(err, ErrAuthFailed) and errors.Is(err,
// scp.ErrAuthFailed) are the same test.
var (
	// ErrAuthFailed: mutual authentication failed (card cryptogram,
	// pseudo-random card challenge or EXTERNAL AUTHENTICATE refused).
	ErrAuthFailed = scp.ErrAuthFailed
	// ErrProtocol: the card's answer does not follow the protocol (length,
	// version, KVN).
	ErrProtocol = scp.ErrProtocol
	// ErrResponseMAC: a response's R-MAC did not verify; the channel is closed.
	ErrResponseMAC = scp.ErrResponseMAC
	// ErrClosed: the session was closed (by Close, an R-MAC failure or a
	// transport error) and cannot be used.
	ErrClosed = scp.ErrClosed
)

// CryptogramError reports a card cryptogram (or pseudo-random card challenge)
// that does not match the keys; see scp.CryptogramError. Open never retries.
type CryptogramError = scp.CryptogramError
