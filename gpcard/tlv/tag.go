package tlv

import (
	"errors"
	"fmt"
)

// Tag is a BER tag: its one to four bytes read as a big-endian number, so
// the two-byte tag 9F 7F is Tag(0x9F7F) and the one-byte tag 4F is Tag(0x4F).
type Tag uint32

// maxTagBytes caps multi-byte tags; GlobalPlatform never uses more than two.
const maxTagBytes = 4

// Len returns the number of bytes of t on the wire (1 for the zero tag).
func (t Tag) Len() int {
	switch {
	case t > 0xFFFFFF:
		return 4
	case t > 0xFFFF:
		return 3
	case t > 0xFF:
		return 2
	}
	return 1
}

// Bytes returns the tag bytes of t.
func (t Tag) Bytes() []byte {
	n := t.Len()
	b := make([]byte, n)
	for i := range n {
		b[i] = byte(t >> (8 * (n - 1 - i)))
	}
	return b
}

// Constructed reports whether bit b6 of the first tag byte is set, i.e. the
// value is itself a sequence of data objects (ISO/IEC 8825-1 §8.1.2.5).
func (t Tag) Constructed() bool {
	first := byte(t >> (8 * (t.Len() - 1)))
	return first&0x20 != 0
}

// String prints the tag in upper-case hex, e.g. "9F7F".
func (t Tag) String() string {
	return fmt.Sprintf("%0*X", 2*t.Len(), uint32(t))
}

// ErrTruncated is wrapped by every error caused by input that ends too early.
var ErrTruncated = errors.New("tlv: truncated")

// ReadTag reads the tag at the start of b and returns it with its size in
// bytes (ISO/IEC 8825-1 §8.1.2: low five bits 1F announce subsequent bytes,
// each with b8 set except the last).
func ReadTag(b []byte) (Tag, int, error) {
	if len(b) == 0 {
		return 0, 0, fmt.Errorf("tag: %w", ErrTruncated)
	}
	if b[0] == 0x00 {
		// ISO/IEC 7816-4 §5.2.2.1: 00 is padding, never a tag.
		return 0, 0, fmt.Errorf("tag: invalid first byte 00")
	}
	t := Tag(b[0])
	if b[0]&0x1F != 0x1F {
		return t, 1, nil
	}
	for i := 1; ; i++ {
		if i >= maxTagBytes {
			return 0, 0, fmt.Errorf("tag: longer than %d bytes", maxTagBytes)
		}
		if i >= len(b) {
			return 0, 0, fmt.Errorf("tag: %w", ErrTruncated)
		}
		t = t<<8 | Tag(b[i])
		if b[i]&0x80 == 0 {
			return t, i + 1, nil
		}
	}
}
