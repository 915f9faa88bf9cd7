package sw

import (
	"errors"
	"fmt"
)

// Well-known status words.
const (
	OK                       uint16 = 0x9000
	MoreData                 uint16 = 0x6310
	WrongLength              uint16 = 0x6700
	SecurityStatus           uint16 = 0x6982
	AuthMethodBlocked        uint16 = 0x6983
	ConditionsNotSatisfied   uint16 = 0x6985
	WrongData                uint16 = 0x6A80
	FunctionNotSupported     uint16 = 0x6A81
	FileNotFound             uint16 = 0x6A82
	NotEnoughMemory          uint16 = 0x6A84
	IncorrectP1P2            uint16 = 0x6A86
	ReferencedDataNotFound   uint16 = 0x6A88
	InsNotSupported          uint16 = 0x6D00
	ClaNotSupported          uint16 = 0x6E00
	NoPreciseDiagnosis       uint16 = 0x6F00
	SelectedFileInvalidated  uint16 = 0x6283
	WrongP1P2                uint16 = 0x6B00
	CommandNotAllowed        uint16 = 0x6986
	SecureMessagingMissing   uint16 = 0x6987
	SecureMessagingIncorrect uint16 = 0x6988
)

// Sentinels matched by StatusError.Is, so callers can write
// errors.Is(err, sw.ErrNotFound).
var (
	ErrSecurityStatus         = errors.New("sw: security status not satisfied")
	ErrAuthBlocked            = errors.New("sw: authentication method blocked")
	ErrConditionsNotSatisfied = errors.New("sw: conditions of use not satisfied")
	ErrWrongData              = errors.New("sw: incorrect data")
	ErrNotFound               = errors.New("sw: not found")
	ErrNoMemory               = errors.New("sw: not enough memory")
	ErrWrongP1P2              = errors.New("sw: incorrect P1 P2")
	ErrNotSupported           = errors.New("sw: instruction or class not supported")
	ErrWrongLength            = errors.New("sw: wrong length")
)

// StatusError is a card's non-success answer to a command.
type StatusError struct {
	// Command names the command, e.g. "INSTALL [for load]".
	Command string
	// SW is the status word SW1SW2.
	SW uint16
}

// Error prints "INSTALL [for load]: 6A84 not enough memory space".
func (e *StatusError) Error() string {
	if e.Command == "" {
		return fmt.Sprintf("%04X %s", e.SW, Meaning(e.SW))
	}
	return fmt.Sprintf("%s: %04X %s", e.Command, e.SW, Meaning(e.SW))
}

// Is maps the status word to the package sentinels.
func (e *StatusError) Is(target error) bool {
	switch target {
	case ErrSecurityStatus:
		return e.SW == SecurityStatus
	case ErrAuthBlocked:
		return e.SW == AuthMethodBlocked
	case ErrConditionsNotSatisfied:
		return e.SW == ConditionsNotSatisfied
	case ErrWrongData:
		return e.SW == WrongData
	case ErrNotFound:
		return e.SW == FileNotFound || e.SW == ReferencedDataNotFound
	case ErrNoMemory:
		return e.SW == NotEnoughMemory
	case ErrWrongP1P2:
		return e.SW == IncorrectP1P2 || e.SW == WrongP1P2
	case ErrNotSupported:
		return e.SW == InsNotSupported || e.SW == ClaNotSupported
	case ErrWrongLength:
		return e.SW == WrongLength || e.SW&0xFF00 == 0x6C00
	}
	return false
}

// Check returns nil when status is 9000 and a *StatusError naming command otherwise.
func Check(command string, status uint16) error {
	if status == OK {
		return nil
	}
	return &StatusError{Command: command, SW: status}
}
