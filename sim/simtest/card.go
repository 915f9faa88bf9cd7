package simtest

import (
	"bytes"
	"path/filepath"
	"slices"
	"testing"

	"github.com/cardhost/cardhost/applet"
	"github.com/cardhost/cardhost/applet/payment"
	"github.com/cardhost/cardhost/reader"
	"github.com/cardhost/cardhost/sim"
	"github.com/cardhost/cardhost/sim/image"
	"github.com/cardhost/cardhost/sim/profile"
)

// Option configures NewCard.
type Option func(*config)

type config struct {
	profile     *profile.Profile
	profileName string
	file        bool
	keySets     []image.KeySet
	payment     bool // package present at manufacture
	purse       bool // and an instance installed
	registry    *applet.Registry
	simOptions  []sim.Option
}

// WithProfile builds the card from p (a copy is taken when the payment
// package is added). The default is profile.Default().
func WithProfile(p *profile.Profile) Option { return func(c *config) { c.profile = p } }

// WithProfileName builds the card from the embedded profile name (see
// profile.Names); an unknown name fails the test.
func WithProfileName(name string) Option { return func(c *config) { c.profileName = name } }

// WithFile keeps the card's state in an image file in t.TempDir() (see
// sim.Card.Path), as a fleet card or a card that survives sim.Open would.
func WithFile() Option { return func(c *config) { c.file = true } }

// WithKeySet adds a key set with version kvn to the ISD: ENC, MAC and DEK
// with key identifiers 1, 2, 3, of the ISD's key type (3DES for SCP02, AES
// for SCP03), sequence counter 0 — what PUT KEY of a new key set leaves. The
// keys are copied. A KVN the ISD already has fails the test. The card is
// file-backed (see the package doc).
func WithKeySet(kvn byte, enc, mac, dek []byte) Option {
	return func(c *config) {
		c.keySets = append(c.keySets, image.KeySet{KVN: kvn, Keys: []image.Key{
			{ID: 1, Value: bytes.Clone(enc)}, {ID: 2, Value: bytes.Clone(mac)}, {ID: 3, Value: bytes.Clone(dek)},
		}})
	}
}

// WithPaymentPackage puts the e-purse load file (payment.PackageAID, version
// 1.0, module payment.AppletAID) on the card as present at manufacture and
// registers its Go implementation (payment.Register), so a host can install
// and personalise a purse without loading payment.CAP() first.
func WithPaymentPackage() Option { return func(c *config) { c.payment = true } }

// WithPaymentApplet is WithPaymentPackage plus an installed, selectable
// purse instance with the default AID (payment.AppletAID), associated with
// the ISD, no privileges, empty install parameters — what INSTALL [for
// install and make selectable] with C9 00 leaves. It is not personalised.
// The card is file-backed (see the package doc).
func WithPaymentApplet() Option { return func(c *config) { c.payment, c.purse = true, true } }

// WithRegistry makes the card run the Go applets of r (sim.WithRegistry);
// the payment options register the purse in r when it is not there yet.
func WithRegistry(r *applet.Registry) Option { return func(c *config) { c.registry = r } }

// WithSimOptions passes options to the card (sim.WithRand, …). A
// sim.WithRegistry given here replaces the registry of WithRegistry and of the
// payment options.
func WithSimOptions(opts ...sim.Option) Option {
	return func(c *config) { c.simOptions = append(c.simOptions, opts...) }
}

// NewCard returns a fresh, powered simulated card configured by opts and a
// new in-process transport to it (sim.Card.Transport), closed by t.Cleanup.
// Any failure to build the card fails the test.
func NewCard(t testing.TB, opts ...Option) (*sim.Card, reader.Transport) {
	t.Helper()
	var c config
	for _, o := range opts {
		o(&c)
	}
	p := c.buildProfile(t)
	reg := c.buildRegistry(t)
	simOpts := append([]sim.Option{sim.WithRegistry(reg)}, c.simOptions...)
	var card *sim.Card
	switch {
	case len(c.keySets) > 0 || c.purse:
		card = c.provision(t, p, reg, simOpts)
	case c.file:
		var err error
		if card, err = sim.Create(filepath.Join(t.TempDir(), "card.img"), p, simOpts...); err != nil {
			t.Fatal(err)
		}
	default:
		card = sim.New(p, simOpts...)
	}
	tr := card.Transport()
	t.Cleanup(func() { tr.Close() })
	return card, tr
}

func (c *config) buildProfile(t testing.TB) *profile.Profile {
	t.Helper()
	p := c.profile
	switch {
	case p != nil && c.profileName != "":
		t.Fatal("simtest: WithProfile and WithProfileName both given")
	case c.profileName != "":
		var err error
		if p, err = profile.Embedded(c.profileName); err != nil {
			t.Fatalf("simtest: %v (embedded: %q)", err, profile.Names())
		}
	case p == nil:
		p = profile.Default()
	}
	if err := p.Validate(); err != nil {
		t.Fatalf("simtest: %v", err)
	}
	if c.payment && !slices.ContainsFunc(p.Packages, func(k profile.Package) bool { return bytes.Equal(k.AID, payment.PackageAID()) }) {
		cp := *p
		cp.Packages = append(slices.Clone(p.Packages), profile.Package{
			AID: payment.PackageAID(), Version: "1.0", Modules: []profile.Hex{payment.AppletAID()},
		})
		p = &cp
	}
	return p
}

func (c *config) buildRegistry(t testing.TB) *applet.Registry {
	t.Helper()
	r := c.registry
	if r == nil {
		r = new(applet.Registry)
	}
	if _, ok := r.Lookup(payment.PackageAID(), payment.AppletAID()); c.payment && !ok {
		if err := payment.Register(r); err != nil {
			t.Fatalf("simtest: %v", err)
		}
	}
	return r
}
