package reader

import (
	"errors"
	"fmt"

	"github.com/ebfe/scard"
)

// Sentinel errors of the PC/SC layer. Errors returned by this package wrap one
// of them (test with errors.Is) together with the reader name and the PC/SC
// cause.
var (
	ErrNoService        = errors.New("reader: PC/SC service (pcscd) not running")
	ErrNoReaders        = errors.New("reader: no readers available")
	ErrUnknownReader    = errors.New("reader: no such reader")
	ErrAmbiguousReader  = errors.New("reader: reader name is ambiguous")
	ErrNoCard           = errors.New("reader: no card in reader")
	ErrCardRemoved      = errors.New("reader: card removed")
	ErrCardReset        = errors.New("reader: card was reset by another application")
	ErrSharingViolation = errors.New("reader: card in use by another application")
	ErrTimeout          = errors.New("reader: timeout")
	ErrUnresponsiveCard = errors.New("reader: card is not responding")
	ErrClosed           = errors.New("reader: transport closed")
)

// scardSentinels maps PC/SC error codes to the sentinels above.
var scardSentinels = map[scard.Error]error{
	scard.ErrNoService:          ErrNoService,
	scard.ErrServiceStopped:     ErrNoService,
	scard.ErrNoReadersAvailable: ErrNoReaders,
	scard.ErrUnknownReader:      ErrUnknownReader,
	scard.ErrReaderUnavailable:  ErrUnknownReader,
	scard.ErrNoSmartcard:        ErrNoCard,
	scard.ErrRemovedCard:        ErrCardRemoved,
	scard.ErrResetCard:          ErrCardReset,
	scard.ErrSharingViolation:   ErrSharingViolation,
	scard.ErrTimeout:            ErrTimeout,
	scard.ErrUnresponsiveCard:   ErrUnresponsiveCard,
	scard.ErrUnpoweredCard:      ErrUnresponsiveCard,
	scard.ErrCommError:          ErrCardRemoved,
	scard.ErrNotTransacted:      ErrCardRemoved,
}

// PCSCError is a PC/SC failure on a named reader.
type PCSCError struct {
	Reader string // reader name; empty for context-level operations
	Op     string // what was being done, e.g. "transmit"
	Code   scard.Error
}

// Error prints e.g. `reader "Virtual PCD 00 00": transmit: card removed (Card was removed.)`.
func (e *PCSCError) Error() string {
	what := "PC/SC error"
	if s, ok := scardSentinels[e.Code]; ok {
		what = s.Error()[len("reader: "):]
	}
	if e.Reader == "" {
		return fmt.Sprintf("reader: %s: %s (%v, 0x%08X)", e.Op, what, e.Code, uint32(e.Code))
	}
	return fmt.Sprintf("reader %q: %s: %s (%v, 0x%08X)", e.Reader, e.Op, what, e.Code, uint32(e.Code))
}

// Is matches the package sentinels.
func (e *PCSCError) Is(target error) bool {
	s, ok := scardSentinels[e.Code]
	return ok && s == target
}

// Unwrap returns the scard.Error.
func (e *PCSCError) Unwrap() error { return e.Code }

// pcscErr wraps err (expected to be a scard.Error) with the reader and
// operation; nil stays nil and other errors are wrapped with context only.
func pcscErr(reader, op string, err error) error {
	if err == nil {
		return nil
	}
	var code scard.Error
	if errors.As(err, &code) {
		return &PCSCError{Reader: reader, Op: op, Code: code}
	}
	if reader == "" {
		return fmt.Errorf("reader: %s: %w", op, err)
	}
	return fmt.Errorf("reader %q: %s: %w", reader, op, err)
}
