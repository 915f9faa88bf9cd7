package reader

import (
	"context"
	"time"
)

// Transport moves APDUs between the host and one card. It owns the ISO 7816-4
// transport mechanics: implementations that sit on a raw link (PC/SC, vpcd)
// answer 61xx with GET RESPONSE and 6Cxx with a re-send, so callers always see
// the complete response data followed by the final status word.
//
// A Transport is not safe for concurrent use; a card processes one command at
// a time.
type Transport interface {
	// Transmit sends one command APDU (short or extended, as encoded by the
	// caller) and returns the complete response APDU: data followed by SW1 SW2.
	// The returned slice is owned by the caller.
	Transmit(ctx context.Context, capdu []byte) ([]byte, error)
	// ATR returns the card's answer to reset. The slice must not be modified.
	ATR() []byte
	// Reset resets the card (warm reset). Every secure channel and selection
	// on the card is lost.
	Reset(ctx context.Context) error
	// Close releases the card. It is idempotent.
	Close() error
}

// Exchange is one command/response pair as seen by a trace hook.
type Exchange struct {
	// Reader names the card source (PC/SC reader name, "sim", ...).
	Reader string
	// Command is the C-APDU as sent.
	Command []byte
	// Response is the R-APDU including the status word; nil when Err is set.
	Response []byte
	// Duration is the time between send and receive.
	Duration time.Duration
	// Err is the transport error, if any.
	Err error
	// Redacted is set when the data fields of Command and Response were
	// blanked because they carry secrets.
	Redacted bool
}

// TraceFunc receives every exchange a traced transport performs. It must not
// retain or modify the slices in e.
type TraceFunc func(e Exchange)
