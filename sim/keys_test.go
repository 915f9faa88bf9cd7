package sim

import (
	"encoding/hex"
	"strings"
	"testing"
)

const newKey = "00112233445566778899AABBCCDDEEFF"

// putKeyData builds PUT KEY data for three DES keys of value key under kvn.
func putKeyData(t *testing.T, hs *host, kvn string, key string, kcv string) string {
	k := h(t, key)
	field := "8010" + strings.ToUpper(hex.EncodeToString(hs.encKey(k))) + "03" + kcv
	return kvn + field + field + field
}

func TestPutKey(t *testing.T) {
	c := newTestCard(t)
	hs := newHost(t, c)
	hs.open(0)
	kcv := strings.ToUpper(hex.EncodeToString(kcvDES(t, h(t, newKey))))
	// Add KVN 01: the factory key set FF is replaced.
	got := hs.must(0xD8, 0x00, 0x81, putKeyData(t, hs, "01", newKey, kcv), "9000")
	if want := "01" + kcv + kcv + kcv; got != want {
		t.Fatalf("PUT KEY response %s, want %s", got, want)
	}
	if got := hs.must(0xCA, 0x00, 0xE0, "", "9000"); got != "E012C00401018010C00402018010C00403018010" {
		t.Fatalf("key information after PUT KEY: %s", got)
	}
	// The session goes on with its session keys; the new keys open the next.
	c.Reset()
	hs2 := newHost(t, c)
	hs2.staticENC, hs2.mac, hs2.dek = h(t, newKey), h(t, newKey), h(t, newKey)
	hs2.open(0x01)
	// Replace KVN 01 with KVN 02.
	got = hs2.must(0xD8, 0x01, 0x81, putKeyData(t, hs2, "02", testKey, strings.ToUpper(hex.EncodeToString(kcvDES(t, h(t, testKey))))), "9000")
	if !strings.HasPrefix(got, "02") {
		t.Fatalf("replace response %s", got)
	}
	ks := c.Snapshot().ISD().Domain.KeySets
	if len(ks) != 1 || ks[0].KVN != 2 {
		t.Fatalf("key sets after replace: %v", ks)
	}
}

func TestPutKey_Negative(t *testing.T) {
	tests := []struct {
		name   string
		p1, p2 byte
		data   func(t *testing.T, hs *host) string
		wantSW string
	}{
		{"wrong KCV", 0, 0x81, func(t *testing.T, hs *host) string { return putKeyData(t, hs, "01", newKey, "000000") }, "6982"},
		{"replace unknown KVN", 0x05, 0x81, func(t *testing.T, hs *host) string { return putKeyData(t, hs, "05", newKey, kcvHex(t, newKey)) }, "6A88"},
		{"KVN 00", 0, 0x81, func(t *testing.T, hs *host) string { return putKeyData(t, hs, "00", newKey, kcvHex(t, newKey)) }, "6A80"},
		{"KVN 80", 0, 0x81, func(t *testing.T, hs *host) string { return putKeyData(t, hs, "80", newKey, kcvHex(t, newKey)) }, "6A80"},
		{"several keys without P2 b8", 0, 0x01, func(t *testing.T, hs *host) string { return putKeyData(t, hs, "01", newKey, kcvHex(t, newKey)) }, "6A80"},
		{"unknown key type", 0, 0x01, func(t *testing.T, hs *host) string { return "01" + "A110" + strings.Repeat("00", 16) + "00" }, "6A80"},
		{"no KCV", 0, 0x01, func(t *testing.T, hs *host) string {
			return "01" + "8010" + strings.ToUpper(hex.EncodeToString(hs.encKey(h(t, newKey)))) + "00"
		}, "6A80"},
		{"truncated", 0, 0x01, func(t *testing.T, hs *host) string { return "01801011" }, "6A80"},
		{"empty", 0, 0x01, func(t *testing.T, hs *host) string { return "" }, "6A80"},
		{"replace KVN 7F with no key data", 0x7F, 0x81, func(t *testing.T, hs *host) string { return "" }, "6A80"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newTestCard(t)
			hs := newHost(t, c)
			hs.open(0)
			before := c.Snapshot()
			if _, sw := hs.cmd(0xD8, tt.p1, tt.p2, tt.data(t, hs)); sw != tt.wantSW {
				t.Fatalf("SW %s, want %s", sw, tt.wantSW)
			}
			assertState(t, c, before)
		})
	}
}

func kcvHex(t *testing.T, key string) string {
	return strings.ToUpper(hex.EncodeToString(kcvDES(t, h(t, key))))
}

// TestCreateSSD_PersonalizeKeys creates an SSD from the SD package with
// SCP02 i=55, loads its keys from the ISD with STORE DATA (DGI 00B9 + 8113),
// opens a session on it and lets it load and install into itself
// (Authorized Management).
func TestCreateSSD_PersonalizeKeys(t *testing.T) {
	c := newTestCard(t, WithRegistry(registry(t)))
	hs := newHost(t, c)
	hs.open(0)
	// INSTALL [install and make selectable] SSD: privileges SD + AM (80 40 00),
	// C9 { 81 02 02 55 }.
	hs.must(0xE6, 0x0C, 0x00, lv("A0000001515350")+lv("A000000151535041")+lv(ssdAID)+"03804000"+"06C904810202"+"55"+"00", "9000")
	hs.must(0xE6, 0x20, 0x00, "0000"+lv(ssdAID)+"000000", "9000")
	var dgis string
	kcv := kcvHex(t, newKey)
	for kid := 1; kid <= 3; kid++ {
		crt := "B914" + "950100" + "800180" + "810110" + "8201" + strings.ToUpper(hex.EncodeToString([]byte{byte(kid)})) + "830120" + "8403" + kcv
		dgis += "00B9" + "16" + crt + "8113" + "10" + strings.ToUpper(hex.EncodeToString(hs.encKey(h(t, newKey))))
	}
	hs.must(0xE2, 0x88, 0x00, dgis, "9000") // last block, DGI format
	ssd := c.Snapshot().App(h(t, ssdAID))
	if ssd == nil || len(ssd.Domain.KeySets) != 1 || ssd.Domain.KeySets[0].KVN != 0x20 || ssd.Domain.I != 0x55 {
		t.Fatalf("SSD after personalization: %+v", ssd)
	}
	expectSW(t, c, "00A4040008"+ssdAID, "9000")
	ssdHost := newHost(t, c)
	ssdHost.staticENC, ssdHost.mac, ssdHost.dek = h(t, newKey), h(t, newKey), h(t, newKey)
	ssdHost.open(0x20)
	lf, hash := testCAP(t, pkgAID, []string{appletMod})
	ssdHost.must(0xE6, 0x02, 0x00, lv(pkgAID)+lv(ssdAID)+lv(hex.EncodeToString(hash))+"0000", "9000")
	for i, p1 := 0, byte(0); len(lf) > 0; i++ {
		n := min(200, len(lf))
		if n == len(lf) {
			p1 = 0x80
		}
		ssdHost.must(0xE8, p1, byte(i), hex.EncodeToString(lf[:n]), "9000")
		lf = lf[n:]
	}
	ssdHost.must(0xE6, 0x0C, 0x00, lv(pkgAID)+lv(appletMod)+lv(appAID)+"0100"+"02C900"+"00", "9000")
	// The SSD sees only its own content (no Global Registry).
	got := ssdHost.must(0xF2, 0x40, 0x02, "4F00", "9000")
	if strings.Count(got, "E3") != 1 || !strings.Contains(got, appAID) {
		t.Fatalf("SSD GET STATUS = %s", got)
	}
	ssdHost.must(0xF2, 0x80, 0x02, "4F00", "6A88")
	// The SSD may not install card-wide privileges.
	ssdHost.must(0xE6, 0x0C, 0x00, lv(pkgAID)+lv(appletMod)+lv(appAID[:14]+"02")+"0110"+"02C900"+"00", "6982")
	// The SSD cannot delete itself while it holds content; the ISD cannot either.
	hs = newHost(t, c)
	expectSW(t, c, "00A4040000", "9000")
	hs.open(0)
	hs.must(0xE4, 0x00, 0x00, "4F08"+ssdAID, "6985")
}

func TestStoreData_Negative(t *testing.T) {
	c := newTestCard(t)
	hs := newHost(t, c)
	hs.open(0)
	hs.must(0xE2, 0x88, 0x01, "", "6A86")                                   // block 01 first
	hs.must(0xE2, 0xC8, 0x00, "", "6A86")                                   // encryption 10 is RFU
	hs.must(0xE2, 0x98, 0x00, "", "6A86")                                   // structure 11 is RFU
	hs.must(0xE2, 0x88, 0x00, "8113"+"10"+strings.Repeat("00", 16), "6A80") // key without template
	hs.must(0xE2, 0x88, 0x00, "0101"+"01"+"00", "6A80")                     // unknown DGI
	hs.must(0xE2, 0x90, 0x00, "4203010203"+"4502AABB", "9000")              // BER: IIN and CIN
	if got := hs.must(0xCA, 0x00, 0x42, "", "9000"); got != "4203010203" {
		t.Fatalf("IIN after STORE DATA: %s", got)
	}
	hs.must(0xE2, 0x90, 0x00, "9F7001", "6A80")
}
