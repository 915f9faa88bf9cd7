package demo

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/cardhost/cardhost/applet/payment"
	"github.com/cardhost/cardhost/gpcard/keys"
	"github.com/cardhost/cardhost/gpcard/secret"
	"github.com/cardhost/cardhost/tsm"
	"github.com/cardhost/cardhost/tsm/catalog"
	"github.com/cardhost/cardhost/tsm/fleet"
	"github.com/cardhost/cardhost/tsm/jobs"
	"github.com/cardhost/cardhost/tsm/keystore"
	"github.com/cardhost/cardhost/tsm/store"
)

// Key store labels of the demo.
const (
	LabelISD        = "issuer/isd-master"
	LabelSSDInitial = "issuer/ssd-initial-master"
	LabelSSD        = "provider/ssd-master"
	LabelPurse      = "provider/purse-master"
	LabelCatalog    = "tsm/catalog"
)

// Masters are the master keys of a demo, entered into the key store by
// Open; nil fields are drawn at random. They matter only when the key store
// or the fleet is new.
type Masters struct {
	ISD, SSDInitial, SSD, Purse secret.Key
}

// Config configures Open.
type Config struct {
	// Dir holds the SQLite database, the key store and (with FileCards)
	// the cards.
	Dir string
	// DSN overrides the store (e.g. a postgres:// URL); default SQLite
	// in Dir.
	DSN string
	// Keystore overrides the key store configuration; default a sealed
	// file in Dir whose passphrase file Open creates.
	Keystore *keystore.Config
	// Profile is the embedded sim profile of the cards (default
	// gp231-scp03-i70). SCP02 profiles get 3DES keys diversified with
	// EMV and no purse personalisation; SCP03 AES-128 with KDF3.
	Profile string
	// Cards is the fleet size; FileCards keeps the cards in Dir/cards.
	Cards     int
	FileCards bool
	// Generate gives each card SSD keys generated in the key store
	// instead of keys diversified from the provider master.
	Generate bool
	// StaticSSDKeys imports the SSD's initial and provider keys as static
	// key sets shared by all cards instead of masters diversified per card
	// (PKCS#11 tokens cannot wrap diversified 3DES keys for SCP02).
	StaticSSDKeys bool
	Masters       Masters
	Concurrency   int // campaign concurrency (default 8)
	Logger        *slog.Logger
	LeaseTTL      time.Duration
	Worker        string
	// Now is the clock of the store and of lease checks (default
	// time.Now); tests move it by hand.
	Now func() time.Time
}

// Env is an opened demo TSM.
type Env struct {
	Service *tsm.Service
	Store   store.Store
	Keys    keystore.Store
	Fleet   *fleet.Fleet
	Plan    jobs.Provision
	cfg     Config
}

// Open opens (or creates) the demo TSM described by cfg.
func Open(ctx context.Context, cfg Config) (*Env, error) {
	if cfg.Profile == "" {
		cfg.Profile = "gp231-scp03-i70"
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 8
	}
	if cfg.Worker == "" {
		cfg.Worker = "demo"
	}
	if cfg.DSN == "" {
		cfg.DSN = "sqlite://" + filepath.Join(cfg.Dir, "tsm.db")
	}
	scp03 := cfg.Profile != "gp231-scp02-i15" && cfg.Profile != "gp231-scp02-i55"
	e := &Env{cfg: cfg}
	var err error
	if e.Keys, err = openKeystore(ctx, cfg); err != nil {
		return nil, err
	}
	var sopts []store.Option
	if cfg.Now != nil {
		sopts = append(sopts, store.WithClock(cfg.Now))
	}
	if e.Store, err = store.Open(ctx, cfg.DSN, sopts...); err != nil {
		e.Keys.Close()
		return nil, err
	}
	if err := e.setup(ctx, scp03); err != nil {
		e.Close()
		return nil, err
	}
	return e, nil
}

func (e *Env) setup(ctx context.Context, scp03 bool) error {
	cfg := e.cfg
	t, m, isdKVN, k1, k2 := keys.AES128, keys.KDF3, byte(0x30), byte(0x31), byte(0x32)
	if !scp03 {
		t, m, isdKVN, k1, k2 = keys.DES3, keys.EMV, 0, 0x21, 0x22
		if cfg.Profile == "gp231-scp02-i55" {
			isdKVN = 0x20
		}
	}
	ms := cfg.Masters
	masters := []struct {
		label string
		key   *secret.Key
		kvn   byte
		usage keystore.Usage
		kind  keystore.Kind
	}{
		{LabelISD, &ms.ISD, isdKVN, keystore.UseChannel, keystore.Master},
		{LabelSSDInitial, &ms.SSDInitial, k1, keystore.UseChannel | keystore.UsePutKey, ssdKind(cfg)},
		{LabelSSD, &ms.SSD, k2, keystore.UseChannel | keystore.UsePutKey, ssdKind(cfg)},
		{LabelPurse, &ms.Purse, 0x01, keystore.UsePutKey, keystore.Master},
	}
	have, err := labels(ctx, e.Keys)
	if err != nil {
		return err
	}
	for _, x := range masters {
		if have[x.label] || (x.label == LabelPurse && !scp03) { // no purse on SCP02 cards
			continue
		}
		if x.key.IsZero() {
			*x.key = randomKey(t.Len())
		}
		if err := importKey(ctx, e.Keys, x.label, x.kind, t, m, x.kvn, x.usage, *x.key); err != nil {
			return err
		}
	}
	if !have[LabelCatalog] {
		if _, err := e.Keys.Generate(ctx, keystore.GenerateRequest{Label: LabelCatalog, Kind: keystore.Static, Type: keys.AES256, Usage: keystore.UseChannel}); err != nil {
			return err
		}
	}
	if e.Fleet, err = openFleet(cfg, ms.ISD, m); err != nil {
		return err
	}
	if e.Service, err = tsm.New(ctx, e.Store, e.Keys, tsm.Keys{ISD: LabelISD, Catalog: LabelCatalog},
		tsm.WithLogger(cfg.Logger), tsm.WithLeaseTTL(cfg.LeaseTTL), tsm.WithWorker(cfg.Worker), tsm.WithClock(cfg.Now)); err != nil {
		return err
	}
	if err := e.upload(ctx); err != nil {
		return err
	}
	e.Plan = jobs.Provision{SSD: []byte{0xA0, 0x00, 0x00, 0x06, 0x17, 0x53, 0x53, 0x44}, Privileges: []string{"AuthorizedManagement"},
		InitialKVN: k1, InitialLabel: LabelSSDInitial, KVN: k2, Label: LabelSSD, Generate: cfg.Generate,
		Package: payment.PackageAID(), Version: store.Version{Major: 1}, Module: payment.AppletAID()}
	if scp03 {
		e.Plan.Purse = &jobs.Purse{Label: LabelPurse, KVN: 0x01, Limit: 100000, Currency: 0x0978, Flags: byte(payment.DefaultFlags)}
	}
	return nil
}

func (e *Env) upload(ctx context.Context) error {
	ps, err := e.Store.Packages(ctx)
	if err != nil || len(ps) > 0 {
		return err
	}
	b, err := payment.CAP()
	if err != nil {
		return err
	}
	_, err = e.Service.UploadPackage(ctx, "demo", b, catalog.UploadOptions{Name: "payment"})
	return err
}

// Campaign returns the demo campaign over the whole fleet, creating it (and
// its jobs) on first use.
func (e *Env) Campaign(ctx context.Context) (store.Campaign, error) {
	js, err := e.Store.ListJobs(ctx, store.JobFilter{Limit: 1})
	if err != nil {
		return store.Campaign{}, err
	}
	if len(js) > 0 {
		return e.Store.Campaign(ctx, js[0].CampaignID)
	}
	return e.Service.CreateCampaign(ctx, "demo", tsm.CampaignRequest{Name: "demo: payment applet in a new SSD",
		Plan: e.Plan, Cards: e.Fleet.CINs(), Concurrency: e.cfg.Concurrency})
}

// Close closes the store and the key store.
func (e *Env) Close() error {
	var errs []error
	if e.Store != nil {
		errs = append(errs, e.Store.Close())
	}
	if e.Keys != nil {
		errs = append(errs, e.Keys.Close())
	}
	return errors.Join(errs...)
}

func openFleet(cfg Config, isd secret.Key, m keys.Method) (*fleet.Fleet, error) {
	spec := fleet.Spec{Profile: cfg.Profile, N: cfg.Cards, First: 1, Master: isd, Method: m}
	if !cfg.FileCards {
		return fleet.New(spec)
	}
	dir := filepath.Join(cfg.Dir, "cards")
	f, err := fleet.Open(dir)
	if err != nil || len(f.CINs()) > 0 {
		return f, err
	}
	return fleet.Create(dir, spec)
}

func openKeystore(ctx context.Context, cfg Config) (keystore.Store, error) {
	if cfg.Keystore != nil {
		return keystore.Open(ctx, *cfg.Keystore, keystore.Options{Logger: cfg.Logger})
	}
	pass := filepath.Join(cfg.Dir, "keystore.pass")
	if _, err := os.Stat(pass); errors.Is(err, os.ErrNotExist) {
		if err := os.WriteFile(pass, []byte(rand.Text()+"\n"), 0o600); err != nil {
			return nil, fmt.Errorf("demo: %w", err)
		}
	}
	kc := keystore.Config{Backend: "sealed", Sealed: &keystore.SealedConfig{Path: filepath.Join(cfg.Dir, "keystore.json"),
		Passphrase: keystore.SecretRef("file:" + pass), Argon2: &keystore.Argon2Params{Time: 1, MemoryKiB: 8 * 1024, Threads: 1}}}
	return keystore.Open(ctx, kc, keystore.Options{Logger: cfg.Logger})
}

func labels(ctx context.Context, ks keystore.Store) (map[string]bool, error) {
	ms, err := ks.List(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, m := range ms {
		out[m.Label] = true
	}
	return out, nil
}

func ssdKind(cfg Config) keystore.Kind {
	if cfg.StaticSSDKeys {
		return keystore.Static
	}
	return keystore.Master
}

// importKey enters k as a master (diversified with m) or as a static set
// using k for ENC, MAC and DEK.
func importKey(ctx context.Context, ks keystore.Store, label string, kind keystore.Kind, t keys.Type, m keys.Method, kvn byte, u keystore.Usage, k secret.Key) error {
	kcv, err := keys.KCV(t, k)
	if err != nil {
		return err
	}
	if kind == keystore.Static {
		m = 0
	}
	km := keystore.KeyMaterial{Components: []keystore.Component{{Key: k, KCV: kcv}}, KCV: kcv}
	req := keystore.ImportRequest{Label: label, Kind: kind, Type: t, Method: m, KVN: kvn, Usage: u}
	for range kind.KeyCount() {
		req.Keys = append(req.Keys, km)
	}
	_, err = ks.Import(ctx, req)
	return err
}

func randomKey(n int) secret.Key {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand never fails
	k := secret.New(b)
	clear(b)
	return k
}
