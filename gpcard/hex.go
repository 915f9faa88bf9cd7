package gpcard

import (
	"encoding/hex"
	"fmt"
	"strings"
)

// HexBytes is a byte string (an AID, a hash) that prints and marshals as
// upper-case hex, for human and JSON output alike.
type HexBytes []byte

// String returns the upper-case hex form.
func (h HexBytes) String() string { return strings.ToUpper(hex.EncodeToString(h)) }

// MarshalText returns the upper-case hex form.
func (h HexBytes) MarshalText() ([]byte, error) { return []byte(h.String()), nil }

// UnmarshalText parses hex (either case).
func (h *HexBytes) UnmarshalText(b []byte) error {
	out, err := hex.DecodeString(string(b))
	if err != nil {
		return fmt.Errorf("gpcard: bad hex: %w", err)
	}
	*h = out
	return nil
}
