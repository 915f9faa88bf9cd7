package sim

import (
	"strings"
	"testing"

	"github.com/cardhost/cardhost/sim/profile"
)

// isdFCI is the FCI of the default profile's ISD, built by hand from GPCS
// 2.3.1 Table 11-80 and Table H-1 (OIDs under 1.2.840.114283).
const isdFCI = "6F41" + "8408A000000151000000" + "A535" +
	"732F" + "06072A864886FC6B01" + "600C060A2A864886FC6B02020301" + "630906072A864886FC6B03" + "640B06092A864886FC6B040215" +
	"9F6501FF"

func TestSelect(t *testing.T) {
	tests := []struct {
		name, capdu, want string
	}{
		{"empty AID selects ISD (GPPro discovery)", "00A4040000", isdFCI + "9000"},
		{"empty AID without Le", "00A40400", isdFCI + "9000"},
		{"full ISD AID", "00A4040008A000000151000000", isdFCI + "9000"},
		{"partial ISD AID", "00A4040005A000000151", isdFCI + "9000"},
		{"no response data (P2 0C)", "00A4040C08A000000151000000", "9000"},
		{"unknown AID", "00A4040005A000000999", "6A82"},
		{"load file AID is not selectable", "00A4040007A0000001515350", "6A82"},
		{"AID too short", "00A4040003A00000", "6A82"},
		{"bad P2", "00A4040108A000000151000000", "6A86"},
		{"proprietary class", "80A4040000", "6E00"},
		{"Lc longer than data", "00A4040009A000000151000000", "6700"},
		{"header only too short", "00A404", "6700"},
		{"CLA FF", "FFA4040000", "6E00"},
		{"chaining class", "10A4040000", "6884"},
		{"closed channel", "01A4040000", "6881"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newTestCard(t)
			if got := send(t, c, tt.capdu); got != tt.want {
				t.Errorf("%s → %s, want %s", tt.capdu, got, tt.want)
			}
		})
	}
}

func TestGetData(t *testing.T) {
	cplc := "9F7F2A" + "4790" + "0503" + "8211" + "6351" + "0101" + "6100" + "00000001" + "0001" + strings.Repeat("00", 24)
	tests := []struct {
		name, capdu, want string
	}{
		{"CPLC CLA 80", "80CA9F7F00", cplc + "9000"},
		{"CPLC CLA 00", "00CA9F7F00", cplc + "9000"},
		{"IIN", "80CA004200", "42050000000001" + "9000"},
		{"CIN", "80CA004500", "45080000000000000001" + "9000"},
		{"card data", "80CA006600", "6631732F06072A864886FC6B01600C060A2A864886FC6B02020301630906072A864886FC6B03640B06092A864886FC6B040215" + "9000"},
		{"key information", "80CA00E000", "E012C00401FF8010C00402FF8010C00403FF8010" + "9000"},
		{"sequence counter", "80CA00C100", "C1020000" + "9000"},
		{"KDD", "80CA00CF00", "CF0A00010203040506070809" + "9000"},
		{"application list (empty)", "80CA2F0000", "6A88"},
		{"extended card resources", "80CAFF2100", ff21 + "9000"},
		{"unknown tag", "80CA00D300", "6A88"},
		{"unsupported instruction", "80CC000000", "6D00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newTestCard(t)
			if got := send(t, c, tt.capdu); got != tt.want {
				t.Errorf("%s → %s, want %s", tt.capdu, got, tt.want)
			}
		})
	}
}

// ff21 is the FF21 object of a fresh default card: 0 applications, 262144
// bytes free (04 00 00), 4096 bytes of RAM (10 00).
const ff21 = "FF210C" + "810100" + "8203040000" + "83021000"

func TestManageChannel(t *testing.T) {
	c := newTestCard(t)
	expectSW(t, c, "01A4040000", "6881")
	if got := expectSW(t, c, "0070000001", "9000"); got != "01" {
		t.Fatalf("open returned channel %s, want 01", got)
	}
	if got := send(t, c, "01A4040000"); got != isdFCI+"9000" {
		t.Fatalf("SELECT on channel 1 → %s", got)
	}
	expectSW(t, c, "0070000300", "9000") // open channel 3 explicitly
	expectSW(t, c, "0070000300", "6985") // already open
	expectSW(t, c, "0070001400", "6A86") // channel 20 does not exist
	expectSW(t, c, "0070800100", "9000") // close 1
	expectSW(t, c, "01CA9F7F00", "6881")
	expectSW(t, c, "0070800000", "6A86") // the basic channel cannot be closed
	expectSW(t, c, "0070800100", "6881") // already closed
	expectSW(t, c, "8070000001", "6E00")
	expectSW(t, c, "0070400000", "6A86")
	// open every further channel: 1..19 minus 3 already open = 18
	for i := 0; i < 18; i++ {
		expectSW(t, c, "0070000001", "9000")
	}
	expectSW(t, c, "0070000001", "6A81")
	// further interindustry class: channel 19 = CLA 4F
	expectSW(t, c, "4FCA9F7F00", "9000")
}

func TestProfilesBuildCards(t *testing.T) {
	for _, name := range profile.Names() {
		t.Run(name, func(t *testing.T) {
			p, err := profile.Embedded(name)
			if err != nil {
				t.Fatal(err)
			}
			c := New(p)
			expectSW(t, c, "00A4040000", "9000")
			expectSW(t, c, "80CA006600", "9000")
			// INITIALIZE UPDATE answers KDD ‖ KVN ‖ SCP ‖ (i for SCP03) …
			r := h(t, expectSW(t, c, "80500000080102030405060708", "9000"))
			if r[10] != byte(p.KVN) || r[11] != byte(p.SCP) || (p.SCP == 3 && r[12] != byte(p.I)) {
				t.Fatalf("INITIALIZE UPDATE response %X", r)
			}
			if want := map[byte]int{2: 28, 3: 32}[byte(p.SCP)]; len(r) != want {
				t.Fatalf("INITIALIZE UPDATE response length %d, want %d", len(r), want)
			}
		})
	}
}
