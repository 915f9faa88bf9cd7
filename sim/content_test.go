package sim

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/cardhost/cardhost/applet"
	"github.com/cardhost/cardhost/sim/image"
	"github.com/cardhost/cardhost/sim/profile"
)

const (
	pkgAID    = "A00000061700"
	appletMod = "A0000006170001"
	appAID    = "A000000617000101"
	ssdAID    = "A000000151535001"
)

// counter is a Go applet that counts INS 01 commands in its storage.
type counter struct{ installed []byte }

func (a *counter) Install(ctx applet.Context, params []byte) error {
	if string(params) == "bad" {
		return errBadInstall
	}
	ctx.Storage.Put("n", []byte{0})
	return nil
}
func (a *counter) Select(applet.Context) ([]byte, uint16) { return []byte{0xC0}, 0x9000 }
func (a *counter) Deselect(applet.Context)                {}
func (a *counter) Process(ctx applet.Context, apdu []byte) ([]byte, uint16) {
	switch apdu[1] {
	case 0x01:
		n := ctx.Storage.Get("n")[0] + 1
		ctx.Storage.Put("n", []byte{n})
		return []byte{n}, 0x9000
	case 0x02:
		panic("applet bug")
	}
	return nil, 0x6D00
}
func (a *counter) StoreData(ctx applet.Context, p1 byte, data []byte) uint16 {
	ctx.Storage.Put("perso", data)
	return 0x9000
}

func registry(t testing.TB) *applet.Registry {
	r := new(applet.Registry)
	if err := r.Register(h(t, pkgAID), h(t, appletMod), func() applet.Applet { return &counter{} }); err != nil {
		t.Fatal(err)
	}
	return r
}

// installApp loads the test package and installs+selects an instance.
func installApp(t *testing.T, hs *host) {
	t.Helper()
	lf, hash := testCAP(t, pkgAID, []string{appletMod})
	if sw := hs.load(pkgAID, lf, hash, 200); sw != "9000" {
		t.Fatalf("LOAD → %s", sw)
	}
	hs.must(0xE6, 0x0C, 0x00, lv(pkgAID)+lv(appletMod)+lv(appAID)+"0100"+"02C900"+"00", "9000")
}

func TestLoadInstallSelectApplet(t *testing.T) {
	c := newTestCard(t, WithRegistry(registry(t)))
	hs := newHost(t, c)
	hs.open(0)
	installApp(t, hs)
	got := hs.must(0xF2, 0x40, 0x02, "4F00", "9000")
	want := "E3" + "25" + "4F08" + appAID + "9F700107" + "C503000000" + "C406" + pkgAID + "CC08A000000151000000"
	if got != want {
		t.Fatalf("GET STATUS apps = %s, want %s", got, want)
	}
	got = hs.must(0xF2, 0x10, 0x02, "4F06"+pkgAID, "9000")
	want = "E3" + "23" + "4F06" + pkgAID + "9F700101" + "CE020102" + "8407" + appletMod + "CC08A000000151000000"
	if got != want {
		t.Fatalf("GET STATUS ELF+modules = %s, want %s", got, want)
	}
	got = hs.must(0xF2, 0x80, 0x00, "4F00", "9000")
	if want := "08A000000151000000" + "01" + "9A"; got != want {
		t.Fatalf("GET STATUS legacy ISD = %s, want %s", got, want)
	}
	if got := send(t, c, "00A4040008"+appAID); got != "C09000" {
		t.Fatalf("SELECT applet → %s", got)
	}
	for i := 1; i <= 3; i++ {
		if got := send(t, c, "80010000"); got != "0"+string(rune('0'+i))+"9000" {
			t.Fatalf("count %d → %s", i, got)
		}
	}
	expectSW(t, c, "80020000", "6F00") // applet panic: no change
	c.Reset()
	expectSW(t, c, "00A4040008"+appAID, "9000")
	if got := send(t, c, "80010000"); got != "049000" {
		t.Fatalf("after reset → %s, want 04 (storage persisted)", got)
	}
	expectSW(t, c, "00A4040000", "9000")
	if got := send(t, c, "80CA2F0000"); got != "610A4F08"+appAID+"9000" {
		t.Fatalf("2F00 → %s", got)
	}
}

func TestInertApplet(t *testing.T) {
	c := newTestCard(t) // no Go implementation registered
	hs := newHost(t, c)
	hs.open(0)
	installApp(t, hs)
	expectSW(t, c, "00A4040008"+appAID, "9000")
	expectSW(t, c, "80010000", "6D00")
}

func TestInstall_Negative(t *testing.T) {
	tests := []struct {
		name, p1, data, want string
	}{
		{"unknown load file", "0C", lv("A00000099999") + lv(appletMod) + lv(appAID) + "0100" + "02C900" + "00", "6A88"},
		{"unknown module", "0C", lv(pkgAID) + lv("A0000006179999") + lv(appAID) + "0100" + "02C900" + "00", "6A88"},
		{"existing AID", "0C", lv(pkgAID) + lv(appletMod) + lv("A000000151000000") + "0100" + "02C900" + "00", "6985"},
		{"no C9", "0C", lv(pkgAID) + lv(appletMod) + lv(appAID) + "0100" + "00" + "00", "6A80"},
		{"privileges of 2 bytes", "0C", lv(pkgAID) + lv(appletMod) + lv(appAID) + "020000" + "02C900" + "00", "6A80"},
		{"SD privilege on applet module", "0C", lv(pkgAID) + lv(appletMod) + lv(appAID) + "0180" + "02C900" + "00", "6A80"},
		{"card reset without selectable", "04", lv(pkgAID) + lv(appletMod) + lv(appAID) + "0104" + "02C900" + "00", "6A80"},
		{"applet refuses install", "0C", lv(pkgAID) + lv(appletMod) + lv(appAID) + "0100" + "05C903626164" + "00", "6A80"},
		{"token present (DM unsupported)", "0C", lv(pkgAID) + lv(appletMod) + lv(appAID) + "0100" + "02C900" + "0101", "6982"},
		{"truncated", "0C", lv(pkgAID) + "07A0", "6A80"},
		{"trailing bytes", "0C", lv(pkgAID) + lv(appletMod) + lv(appAID) + "0100" + "02C900" + "00" + "FF", "6A80"},
		{"bad P1", "01", "00", "6A86"},
		{"SSD with bad SCP", "0C", lv("A0000001515350") + lv("A000000151535041") + lv(ssdAID) + "03800000" + "06C904810204" + "15" + "00", "6A80"},
		{"SSD C9 not TLV", "0C", lv("A0000001515350") + lv("A000000151535041") + lv(ssdAID) + "03800000" + "03C90145" + "00", "6A80"},
		{"make selectable unknown", "08", "0000" + lv(appAID) + "00" + "00" + "00", "6A88"},
		{"personalization of unknown", "20", "0000" + lv(appAID) + "000000", "6A88"},
		{"extradition to non-SD", "10", lv("A0000001515350") + "00" + lv(pkgAID) + "000000", "6A88"},
		{"extradition without parameters field (GP 2.1.1 layout)", "10", lv("A000000151000000") + "00" + lv(pkgAID) + "0000", "6A80"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newTestCard(t, WithRegistry(registry(t)))
			hs := newHost(t, c)
			hs.open(0)
			lf, hash := testCAP(t, pkgAID, []string{appletMod})
			if sw := hs.load(pkgAID, lf, hash, 240); sw != "9000" {
				t.Fatalf("LOAD → %s", sw)
			}
			before := c.Snapshot()
			p1, _ := hex.DecodeString(tt.p1)
			if _, sw := hs.cmd(0xE6, p1[0], 0x00, tt.data); sw != tt.want {
				t.Fatalf("SW %s, want %s", sw, tt.want)
			}
			assertState(t, c, before)
		})
	}
}

func TestLoad_Negative(t *testing.T) {
	lf, hash := testCAP(t, pkgAID, []string{appletMod})
	t.Run("wrong hash", func(t *testing.T) {
		c := newTestCard(t)
		hs := newHost(t, c)
		hs.open(0)
		bad := append([]byte{}, hash...)
		bad[0] ^= 1
		if sw := hs.load(pkgAID, lf, bad, 240); sw != "6A80" {
			t.Fatalf("SW %s, want 6A80", sw)
		}
		if c.Snapshot().LoadFile(h(t, pkgAID)) != nil {
			t.Fatal("load file registered")
		}
	})
	t.Run("AID differs from the CAP", func(t *testing.T) {
		c := newTestCard(t)
		hs := newHost(t, c)
		hs.open(0)
		if sw := hs.load("A00000061799", lf, hash, 240); sw != "6A80" {
			t.Fatalf("SW %s, want 6A80", sw)
		}
	})
	t.Run("block out of sequence", func(t *testing.T) {
		c := newTestCard(t)
		hs := newHost(t, c)
		hs.open(0)
		hs.must(0xE6, 0x02, 0x00, lv(pkgAID)+"00"+lv(hex.EncodeToString(hash))+"0000", "9000")
		hs.must(0xE8, 0x00, 0x01, hex.EncodeToString(lf[:10]), "6A86")
		hs.must(0xE8, 0x00, 0x00, hex.EncodeToString(lf[:10]), "6985") // the load was abandoned
	})
	t.Run("LOAD without INSTALL", func(t *testing.T) {
		c := newTestCard(t)
		hs := newHost(t, c)
		hs.open(0)
		hs.must(0xE8, 0x80, 0x00, "C400", "6985")
	})
	t.Run("garbage load file", func(t *testing.T) {
		c := newTestCard(t)
		hs := newHost(t, c)
		hs.open(0)
		hs.must(0xE6, 0x02, 0x00, lv(pkgAID)+"00000000", "9000")
		hs.must(0xE8, 0x80, 0x00, "C403010203", "6A80")
	})
	t.Run("not enough memory", func(t *testing.T) {
		p := profile.Default()
		p.Memory = 100
		c := New(p)
		hs := newHost(t, c)
		hs.open(0)
		if sw := hs.load(pkgAID, lf, hash, 240); sw != "6A84" {
			t.Fatalf("SW %s, want 6A84", sw)
		}
	})
	t.Run("declared size above free memory", func(t *testing.T) {
		c := newTestCard(t)
		hs := newHost(t, c)
		hs.open(0)
		hs.must(0xE6, 0x02, 0x00, lv(pkgAID)+"00"+"00"+"08EF06C60400100000"+"00", "6A84")
	})
	t.Run("load file exists", func(t *testing.T) {
		c := newTestCard(t)
		hs := newHost(t, c)
		hs.open(0)
		hs.must(0xE6, 0x02, 0x00, lv("A0000001515350")+"000000"+"00", "6985")
	})
}

// assertState fails unless the card's committed state encodes like before.
func assertState(t *testing.T, c *Card, before *image.State) {
	t.Helper()
	if !bytes.Equal(encode(t, c.Snapshot()), encode(t, before)) {
		t.Fatal("committed state changed")
	}
}

func encode(t testing.TB, s *image.State) []byte {
	t.Helper()
	b, err := image.Encode(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDelete(t *testing.T) {
	c := newTestCard(t, WithRegistry(registry(t)))
	hs := newHost(t, c)
	hs.open(0)
	installApp(t, hs)
	hs.must(0xE4, 0x00, 0x00, "4F06"+pkgAID, "6985")          // instances exist
	hs.must(0xE4, 0x00, 0x00, "4F08A000000151000000", "6985") // the ISD
	hs.must(0xE4, 0x00, 0x00, "4F05A000000999", "6A88")       // unknown
	hs.must(0xE4, 0x00, 0x00, "4F02A000", "6A80")             // bad AID
	hs.must(0xE4, 0x00, 0x01, "4F08"+appAID, "6A86")          // bad P2
	hs.must(0xE4, 0x00, 0x00, "D00109", "6A88")               // no such key
	freeBefore := c.Snapshot().MemoryFree()
	if got := hs.must(0xE4, 0x00, 0x80, "4F06"+pkgAID, "9000"); got != "00" {
		t.Fatalf("DELETE response data %s, want 00", got)
	}
	s := c.Snapshot()
	if s.LoadFile(h(t, pkgAID)) != nil || s.App(h(t, appAID)) != nil {
		t.Fatal("package or instance still registered")
	}
	if s.MemoryFree() <= freeBefore {
		t.Fatal("memory not released")
	}
	expectSW(t, c, "00A4040008"+appAID, "6A82")
}

func TestDelete_DependentPackage(t *testing.T) {
	c := newTestCard(t)
	hs := newHost(t, c)
	hs.open(0)
	lib, libHash := testCAP(t, "A00000061701", nil)
	if sw := hs.load("A00000061701", lib, libHash, 240); sw != "9000" {
		t.Fatal(sw)
	}
	user, userHash := testCAP(t, pkgAID, []string{appletMod}, "A00000061701")
	if sw := hs.load(pkgAID, user, userHash, 240); sw != "9000" {
		t.Fatal(sw)
	}
	hs.must(0xE4, 0x00, 0x00, "4F06A00000061701", "6985")
	hs.must(0xE4, 0x00, 0x00, "4F06"+pkgAID, "9000")
	hs.must(0xE4, 0x00, 0x00, "4F06A00000061701", "9000")
}

func TestGetStatus_Paging(t *testing.T) {
	c := newTestCard(t)
	hs := newHost(t, c)
	hs.open(0)
	lf, hash := testCAP(t, pkgAID, []string{appletMod})
	if sw := hs.load(pkgAID, lf, hash, 240); sw != "9000" {
		t.Fatal(sw)
	}
	for i := 0; i < 12; i++ {
		aid := appAID[:14] + strings.ToUpper(hex.EncodeToString([]byte{byte(i)}))
		hs.must(0xE6, 0x0C, 0x00, lv(pkgAID)+lv(appletMod)+lv(aid)+"0100"+"02C900"+"00", "9000")
	}
	var all string
	first, sw := hs.cmd(0xF2, 0x40, 0x02, "4F00")
	if sw != "6310" {
		t.Fatalf("first page SW %s, want 6310", sw)
	}
	all += first
	for sw == "6310" {
		var page string
		page, sw = hs.cmd(0xF2, 0x40, 0x03, "4F00")
		all += page
	}
	if sw != "9000" {
		t.Fatalf("last page SW %s", sw)
	}
	if n := strings.Count(all, "E325"); n != 12 {
		t.Fatalf("%d entries over all pages, want 12", n)
	}
	hs.must(0xF2, 0x40, 0x03, "4F00", "6985") // no continuation pending
	hs.must(0xF2, 0x40, 0x02, "4F05A000000999", "6A88")
	hs.must(0xF2, 0x01, 0x02, "4F00", "6A86")
	hs.must(0xF2, 0x40, 0x06, "4F00", "6A86")
	hs.must(0xF2, 0x40, 0x02, "", "6A80")
	hs.must(0xF2, 0x40, 0x02, "9F7000", "6A80")
}

// A full AID selects its own instance even when an instance whose AID extends
// it was installed first: partial matching only applies without an exact match.
func TestSelect_ExactAIDBeforePrefixMatch(t *testing.T) {
	c := newTestCard(t, WithRegistry(registry(t)))
	hs := newHost(t, c)
	hs.open(0)
	installApp(t, hs) // instance appAID
	longer := appAID + "02"
	hs.must(0xE6, 0x0C, 0x00, lv(pkgAID)+lv(appletMod)+lv(longer)+"0100"+"02C900"+"00", "9000")
	// Reinstall appAID after the longer one, so the longer one comes first.
	hs.must(0xE4, 0x00, 0x00, "4F"+lv(appAID), "9000")
	hs.must(0xE6, 0x0C, 0x00, lv(pkgAID)+lv(appletMod)+lv(appAID)+"0100"+"02C900"+"00", "9000")
	for _, want := range []string{"01", "02"} {
		if got := send(t, c, "00A4040008"+appAID); got != "C09000" {
			t.Fatalf("SELECT %s → %s", appAID, got)
		}
		if got := send(t, c, "80010000"); got != want+"9000" {
			t.Fatalf("counter of the exact-AID instance → %s, want %s (a shared count means the wrong instance was selected)", got, want)
		}
	}
	if got := send(t, c, "00A4040009"+longer); got != "C09000" {
		t.Fatalf("SELECT %s → %s", longer, got)
	}
	if got := send(t, c, "80010000"); got != "019000" {
		t.Fatalf("counter of the longer instance → %s, want 01", got)
	}
}
