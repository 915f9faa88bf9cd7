package test

import (
	"context"
	"reflect"
	"testing"

	"github.com/cardhost/cardhost/applet/payment"
	"github.com/cardhost/cardhost/gpcard"
	"github.com/cardhost/cardhost/gpcard/keys"
	"github.com/cardhost/cardhost/gpcard/secret"
	"github.com/cardhost/cardhost/sim/simtest"
)

// TestSimtest_PaymentApplet_MatchesHostInstall checks simtest's image-written
// purse instance against the real thing: the host (gpcard, independent code)
// opens SCP02 on a card with only the package and sends INSTALL [for install
// and make selectable] with empty parameters; both cards must then hold the
// same registry entry, storage and free memory.
func TestSimtest_PaymentApplet_MatchesHostInstall(t *testing.T) {
	ctx := context.Background()
	viaHost, tr := simtest.NewCard(t, simtest.WithPaymentPackage())
	c, err := gpcard.Connect(ctx, tr, gpcard.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	factory, err := secret.FromHex("404142434445464748494A4B4C4D4E4F") // the default profile's KVN FF keys
	if err != nil {
		t.Fatal(err)
	}
	kp := keys.NewPlain(keys.KeySet{KVN: 0xFF, ENC: factory, MAC: factory, DEK: factory})
	if err := c.Authenticate(ctx, kp, gpcard.AuthOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := c.Install(ctx, gpcard.InstallOptions{LoadFile: payment.PackageAID(), Module: payment.AppletAID()}); err != nil {
		t.Fatal(err)
	}
	provisioned, _ := simtest.NewCard(t, simtest.WithPaymentApplet())

	want, got := viaHost.Snapshot(), provisioned.Snapshot()
	if w, g := want.App(payment.AppletAID()), got.App(payment.AppletAID()); w == nil || !reflect.DeepEqual(*w, *g) {
		t.Fatalf("purse instance\n got %+v\nwant %+v (installed by the host)", g, w)
	}
	if want.MemoryFree() != got.MemoryFree() {
		t.Fatalf("free memory %d, want %d", got.MemoryFree(), want.MemoryFree())
	}
}

// TestSimtest_ExtraKeySet_HostAuthenticates opens an SCP02 session with the
// key set simtest added, through the host's own code.
func TestSimtest_ExtraKeySet_HostAuthenticates(t *testing.T) {
	ctx := context.Background()
	k, err := secret.FromHex("00112233445566778899AABBCCDDEEFF")
	if err != nil {
		t.Fatal(err)
	}
	raw := []byte{0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF}
	_, tr := simtest.NewCard(t, simtest.WithKeySet(0x21, raw, raw, raw))
	c, err := gpcard.Connect(ctx, tr, gpcard.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	kp := keys.NewPlain(keys.KeySet{KVN: 0x21, ENC: k, MAC: k, DEK: k})
	if err := c.Authenticate(ctx, kp, gpcard.AuthOptions{KVN: 0x21}); err != nil {
		t.Fatalf("SCP02 with the added key set: %v", err)
	}
	if _, err := c.Registry(ctx); err != nil {
		t.Fatalf("GET STATUS in the session: %v", err)
	}
}
