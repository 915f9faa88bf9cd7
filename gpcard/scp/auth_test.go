package scp_test

import (
	"testing"

	"github.com/cardhost/cardhost/gpcard/scp"
)

// GPCS 2.3.1 Table 11-11 / ISO/IEC 7816-4 §5.4.1: channels 0–3 in b2–b1 of
// 80–83 (secure messaging b3: 84–87), 4–19 as n−4 in C0–CF (secure
// messaging b6: E0–EF).
func TestAuthClass(t *testing.T) {
	tests := []struct {
		ch   int
		sm   bool
		want byte
	}{
		{0, false, 0x80}, {0, true, 0x84}, {1, true, 0x85}, {3, false, 0x83},
		{4, false, 0xC0}, {4, true, 0xE0}, {19, true, 0xEF},
	}
	for _, tt := range tests {
		if got, err := scp.AuthClass(tt.ch, tt.sm); err != nil || got != tt.want {
			t.Errorf("AuthClass(%d, %v) = %02X %v, want %02X", tt.ch, tt.sm, got, err, tt.want)
		}
	}
	for _, bad := range []int{-1, 20} {
		if _, err := scp.AuthClass(bad, false); err == nil {
			t.Errorf("channel %d accepted", bad)
		}
	}
}
