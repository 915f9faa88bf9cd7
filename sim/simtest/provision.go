package simtest

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/cardhost/cardhost/applet"
	"github.com/cardhost/cardhost/applet/payment"
	"github.com/cardhost/cardhost/sim"
	"github.com/cardhost/cardhost/sim/image"
	"github.com/cardhost/cardhost/sim/profile"
)

// instanceSize is the non-volatile memory sim charges an application
// instance installed without a memory quota (its appletInstanceSize), so the
// card's free memory matches a card where the purse was installed by INSTALL.
const instanceSize = 256

// provision creates a file-backed card from p, writes the extra key sets and
// the purse instance into its image, and opens the result: sim accepts a
// changed image only through Open.
func (c *config) provision(t testing.TB, p *profile.Profile, reg *applet.Registry, opts []sim.Option) *sim.Card {
	t.Helper()
	path := filepath.Join(t.TempDir(), "card.img")
	blank, err := sim.Create(path, p)
	if err != nil {
		t.Fatal(err)
	}
	s := blank.Snapshot()
	isd := s.ISD()
	for _, ks := range c.keySets {
		addKeySet(t, isd.Domain, ks)
	}
	if c.purse {
		installPurse(t, s, reg)
	}
	if err := image.NewFile(path).Commit(s); err != nil {
		t.Fatal(err)
	}
	card, err := sim.Open(path, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return card
}

// addKeySet adds ks to d with the key type of d's first key set.
func addKeySet(t testing.TB, d *image.Domain, ks image.KeySet) {
	t.Helper()
	if d.KeySet(ks.KVN) != nil {
		t.Fatalf("simtest: the ISD already has a key set with KVN %02X", ks.KVN)
	}
	typ := d.KeySets[0].Keys[0].Type
	for i := range ks.Keys {
		k := &ks.Keys[i]
		k.Type = typ
		if n := len(k.Value); typ == image.KeyTypeDES3 && n != 16 || typ == image.KeyTypeAES && n != 16 && n != 24 && n != 32 {
			t.Fatalf("simtest: key set %02X: key %d has %d bytes, wrong for the ISD's key type %02X", ks.KVN, k.ID, n, typ)
		}
	}
	d.KeySets = append(d.KeySets, ks)
}

// installPurse adds a selectable purse instance to s, associated with the
// ISD, after running its Install with empty parameters as INSTALL would.
func installPurse(t testing.TB, s *image.State, reg *applet.Registry) {
	t.Helper()
	if s.App(payment.AppletAID()) != nil {
		t.Fatal("simtest: the purse instance already exists")
	}
	factory, ok := reg.Lookup(payment.PackageAID(), payment.AppletAID())
	if !ok {
		t.Fatal("simtest: the purse is not in the applet registry")
	}
	st := storage{}
	if err := factory().Install(applet.Context{Storage: st}, nil); err != nil {
		t.Fatalf("simtest: installing the purse: %v", err)
	}
	app := image.App{
		AID: payment.AppletAID(), LoadFile: payment.PackageAID(), Module: payment.AppletAID(),
		LifeCycle: image.AppSelectable, SD: bytes.Clone(s.ISD().AID), Size: instanceSize,
	}
	if len(st) > 0 {
		app.Storage = st
	}
	if app.Size > s.MemoryFree() {
		t.Fatal("simtest: no memory left for the purse instance")
	}
	s.Apps = append(s.Apps, app)
}

// storage is the applet.Storage of an instance being installed.
type storage map[string][]byte

var _ applet.Storage = storage(nil)

func (s storage) Get(name string) []byte        { return s[name] }
func (s storage) Put(name string, value []byte) { s[name] = bytes.Clone(value) }
func (s storage) Delete(name string)            { delete(s, name) }
