package cap

import (
	"errors"
	"fmt"
)

// ErrTooLarge is matched (errors.Is) by the *FormatError returned when an input
// exceeds a size limit: the file, a ZIP entry, or the total bytes decompressed.
var ErrTooLarge = errors.New("cap: input too large")

// FormatError reports a malformed or unsupported CAP file. It names the file,
// the component (or ZIP entry), the field and, when known, the byte offset of
// the field within the component.
type FormatError struct {
	File      string // the file name given to the parser
	Component string // e.g. "Header", "Directory", a ZIP entry name, or ""
	Field     string // e.g. "magic", "AID_length"; may be empty
	Offset    int    // byte offset within the component (or file); -1 if none
	Reason    string
	Err       error // optional cause, e.g. ErrTooLarge
}

// Error formats the error as "cap: FILE: COMPONENT: FIELD at offset N: REASON".
func (e *FormatError) Error() string {
	s := "cap: " + e.File
	if e.Component != "" {
		s += ": " + e.Component
	}
	if e.Field != "" {
		s += ": " + e.Field
	}
	if e.Offset >= 0 {
		s += fmt.Sprintf(" at offset %d", e.Offset)
	}
	return s + ": " + e.Reason
}

// Unwrap returns the cause, if any.
func (e *FormatError) Unwrap() error { return e.Err }

// errorf builds a FormatError for one component.
func errorf(file, comp, field string, off int, format string, a ...any) *FormatError {
	return &FormatError{File: file, Component: comp, Field: field, Offset: off, Reason: fmt.Sprintf(format, a...)}
}
