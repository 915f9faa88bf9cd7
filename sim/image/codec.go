package image

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
)

// FormatVersion is the image format this package writes. Decode accepts only
// this version.
const FormatVersion = 1

// magic opens every image file.
var magic = [8]byte{'C', 'H', 'S', 'I', 'M', 'I', 'M', 'G'}

// headerSize: magic(8) ‖ version(2) ‖ payload length(4) ‖ SHA-256(payload)(32).
const headerSize = 8 + 2 + 4 + sha256.Size

// maxPayload bounds what Decode accepts.
const maxPayload = 256 << 20

// Errors matched (errors.Is) by the *FormatError Decode returns.
var (
	ErrCorrupt        = errors.New("image: corrupt")
	ErrTruncated      = errors.New("image: truncated")
	ErrUnknownVersion = errors.New("image: unknown format version")
)

// FormatError says why an image cannot be read; Name is the file (or other
// source) given to Decode.
type FormatError struct {
	Name   string
	Reason string
	Err    error
}

// Error prints "image FILE: REASON".
func (e *FormatError) Error() string { return fmt.Sprintf("image %s: %s", e.Name, e.Reason) }

// Unwrap returns ErrCorrupt, ErrTruncated or ErrUnknownVersion.
func (e *FormatError) Unwrap() error { return e.Err }

// Encode serialises s as an image: a fixed header (magic "CHSIMIMG", format
// version, payload length, SHA-256 of the payload) followed by the payload.
func Encode(s *State) ([]byte, error) {
	payload, err := json.Marshal(s)
	if err != nil {
		return nil, fmt.Errorf("image: encoding state: %w", err)
	}
	out := make([]byte, headerSize, headerSize+len(payload))
	copy(out, magic[:])
	binary.BigEndian.PutUint16(out[8:], FormatVersion)
	binary.BigEndian.PutUint32(out[10:], uint32(len(payload)))
	sum := sha256.Sum256(payload)
	copy(out[14:], sum[:])
	return append(out, payload...), nil
}

// Decode parses an image written by Encode. name is used in errors. It
// checks the magic, version, length and checksum and that the state is
// structurally usable (an ISD exists, keys have values).
func Decode(name string, b []byte) (*State, error) {
	bad := func(err error, format string, a ...any) error {
		return &FormatError{Name: name, Reason: fmt.Sprintf(format, a...), Err: err}
	}
	if len(b) < headerSize {
		return nil, bad(ErrTruncated, "truncated header (%d bytes)", len(b))
	}
	if !bytes.Equal(b[:8], magic[:]) {
		return nil, bad(ErrCorrupt, "not a card image (bad magic)")
	}
	if v := binary.BigEndian.Uint16(b[8:]); v != FormatVersion {
		return nil, bad(ErrUnknownVersion, "unknown format version %d (want %d)", v, FormatVersion)
	}
	n := binary.BigEndian.Uint32(b[10:])
	payload := b[headerSize:]
	if n > maxPayload {
		return nil, bad(ErrCorrupt, "payload length %d too large", n)
	}
	if uint32(len(payload)) < n {
		return nil, bad(ErrTruncated, "truncated payload (%d of %d bytes)", len(payload), n)
	}
	if uint32(len(payload)) > n {
		return nil, bad(ErrCorrupt, "%d bytes after the payload", uint32(len(payload))-n)
	}
	if sum := sha256.Sum256(payload); !bytes.Equal(sum[:], b[14:headerSize]) {
		return nil, bad(ErrCorrupt, "checksum mismatch")
	}
	s := new(State)
	if err := json.Unmarshal(payload, s); err != nil {
		return nil, bad(ErrCorrupt, "payload: %v", err)
	}
	if err := s.check(); err != nil {
		return nil, bad(ErrCorrupt, "%v", err)
	}
	return s, nil
}

// check rejects states the card manager could not run on.
func (s *State) check() error {
	if len(s.Apps) == 0 || s.Apps[0].Domain == nil {
		return errors.New("no issuer security domain")
	}
	for i := range s.Apps {
		a := &s.Apps[i]
		if len(a.AID) < 5 || len(a.AID) > 16 {
			return fmt.Errorf("application %d: bad AID length %d", i, len(a.AID))
		}
		if a.IsSD() != (a.Domain != nil) {
			return fmt.Errorf("application %X: security domain privilege and domain data disagree", a.AID)
		}
		if a.Domain == nil {
			continue
		}
		if r := a.Domain.Receipt; r != nil && len(r.Value) == 0 {
			return fmt.Errorf("application %X: empty receipt key", a.AID)
		}
		for _, ks := range a.Domain.KeySets {
			for _, k := range ks.Keys {
				if len(k.Value) == 0 {
					return fmt.Errorf("application %X: key set %02X: empty key %02X", a.AID, ks.KVN, k.ID)
				}
			}
		}
	}
	return nil
}
