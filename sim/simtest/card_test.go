package simtest_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cardhost/cardhost/applet"
	"github.com/cardhost/cardhost/applet/payment"
	"github.com/cardhost/cardhost/gpcard/gpcrypto"
	"github.com/cardhost/cardhost/reader"
	"github.com/cardhost/cardhost/sim"
	"github.com/cardhost/cardhost/sim/profile"
	"github.com/cardhost/cardhost/sim/simtest"
)

// isdFCI is the FCI of the default profile's ISD (as sim's own tests state it,
// GPCS 2.3.1 §11.9.3 with Card Recognition Data and 9F65).
const isdFCI = "6F41" + "8408A000000151000000" + "A535" +
	"732F" + "06072A864886FC6B01" + "600C060A2A864886FC6B02020301" + "630906072A864886FC6B03" + "640B06092A864886FC6B040215" +
	"9F6501FF"

// cplc is GET DATA 9F7F of the default profile.
var cplc = "9F7F2A" + "4790" + "0503" + "8211" + "6351" + "0101" + "6100" + "00000001" + "0001" + strings.Repeat("00", 24)

func TestNewCard_Default_InMemory(t *testing.T) {
	card, tr := simtest.NewCard(t)
	if card.Path() != "" {
		t.Errorf("Path = %q, want an in-memory card", card.Path())
	}
	if !bytes.Equal(tr.ATR(), profile.Default().ATR) {
		t.Errorf("ATR %X", tr.ATR())
	}
	expect(t, tr, "00A4040000", isdFCI+"9000")
	expect(t, tr, "80CA9F7F00", cplc+"9000")
}

func TestNewCard_TransportClosedOnCleanup(t *testing.T) {
	var tr reader.Transport
	t.Run("inner", func(t *testing.T) { _, tr = simtest.NewCard(t) })
	if _, err := tr.Transmit(context.Background(), unhex(t, "00A4040000")); !errors.Is(err, reader.ErrClosed) {
		t.Fatalf("transmit after the test ended: %v, want reader.ErrClosed", err)
	}
}

func TestNewCard_ProfileNameAndFile(t *testing.T) {
	card, tr := simtest.NewCard(t, simtest.WithProfileName("gp231-scp03-i70"), simtest.WithFile())
	if filepath.Dir(card.Path()) == "." {
		t.Fatalf("Path = %q", card.Path())
	}
	if _, err := os.Stat(card.Path()); err != nil {
		t.Fatalf("image file: %v", err)
	}
	// INITIALIZE UPDATE answers with the SCP03 key set: KVN 30, SCP 03, i 70.
	r := transmit(t, tr, "8050000008 0102030405060708")
	if len(r) < 13 || !bytes.Equal(r[10:13], []byte{0x30, 0x03, 0x70}) || !bytes.HasSuffix(r, []byte{0x90, 0x00}) {
		t.Fatalf("INITIALIZE UPDATE = %X", r)
	}
	// The image on disk is the card: reopening it gives the same state.
	again, err := sim.Open(card.Path())
	if err != nil {
		t.Fatal(err)
	}
	if again.Snapshot().ISD().Domain.KeySets[0].Counter != card.Snapshot().ISD().Domain.KeySets[0].Counter {
		t.Error("reopened image differs")
	}
}

func TestNewCard_ProfileValue(t *testing.T) {
	p := profile.Default()
	p.ATR = profile.Hex{0x3B, 0x80, 0x80, 0x01, 0x01}
	_, tr := simtest.NewCard(t, simtest.WithProfile(p))
	if !bytes.Equal(tr.ATR(), p.ATR) {
		t.Fatalf("ATR %X, want %X", tr.ATR(), p.ATR)
	}
}

func TestNewCard_BadOptions_FailTheTest(t *testing.T) {
	k := bytes.Repeat([]byte{0x11}, 16)
	for _, tc := range []struct {
		name string
		opts []simtest.Option
		want string
	}{
		{"unknown profile", []simtest.Option{simtest.WithProfileName("nope")}, "nope"},
		{"two profiles", []simtest.Option{simtest.WithProfileName(profile.DefaultName), simtest.WithProfile(profile.Default())}, "both"},
		{"existing KVN", []simtest.Option{simtest.WithKeySet(0xFF, k, k, k)}, "KVN FF"},
		{"short key on a 3DES card", []simtest.Option{simtest.WithKeySet(0x20, k[:8], k, k)}, "8 bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			msg := fails(t, func(tb testing.TB) { simtest.NewCard(tb, tc.opts...) })
			if !strings.Contains(msg, tc.want) {
				t.Fatalf("failure %q, want one mentioning %q", msg, tc.want)
			}
		})
	}
}

// TestNewCard_ExtraKeySet checks that the added key set answers INITIALIZE
// UPDATE with its KVN and a card cryptogram under its own keys (SCP02, GPCS
// 2.3.1 §E.4.1 session key, §E.4.2.1 card cryptogram, computed here with the
// leaf crypto package).
func TestNewCard_ExtraKeySet(t *testing.T) {
	enc := unhex(t, "00112233445566778899AABBCCDDEEFF")
	mac, dek := bytes.Repeat([]byte{0x5A}, 16), bytes.Repeat([]byte{0xA5}, 16)
	card, tr := simtest.NewCard(t, simtest.WithKeySet(0x21, enc, mac, dek))
	if card.Path() == "" {
		t.Error("a provisioned card is file-backed")
	}
	host := unhex(t, "0102030405060708")
	r := transmit(t, tr, "8050210008 0102030405060708")
	if len(r) != 30 || r[10] != 0x21 || r[11] != 0x02 || !bytes.HasSuffix(r, []byte{0x90, 0x00}) {
		t.Fatalf("INITIALIZE UPDATE KVN 21 = %X", r)
	}
	seq, cardChal, crypt := r[12:14], r[14:20], r[20:28]
	sENC, err := gpcrypto.TripleDESCBC(enc, nil, append([]byte{0x01, 0x82, seq[0], seq[1]}, make([]byte, 12)...))
	if err != nil {
		t.Fatal(err)
	}
	in := append(append(append([]byte(nil), host...), seq...), cardChal...)
	want, err := gpcrypto.TripleDESCBCMAC(sENC, nil, gpcrypto.Pad80(in, 8))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(crypt, want) {
		t.Fatalf("card cryptogram %X, want %X (under the new ENC key)", crypt, want)
	}
	if r := transmit(t, tr, "80502200080102030405060708"); !bytes.Equal(r, []byte{0x6A, 0x88}) {
		t.Fatalf("unknown KVN 22 = %X, want 6A88", r)
	}
	if r := transmit(t, tr, "8050FF00080102030405060708"); len(r) != 30 || r[10] != 0xFF {
		t.Fatalf("the factory key set is gone: %X", r)
	}
}

func TestNewCard_PaymentPackage(t *testing.T) {
	card, tr := simtest.NewCard(t, simtest.WithPaymentPackage())
	lf := card.Snapshot().LoadFile(payment.PackageAID())
	if lf == nil || len(lf.Modules) != 1 || !bytes.Equal(lf.Modules[0], payment.AppletAID()) || lf.Version != [2]byte{1, 0} {
		t.Fatalf("purse load file %+v", lf)
	}
	if card.Path() != "" {
		t.Error("a card with only a preloaded package stays in memory")
	}
	// Not installed: selecting the applet AID finds nothing.
	expect(t, tr, "00A4040008A000000617000101", "6A82")
}

func TestNewCard_PaymentApplet_Selectable(t *testing.T) {
	card, tr := simtest.NewCard(t, simtest.WithPaymentApplet())
	// payment package doc: FCI 6F{A5{80 version, 81 personalised, 82 flags}}.
	expect(t, tr, "00A4040008A000000617000101", "6F0DA50B8003312E30810100820103 9000")
	expect(t, tr, "8058000000", "312E30 9000")
	expect(t, tr, "805C000000", "6985") // not personalised
	app := card.Snapshot().App(payment.AppletAID())
	if app == nil || app.LifeCycle != 0x07 || app.Privileges != [3]byte{} || !bytes.Equal(app.SD, unhex(t, "A000000151000000")) {
		t.Fatalf("purse instance %+v", app)
	}
	// A power cycle keeps it: it is committed state, not a live object.
	tr.Reset(context.Background())
	expect(t, tr, "00A4040008A000000617000101", "6F0DA50B8003312E30810100820103 9000")
}

func TestNewCard_RegistryShared(t *testing.T) {
	reg := new(applet.Registry)
	simtest.NewCard(t, simtest.WithRegistry(reg), simtest.WithPaymentPackage())
	simtest.NewCard(t, simtest.WithRegistry(reg), simtest.WithPaymentApplet()) // registered once, reused
	if _, ok := reg.Lookup(payment.PackageAID(), payment.AppletAID()); !ok {
		t.Fatal("purse not registered in the given registry")
	}
}
