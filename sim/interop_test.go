package sim

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"
)

// Regression tests for disagreements found by the host ↔ simulator tests
// (test/hostsim): each fixes the card side to the specification.

// createSSD installs the SSD ssdAID (SD + Authorized Management) with C9
// { 81 02 scp i } through hs.
func createSSD(hs *host, scpI string) {
	hs.must(0xE6, 0x0C, 0x00, lv("A0000001515350")+lv("A000000151535041")+lv(ssdAID)+"03804000"+"06C90481 02"+scpI+"00", "9000")
}

// A new SSD starts with an initial key set (KVN FF, the card's factory
// values) so that its provider can select it, open a secure channel with it
// and PUT KEY its own keys (shared/spec/gp-card.md §1.6, way 2); adding a
// set replaces it, as for the ISD's factory set.
func TestCreateSSD_InitialKeySet_ThenPutKey(t *testing.T) {
	c := newTestCard(t)
	hs := newHost(t, c)
	hs.open(0)
	createSSD(hs, "0215")
	expectSW(t, c, "00A4040008"+ssdAID, "9000")
	ssdHost := newHost(t, c) // factory key 40..4F
	ssdHost.open(0xFF)
	kcv := kcvHex(t, newKey)
	if got := ssdHost.must(0xD8, 0x00, 0x81, putKeyData(t, ssdHost, "21", newKey, kcv), "9000"); got != "21"+kcv+kcv+kcv {
		t.Fatalf("PUT KEY → %s", got)
	}
	d := c.Snapshot().App(h(t, ssdAID)).Domain
	if len(d.KeySets) != 1 || d.KeySets[0].KVN != 0x21 || !bytes.Equal(d.KeySets[0].Keys[0].Value, h(t, newKey)) {
		t.Fatalf("SSD key sets after PUT KEY: %+v", d.KeySets)
	}
	expectSW(t, c, "00A4040008"+ssdAID, "9000")
	expectSW(t, c, "8050FF00080102030405060708 00", "6A88") // the factory set is gone
	fresh := newHost(t, c)
	fresh.staticENC, fresh.mac, fresh.dek = h(t, newKey), h(t, newKey), h(t, newKey)
	fresh.open(0x21)
}

// The initial key set follows the SSD's protocol: AES keys for SCP03.
func TestCreateSSD_InitialKeySet_TypedForProtocol(t *testing.T) {
	c := newTestCard(t)
	hs := newHost(t, c)
	hs.open(0)
	createSSD(hs, "0370")
	ks := c.Snapshot().App(h(t, ssdAID)).Domain.KeySets
	if len(ks) != 1 || ks[0].KVN != 0xFF || len(ks[0].Keys) != 3 || ks[0].Keys[2].Type != 0x88 || !bytes.Equal(ks[0].Keys[2].Value, h(t, testKey)) {
		t.Fatalf("SSD initial key set: %+v", ks)
	}
}

// SCP03 S16 options (i b1 = 1, Amd D Table 5-1), which sim/scp/scp03card
// implements, are accepted for a new SSD.
func TestCreateSSD_SCP03_S16(t *testing.T) {
	for _, i := range []string{"01", "11", "71"} {
		c := newTestCard(t)
		hs := newHost(t, c)
		hs.open(0)
		createSSD(hs, "03"+i)
		if d := c.Snapshot().App(h(t, ssdAID)).Domain; d.SCP != 3 || hex.EncodeToString([]byte{d.I}) != i {
			t.Fatalf("i=%s: SSD domain SCP %02X i %02X", i, d.SCP, d.I)
		}
	}
}

// INSTALL [for extradition] per GPCS 2.3.1 Table 11-45: LV(SD) 00 LV(AID)
// 00 LV(extradition parameters) LV(token), as GlobalPlatformPro sends it.
func TestExtradition_GP231Layout(t *testing.T) {
	c := newTestCard(t, WithRegistry(registry(t)))
	hs := newHost(t, c)
	hs.open(0)
	installApp(t, hs)
	createSSD(hs, "0215")
	hs.must(0xE6, 0x10, 0x00, lv(ssdAID)+"00"+lv(appAID)+"00"+"00"+"00", "9000")
	if app := c.Snapshot().App(h(t, appAID)); !bytes.Equal(app.SD, h(t, ssdAID)) {
		t.Fatalf("application associated with %X after extradition", app.SD)
	}
}

// A DGI may be cut across STORE DATA blocks (hosts split the DGI stream at
// the block size): the SD completes it with the next block. A last block
// ending inside a DGI is refused (6A80) and nothing is stored.
func TestStoreData_DGICutAcrossBlocks(t *testing.T) {
	keyDGIs := func(hs *host) string {
		kcv := kcvHex(t, newKey)
		var dgis string
		for _, kid := range []string{"01", "02", "03"} {
			dgis += "00B9" + "14" + "960100" + "800180" + "810110" + "8201" + kid + "830121" + "8403" + kcv
			dgis += "8113" + "10" + strings.ToUpper(hex.EncodeToString(hs.encKey(h(t, newKey))))
		}
		return dgis
	}
	t.Run("completed by the next block", func(t *testing.T) {
		c := newTestCard(t)
		hs := newHost(t, c)
		hs.open(0)
		createSSD(hs, "0215")
		hs.must(0xE6, 0x20, 0x00, "0000"+lv(ssdAID)+"000000", "9000")
		dgis := keyDGIs(hs)
		// Blocks of 30 bytes (ends inside the first 8113 value) and 13 (ends
		// inside the header of the second 00B9).
		hs.must(0xE2, 0x08, 0x00, dgis[:60], "9000")
		hs.must(0xE2, 0x08, 0x01, dgis[60:86], "9000")
		hs.must(0xE2, 0x88, 0x02, dgis[86:], "9000")
		ks := c.Snapshot().App(h(t, ssdAID)).Domain.KeySets
		if len(ks) != 1 || ks[0].KVN != 0x21 || len(ks[0].Keys) != 3 {
			t.Fatalf("SSD key sets: %+v", ks)
		}
	})
	t.Run("last block ends inside a DGI", func(t *testing.T) {
		c := newTestCard(t)
		hs := newHost(t, c)
		hs.open(0)
		createSSD(hs, "0215")
		hs.must(0xE6, 0x20, 0x00, "0000"+lv(ssdAID)+"000000", "9000")
		before := c.Snapshot()
		dgis := keyDGIs(hs)
		hs.must(0xE2, 0x88, 0x00, dgis[:len(dgis)-2], "6A80")
		assertState(t, c, before)
	})
}
