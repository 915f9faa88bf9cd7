package inventory_test

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/cardhost/cardhost/gpcard"
	"github.com/cardhost/cardhost/gpcard/command"
	"github.com/cardhost/cardhost/gpcard/keys"
	"github.com/cardhost/cardhost/gpcard/secret"
	"github.com/cardhost/cardhost/reader"
	"github.com/cardhost/cardhost/sim"
	"github.com/cardhost/cardhost/sim/profile"
	"github.com/cardhost/cardhost/tsm/fleet"
	"github.com/cardhost/cardhost/tsm/inventory"
	"github.com/cardhost/cardhost/tsm/store"
)

// master is the manufacturer master of the test fleets (AES-128, KDF3).
var master = secret.New([]byte{0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4A, 0x4B, 0x4C, 0x4D, 0x4E, 0x4F})

// ssdAID is the SSD the tests create.
var ssdAID = []byte{0xA0, 0x00, 0x00, 0x01, 0x51, 0x53, 0x50, 0x01}

// card makes one fleet card (serial 7: CIN CA7D000000000007, KDD
// 00000000CA7D00000007, CPLC serial 00000007) and opens a secure channel to
// its ISD. The card's CIN is CA7D0000 00000007.
func card(t *testing.T) (*sim.Card, *gpcard.Card) {
	t.Helper()
	f, err := fleet.New(fleet.Spec{Profile: "gp231-scp03-i70", N: 1, First: 7, Master: master, Method: keys.KDF3})
	if err != nil {
		t.Fatal(err)
	}
	sc := f.Card(f.CINs()[0])
	c, err := gpcard.Connect(t.Context(), sc.Transport(), gpcard.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.Authenticate(t.Context(), keys.NewDiversified(keys.Master{Method: keys.KDF3, Key: master}), gpcard.AuthOptions{}); err != nil {
		t.Fatal(err)
	}
	return sc, c
}

func TestRead_FreshCard_IdentityKeysAndRegistry(t *testing.T) {
	_, c := card(t)
	s, err := inventory.Read(t.Context(), c)
	if err != nil {
		t.Fatal(err)
	}
	want := []byte{0xCA, 0x7D, 0, 0, 0, 0, 0, 7}
	if !bytes.Equal(s.Card.CIN, want) {
		t.Errorf("CIN %X, want %X", s.Card.CIN, want)
	}
	if kdd := []byte{0, 0, 0, 0, 0xCA, 0x7D, 0, 0, 0, 7}; !bytes.Equal(s.KDD, kdd) {
		t.Errorf("KDD %X, want %X", s.KDD, kdd)
	}
	if !bytes.Equal(s.Card.CPLCSerial, []byte{0, 0, 0, 7}) || len(s.Card.CPLC) < 42 {
		t.Errorf("CPLC serial %X, CPLC %d bytes", s.Card.CPLCSerial, len(s.Card.CPLC))
	}
	parsed, err := command.ParseCPLC(append([]byte{0x9F, 0x7F, byte(len(s.Card.CPLC))}, s.Card.CPLC...))
	if err != nil || !bytes.Equal(parsed.ICSerialNumber[:], s.Card.CPLCSerial) {
		t.Errorf("stored CPLC does not parse back: %v", err)
	}
	if !bytes.Equal(s.Card.ISDAID, c.SD()) || len(s.Card.Domains) != 1 || !bytes.Equal(s.Card.Domains[0].AID, c.SD()) {
		t.Errorf("ISD %X, domains %+v", s.Card.ISDAID, s.Card.Domains)
	}
	if len(s.Card.KeySets) != 1 || !bytes.Equal(s.Card.KeySets[0].SDAID, c.SD()) || len(s.Card.KeySets[0].Keys) != 3 {
		t.Fatalf("key sets %+v, want the ISD's one set of three keys", s.Card.KeySets)
	}
	for _, k := range s.Card.KeySets[0].Keys {
		if len(k.KCV) != 0 {
			t.Errorf("key %d has KCV %X: cards report none, the TSM learns them when it puts keys", k.ID, k.KCV)
		}
		if k.Type != keys.AES128.KeyTypeByte() || k.Length != 16 {
			t.Errorf("key %d: type %02X length %d", k.ID, k.Type, k.Length)
		}
	}
	if err := s.Card.Validate(); err != nil {
		t.Errorf("snapshot does not validate: %v", err)
	}
	if !c.Authenticated() {
		t.Error("a card without SSDs lost its secure channel")
	}
}

func TestRead_CardWithSSD_ReadsItsKeysAndReselectsTheISD(t *testing.T) {
	_, c := card(t)
	ctx := t.Context()
	isd := c.SD()
	// The SSD's initial keys are the ISD's (the same master and KDD) under
	// KVN 31, delivered by STORE DATA through the ISD.
	if _, err := c.CreateSSD(ctx, gpcard.SSDOptions{AID: ssdAID, InitialKeys: &gpcard.InitialKeys{Via: gpcard.ByStoreData, KVN: 0x31}}); err != nil {
		t.Fatal(err)
	}
	s, err := inventory.Read(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	var ssd *store.KeySet
	for i, ks := range s.Card.KeySets {
		if bytes.Equal(ks.SDAID, ssdAID) {
			ssd = &s.Card.KeySets[i]
		}
	}
	if ssd == nil || ssd.KVN != 0x31 || len(ssd.Keys) != 3 {
		t.Fatalf("SSD key set %+v, want KVN 31 with three keys", ssd)
	}
	var found bool
	for _, d := range s.Card.Domains {
		if bytes.Equal(d.AID, ssdAID) {
			found = bytes.Equal(d.AssociatedSD, isd)
		}
	}
	if !found {
		t.Errorf("SSD %X not among the domains associated with the ISD: %+v", ssdAID, s.Card.Domains)
	}
	if !bytes.Equal(c.SD(), isd) {
		t.Errorf("selected %X after Read, want the ISD %X again", c.SD(), isd)
	}
}

func TestRead_NoSecureChannel_RegistryRefused(t *testing.T) {
	f, err := fleet.New(fleet.Spec{Profile: "gp231-scp03-i70", N: 1, First: 1, Master: master, Method: keys.KDF3})
	if err != nil {
		t.Fatal(err)
	}
	c, err := gpcard.Connect(context.Background(), f.Card(f.CINs()[0]).Transport(), gpcard.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := inventory.Read(t.Context(), c); err == nil {
		t.Fatal("Read without a secure channel succeeded; GET STATUS needs one")
	}
}

func TestRead_CardWithoutCIN_ErrNoCIN(t *testing.T) {
	p, err := profile.Embedded("gp231-scp03-i70")
	if err != nil {
		t.Fatal(err)
	}
	p.CIN = nil
	set := keys.KeySet{ENC: secret.New(p.Keys.ENC), MAC: secret.New(p.Keys.MAC), DEK: secret.New(p.Keys.DEK)}
	c, err := gpcard.Connect(t.Context(), sim.New(p).Transport(), gpcard.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Authenticate(t.Context(), keys.NewPlain(set), gpcard.AuthOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := inventory.Read(t.Context(), c); !errors.Is(err, inventory.ErrNoCIN) {
		t.Fatalf("Read of a card without CIN: %v, want ErrNoCIN", err)
	}
}

func TestRead_CardRemoved_ErrorKeepsCause(t *testing.T) {
	sc, c := card(t)
	sc.TearBefore(3)
	_, err := inventory.Read(t.Context(), c)
	if err == nil {
		t.Fatal("Read of a torn card succeeded")
	}
	if !errors.Is(err, reader.ErrCardRemoved) {
		t.Fatalf("Read of a torn card: %v, want an error matching reader.ErrCardRemoved", err)
	}
}
