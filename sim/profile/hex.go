package profile

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
)

// Hex is a byte string written in JSON as a hexadecimal string; spaces are
// allowed and ignored.
type Hex []byte

// MarshalJSON writes upper-case hex.
func (h Hex) MarshalJSON() ([]byte, error) {
	return json.Marshal(strings.ToUpper(hex.EncodeToString(h)))
}

// UnmarshalJSON reads hex digits, ignoring spaces.
func (h *Hex) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		return fmt.Errorf("bad hex %q: %w", s, err)
	}
	*h = v
	return nil
}

// Byte is one byte written in JSON as two hex digits ("15").
type Byte byte

// MarshalJSON writes two upper-case hex digits.
func (b Byte) MarshalJSON() ([]byte, error) { return json.Marshal(fmt.Sprintf("%02X", byte(b))) }

// UnmarshalJSON reads exactly two hex digits.
func (b *Byte) UnmarshalJSON(data []byte) error {
	var h Hex
	if err := h.UnmarshalJSON(data); err != nil {
		return err
	}
	if len(h) != 1 {
		return fmt.Errorf("want one byte, got %d", len(h))
	}
	*b = Byte(h[0])
	return nil
}
