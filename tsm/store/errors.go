package store

import (
	"errors"
	"fmt"
)

var (
	// ErrNotFound reports that the requested record does not exist (or, for
	// ClaimJob, that no job is ready to run).
	ErrNotFound = errors.New("store: not found")
	// ErrConflict reports that the write clashes with the stored state: a
	// duplicate key, a card whose IIN or CPLC serial disagrees with the stored
	// card of the same CIN, or a step not in the state the call requires.
	ErrConflict = errors.New("store: conflict")
	// ErrInvalid reports input the store refuses: missing fields, malformed
	// JSON, a reference to a record that does not exist.
	ErrInvalid = errors.New("store: invalid input")
	// ErrLeaseLost reports that the caller's job lease is no longer the
	// current one (another worker claimed the job, or it was released). It
	// matches ErrConflict too.
	ErrLeaseLost = fmt.Errorf("%w: job lease lost", ErrConflict)
	// ErrSecretField reports a JSON document with a member name that looks
	// like key material. It matches ErrInvalid too.
	ErrSecretField = fmt.Errorf("%w: key-like field in JSON", ErrInvalid)
	// ErrTampered reports an audit chain that does not verify; the error is an
	// *AuditError naming the first bad row.
	ErrTampered = errors.New("store: audit log tampered")
)

// AuditError names the first audit row that fails verification. It matches
// ErrTampered.
type AuditError struct {
	Seq    int64  // sequence number of the first bad row (0: the chain head)
	Reason string // what does not match, e.g. "hash mismatch"
}

// Error implements error.
func (e *AuditError) Error() string {
	return fmt.Sprintf("store: audit log tampered at seq %d: %s", e.Seq, e.Reason)
}

// Is reports whether target is ErrTampered.
func (e *AuditError) Is(target error) bool { return target == ErrTampered }

// invalidf returns an error matching ErrInvalid with the given detail.
func invalidf(format string, a ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, a...))
}
