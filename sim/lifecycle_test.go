package sim

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/cardhost/cardhost/reader"
	"github.com/cardhost/cardhost/sim/image"
	"github.com/cardhost/cardhost/sim/profile"
)

func TestCardLifeCycle(t *testing.T) {
	c := newTestCard(t)
	hs := newHost(t, c)
	hs.open(0)
	steps := []struct {
		name, p2, want string
		state          byte
	}{
		{"OP_READY → CARD_LOCKED refused", "7F", "6985", image.CardOPReady},
		{"→ INITIALIZED", "07", "9000", image.CardInitialized},
		{"back to OP_READY is not a transition", "01", "6A86", image.CardInitialized},
		{"→ SECURED", "0F", "9000", image.CardSecured},
		{"SECURED → INITIALIZED refused", "07", "6985", image.CardSecured},
		{"→ CARD_LOCKED", "7F", "9000", image.CardLocked},
		{"→ SECURED (unlock)", "0F", "9000", image.CardSecured},
		{"→ CARD_LOCKED again", "7F", "9000", image.CardLocked},
	}
	for _, s := range steps {
		p2 := h(t, s.p2)[0]
		if _, sw := hs.cmd(0xF0, 0x80, p2, ""); sw != s.want {
			t.Fatalf("%s: SW %s, want %s", s.name, sw, s.want)
		}
		if got := c.Snapshot().LifeCycle; got != s.state {
			t.Fatalf("%s: life cycle %02X, want %02X", s.name, got, s.state)
		}
	}
	hs.must(0xF0, 0x80, 0xFF, "", "9000") // terminate
	c.Reset()
	// TERMINATED: only GET DATA (and selecting the ISD) still work.
	expectSW(t, c, "80CA9F7F00", "9000")
	expectSW(t, c, "00A4040000", "9000")
	expectSW(t, c, "80500000080102030405060708", "6985")
	expectSW(t, c, "0070000001", "6985")
}

func TestCardLocked_OnlyISDSelectable(t *testing.T) {
	c := newTestCard(t, WithRegistry(registry(t)))
	hs := newHost(t, c)
	hs.open(0)
	installApp(t, hs)
	hs.must(0xF0, 0x80, 0x0F, "", "9000")
	hs.must(0xF0, 0x80, 0x7F, "", "9000")
	expectSW(t, c, "00A4040008"+appAID, "6A82")
	expectSW(t, c, "00A4040000", "9000")
}

func TestSetStatus_Application(t *testing.T) {
	c := newTestCard(t, WithRegistry(registry(t)))
	hs := newHost(t, c)
	hs.open(0)
	installApp(t, hs)
	hs.must(0xF0, 0x40, 0x83, appAID, "9000") // lock
	if lc := c.Snapshot().App(h(t, appAID)).LifeCycle; lc != 0x87 {
		t.Fatalf("locked life cycle %02X, want 87", lc)
	}
	hs.must(0xF0, 0x40, 0x83, appAID, "6985")             // already locked
	hs.must(0xF0, 0x40, 0x83, "A000000999", "6A88")       // unknown
	hs.must(0xF0, 0x40, 0x83, "A000000151000000", "6A80") // the ISD is locked through the card
	hs.must(0xF0, 0x20, 0x83, appAID, "6A86")             // bad P1
	got := hs.must(0xF2, 0x40, 0x02, "4F08"+appAID, "9000")
	if !bytes.Contains(h(t, got), h(t, "9F700187")) {
		t.Fatalf("GET STATUS does not show LOCKED: %s", got)
	}
	expectSW(t, c, "00A4040008"+appAID, "6A82") // locked: not selectable (ends the session)
	hs = newHost(t, c)
	hs.open(0)
	hs.must(0xF0, 0x40, 0x07, appAID, "9000") // unlock
	if lc := c.Snapshot().App(h(t, appAID)).LifeCycle; lc != 0x07 {
		t.Fatalf("unlocked life cycle %02X, want 07", lc)
	}
	hs.must(0xF0, 0x40, 0x07, appAID, "6985") // not locked
}

func TestTear_BetweenLoadBlocks_LeavesNothing(t *testing.T) {
	c := newTestCard(t)
	hs := newHost(t, c)
	hs.open(0)
	before := c.Snapshot()
	lf, hash := testCAP(t, pkgAID, []string{appletMod})
	hs.must(0xE6, 0x02, 0x00, lv(pkgAID)+"00"+lv(hexs(hash))+"0000", "9000")
	hs.must(0xE8, 0x00, 0x00, hexs(lf[:100]), "9000")
	c.TearBefore(1)
	if r := hs.send(0x80, 0xE8, 0x80, 0x01, lf[100:], true); r != nil {
		t.Fatalf("torn LOAD answered %X", r)
	}
	if c.Powered() {
		t.Fatal("card still powered after the tear")
	}
	c.PowerOn()
	assertState(t, c, before)
	// No selection or secure channel survived: LOAD now needs a new session.
	expectSW(t, c, "80E8800100", "6982")
}

func TestTearAfter_CommandCommittedResponseLost(t *testing.T) {
	c := newTestCard(t)
	tr := c.Transport()
	hs := newHost(t, c)
	hs.open(0)
	kcv := kcvHex(t, newKey)
	data := putKeyData(t, hs, "01", newKey, kcv)
	c.TearAfter(1)
	capdu := hs.wrap(0x80, 0xD8, 0x00, 0x81, h(t, data), true)
	if _, err := tr.Transmit(context.Background(), capdu); !errors.Is(err, reader.ErrCardRemoved) {
		t.Fatalf("Transmit after tear: %v, want ErrCardRemoved", err)
	}
	if _, err := tr.Transmit(context.Background(), h(t, "00A4040000")); !errors.Is(err, reader.ErrCardRemoved) {
		t.Fatalf("Transmit on unpowered card: %v", err)
	}
	if err := tr.Reset(context.Background()); err != nil {
		t.Fatal(err)
	}
	ks := c.Snapshot().ISD().Domain.KeySets
	if len(ks) != 1 || ks[0].KVN != 0x01 {
		t.Fatalf("PUT KEY not committed: %v", ks)
	}
	expectSW(t, c, "80E8800100", "6982") // no session survived
}

func TestFailNext(t *testing.T) {
	c := newTestCard(t)
	c.FailNext(0xCA, 0x6A82)
	expectSW(t, c, "00A4040000", "9000") // other INS unaffected
	expectSW(t, c, "80CA9F7F00", "6A82")
	expectSW(t, c, "80CA9F7F00", "9000") // once
}

func TestFileBackedCard(t *testing.T) {
	path := filepath.Join(t.TempDir(), "card.img")
	c, err := Create(path, profile.Default())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Create(path, profile.Default()); err == nil {
		t.Fatal("Create over an existing image succeeded")
	}
	hs := newHost(t, c)
	hs.open(0)
	lf, hash := testCAP(t, pkgAID, []string{appletMod})
	if sw := hs.load(pkgAID, lf, hash, 240); sw != "9000" {
		t.Fatal(sw)
	}
	want := c.Snapshot()
	reopened, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	assertState(t, reopened, want)

	b, _ := os.ReadFile(path)
	for name, bad := range map[string][]byte{
		"truncated": b[:len(b)-5],
		"corrupt":   append(append([]byte{}, b[:60]...), append([]byte{b[60] ^ 1}, b[61:]...)...),
		"version":   append(append([]byte{}, b[:8]...), append([]byte{0x7F, 0x7F}, b[10:]...)...),
	} {
		p := filepath.Join(t.TempDir(), name+".img")
		if err := os.WriteFile(p, bad, 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := Open(p)
		if err == nil || !bytes.Contains([]byte(err.Error()), []byte(p)) {
			t.Errorf("%s: Open error %v does not name the file", name, err)
		}
	}
	if _, err := Open(filepath.Join(t.TempDir(), "missing.img")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing image: %v", err)
	}
}

func TestMemory_InstallNeedsSpace(t *testing.T) {
	p := profile.Default()
	c := New(p)
	hs := newHost(t, c)
	hs.open(0)
	lf, hash := testCAP(t, pkgAID, []string{appletMod})
	if sw := hs.load(pkgAID, lf, hash, 240); sw != "9000" {
		t.Fatal(sw)
	}
	// EF { C8 quota } larger than the free memory.
	hs.must(0xE6, 0x0C, 0x00, lv(pkgAID)+lv(appletMod)+lv(appAID)+"0100"+"0AC900EF06C80400FFFFFF"+"00", "6A84")
}

func hexs(b []byte) string { return string(bytes.ToUpper([]byte(hexEncode(b)))) }
