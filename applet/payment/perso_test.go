package payment

import (
	"encoding/hex"
	"fmt"
	"strings"
	"testing"

	"github.com/cardhost/cardhost/applet"
)

// storeAPDU returns the STORE DATA C-APDU hex with P1 p1, block number 00 and
// data (hex, spaces allowed).
func storeAPDU(p1 byte, data string) string {
	d := strings.ReplaceAll(data, " ", "")
	return fmt.Sprintf("80E2%02X00%02X%s", p1, len(d)/2, d)
}

// TestStoreData_Refusals sends STORE DATA blocks to a fresh purse; all but
// the last must answer 9000, and the last, refused, must change nothing.
func TestStoreData_Refusals(t *testing.T) {
	key := "8101 10 " + testKey
	profile := profileData + "03"
	tests := []struct {
		name   string
		blocks []string
		want   string
	}{
		{"unknown DGI", []string{storeAPDU(0x88, "0105 01 00")}, "6A88"},
		{"unknown DGI after a cut ID", []string{storeAPDU(0x08, "01"), storeAPDU(0x08, "05 01 00")}, "6A88"},
		{"key 15 bytes", []string{storeAPDU(0x08, "8101 0F "+testKey[:30])}, "6A80"},
		{"key 17 bytes", []string{storeAPDU(0x08, "8101 11 "+testKey+"00")}, "6A80"},
		{"key length announced too long, data cut", []string{storeAPDU(0x08, "8101 20 4041")}, "6A80"},
		{"limit zero", []string{storeAPDU(0x08, "0101 04 00000000")}, "6A80"},
		{"limit 3 bytes", []string{storeAPDU(0x08, "0101 03 002710")}, "6A80"},
		{"currency not BCD low", []string{storeAPDU(0x08, "0102 02 097A")}, "6A80"},
		{"currency not BCD high", []string{storeAPDU(0x08, "0102 02 A978")}, "6A80"},
		{"holder empty", []string{storeAPDU(0x08, "0103 00")}, "6A80"},
		{"holder 17 bytes", []string{storeAPDU(0x08, "0103 11 "+strings.Repeat("41", 17))}, "6A80"},
		{"flags reserved bit", []string{storeAPDU(0x08, "0104 01 08")}, "6A80"},
		{"flags 2 bytes", []string{storeAPDU(0x08, "0104 02 0300")}, "6A80"},
		{"bad DGI after good ones", []string{storeAPDU(0x08, key+" 0104 01 80")}, "6A80"},
		{"P1 BER-TLV", []string{storeAPDU(0x90, key)}, "6A86"},
		{"P1 no structure", []string{storeAPDU(0x80, key)}, "6A86"},
		{"P1 structure RFU", []string{storeAPDU(0x98, key)}, "6A86"},
		{"P1 b2 set", []string{storeAPDU(0x8A, key)}, "6A86"},
		{"P1 b3 set", []string{storeAPDU(0x8C, key)}, "6A86"},
		{"P1 application dependent encryption", []string{storeAPDU(0xA8, key)}, "6A86"},
		{"P1 encryption RFU", []string{storeAPDU(0xC8, key)}, "6A86"},
		{"last without key", []string{storeAPDU(0x88, profile)}, "6985"},
		{"last without holder", []string{storeAPDU(0x08, key), storeAPDU(0x88, "0101 04 00002710 0102 02 0978")}, "6985"},
		{"last without limit", []string{storeAPDU(0x08, key), storeAPDU(0x88, "0102 02 0978 0103 01 41")}, "6985"},
		{"last without currency", []string{storeAPDU(0x08, key), storeAPDU(0x88, "0101 04 00002710 0103 01 41")}, "6985"},
		{"last ends inside a DGI", []string{storeAPDU(0x08, key), storeAPDU(0x88, profile+" 0104 01")}, "6A80"},
		{"last ends inside a DGI ID", []string{storeAPDU(0x08, key), storeAPDU(0x88, profile+" 01")}, "6A80"},
		{"last ends inside a long length", []string{storeAPDU(0x08, key), storeAPDU(0x88, profile+" 8101 FF00")}, "6A80"},
		{"empty last with nothing stored", []string{storeAPDU(0x88, "")}, "6985"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var steps []step
			for i, b := range tc.blocks {
				want := "9000"
				if i == len(tc.blocks)-1 {
					want = tc.want
				}
				steps = append(steps, step{fmt.Sprintf("block %d", i), opStore, 0, b, want})
			}
			steps = append(steps,
				step{"still not personalised", opProcess, 0, "805C000000", "6985"},
				step{"FCI", opSelect, 0, "", "6F0DA50B8003312E30810100820103 9000"})
			run(t, New(), memStorage{}, steps)
		})
	}
}

// TestStoreData_Accepted checks the accepted variants of P1 and DGI coding
// and that a DGI sent again replaces the first.
func TestStoreData_Accepted(t *testing.T) {
	tests := []struct {
		name   string
		blocks []string
		fci    string
	}{
		{"one block", []string{storeAPDU(0x88, "8101 10 "+testKey+" "+profileData+"03")}, "6F0DA50B8003312E30810101820103"},
		{"encrypted by the SD, case 4", []string{storeAPDU(0x69, "8101 10 "+testKey), storeAPDU(0xE9, profileData+"03")}, "6F0DA50B8003312E30810101820103"},
		{"long length form", []string{storeAPDU(0x08, "8101 FF0010 "+testKey), storeAPDU(0x88, profileData+"03")}, "6F0DA50B8003312E30810101820103"},
		{"flags DGI absent", []string{storeAPDU(0x08, "8101 10 "+testKey), storeAPDU(0x88, profileNoFlags)}, "6F0DA50B8003312E30810101820103"},
		{"empty last block", []string{storeAPDU(0x08, "8101 10 "+testKey+" "+profileData+"07"), storeAPDU(0x88, "")}, "6F0DA50B8003312E30810101820107"},
		{"flags sent twice", []string{storeAPDU(0x08, "0104 01 00 8101 10 "+testKey), storeAPDU(0x88, profileData+"02")}, "6F0DA50B8003312E30810101820102"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var steps []step
			for i, b := range tc.blocks {
				steps = append(steps, step{fmt.Sprintf("block %d", i), opStore, 0, b, "9000"})
			}
			steps = append(steps,
				step{"FCI", opSelect, 0, "", tc.fci + "9000"},
				step{"balance", opProcess, 0x01, "805C000000", "00000000 0978 9000"})
			run(t, New(), memStorage{}, steps)
		})
	}
}

// TestStoreData_CutAnywhere splits the personalisation data at every block
// size, as a host's STORE DATA splitter may, cutting DGIs across blocks.
func TestStoreData_CutAnywhere(t *testing.T) {
	data := hx(t, "8101 10 "+testKey+" "+profileData+"03")
	for size := 1; size <= len(data); size++ {
		st := memStorage{}
		p := New()
		ctx := applet.Context{Storage: st}
		for off := 0; off < len(data); off += size {
			end := min(off+size, len(data))
			p1 := P1DGI
			if end == len(data) {
				p1 |= P1LastBlock
			}
			if got := p.StoreData(ctx, p1, data[off:end]); got != 0x9000 {
				t.Fatalf("size %d, offset %d: %04X", size, off, got)
			}
		}
		data, status := p.Process(ctx, hx(t, "805C000000"))
		if got := strings.ToUpper(hex.EncodeToString(data)); status != 0x9000 || got != "000000000978" {
			t.Fatalf("size %d: GET BALANCE %s %04X", size, got, status)
		}
		if _, ok := st[namePending]; ok {
			t.Fatalf("size %d: cut DGI left behind", size)
		}
	}
}
