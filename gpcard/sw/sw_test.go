package sw

import (
	"errors"
	"testing"
)

func TestStatusError_Error(t *testing.T) {
	// Wording per STYLE.md §4 and the meanings of ISO/IEC 7816-4 Table 6.
	tests := []struct {
		cmd  string
		sw   uint16
		want string
	}{
		{"INSTALL [for load]", 0x6A84, "INSTALL [for load]: 6A84 not enough memory space"},
		{"", 0x6581, "6581 memory failure"},
		{"GET STATUS", 0x6310, "GET STATUS: 6310 more data available"},
		{"VERIFY", 0x63C2, "VERIFY: 63C2 verification failed, 2 tries left"},
		{"X", 0x6C10, "X: 6C10 wrong Le; exact length is 16"},
		{"X", 0x6A8F, "X: 6A8F wrong parameters P1-P2"},
		{"X", 0x9F00, "X: 9F00 unknown status"},
	}
	for _, tc := range tests {
		if got := (&StatusError{Command: tc.cmd, SW: tc.sw}).Error(); got != tc.want {
			t.Errorf("Error() = %q, want %q", got, tc.want)
		}
	}
}

func TestCheck_Sentinels(t *testing.T) {
	if Check("X", OK) != nil {
		t.Fatal("9000 is an error")
	}
	tests := []struct {
		sw   uint16
		want error
	}{
		{0x6982, ErrSecurityStatus}, {0x6983, ErrAuthBlocked}, {0x6985, ErrConditionsNotSatisfied},
		{0x6A80, ErrWrongData}, {0x6A82, ErrNotFound}, {0x6A88, ErrNotFound}, {0x6A84, ErrNoMemory},
		{0x6A86, ErrWrongP1P2}, {0x6B00, ErrWrongP1P2}, {0x6D00, ErrNotSupported}, {0x6E00, ErrNotSupported},
		{0x6700, ErrWrongLength}, {0x6C08, ErrWrongLength},
	}
	for _, tc := range tests {
		if err := Check("X", tc.sw); !errors.Is(err, tc.want) {
			t.Errorf("%04X: errors.Is(%v) false", tc.sw, tc.want)
		}
	}
	if errors.Is(Check("X", 0x6A84), ErrNotFound) {
		t.Error("6A84 matched ErrNotFound")
	}
}

func TestMeaning_CatalogueComplete(t *testing.T) {
	// Every SW listed in GPCS 2.3.1 Table 11-10 and the §11 command tables.
	for _, s := range []uint16{0x6400, 0x6581, 0x6700, 0x6881, 0x6982, 0x6985, 0x6A80, 0x6A81, 0x6A82,
		0x6A84, 0x6A86, 0x6A88, 0x6D00, 0x6E00, 0x6310, 0x6283, 0x9484, 0x9485, 0x6999} {
		if _, ok := meanings[s]; !ok {
			t.Errorf("%04X missing from catalogue", s)
		}
	}
}

func TestHint(t *testing.T) {
	tests := []struct {
		cmd   string
		sw    uint16
		empty bool
	}{
		{"INITIALIZE UPDATE", 0x6982, false},
		{"DELETE", 0x6985, false},
		{"INSTALL [for install]", 0x6A80, false},
		{"INSTALL [for make selectable]", 0x6985, false}, // falls back to "INSTALL"
		{"INSTALL [for make selectable]", 0x6A80, true},
		{"GET DATA", 0x9000, true},
	}
	for _, tc := range tests {
		if got := Hint(tc.cmd, tc.sw); (got == "") != tc.empty {
			t.Errorf("Hint(%q, %04X) = %q", tc.cmd, tc.sw, got)
		}
	}
	if got := Hint("INITIALIZE UPDATE", 0x6982); got != "wrong keys or key version — do not retry blindly, the card counts failed authentications" {
		t.Errorf("6982 hint = %q", got)
	}
}
