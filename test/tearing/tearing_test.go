package tearing

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/cardhost/cardhost/applet"
	"github.com/cardhost/cardhost/applet/cap"
	"github.com/cardhost/cardhost/applet/payment"
	"github.com/cardhost/cardhost/gpcard"
	"github.com/cardhost/cardhost/gpcard/command"
	"github.com/cardhost/cardhost/gpcard/keys"
	"github.com/cardhost/cardhost/gpcard/secret"
	"github.com/cardhost/cardhost/reader"
	"github.com/cardhost/cardhost/sim"
	"github.com/cardhost/cardhost/sim/image"
	"github.com/cardhost/cardhost/sim/profile"
)

// Key values of the tests (the profiles' ISD keys are 40..4F).
const (
	factoryKeyHex = keys.DefaultKeyHex
	newKeyHex     = "1A2B3C4D5E6F708192A3B4C5D6E7F809"
	replKeyHex    = "C1D2E3F40516273849506A7B8C9DAEBF"
	ssdKeyHex     = "7766554433221100FFEEDDCCBBAA9988"
)

const (
	kvnNew  = 0x2A
	kvnRepl = 0x2B
	kvnSSD  = 0x2C
)

var (
	isdAID = []byte{0xA0, 0x00, 0x00, 0x01, 0x51, 0x00, 0x00, 0x00}
	ssdAID = []byte{0xA0, 0x00, 0x00, 0x01, 0x51, 0x53, 0x53, 0x01}
	pkgAID = []byte{0xD0, 0xD1, 0xD2, 0xD3, 0xD4, 0x0A}
)

func set(t testing.TB, kvn byte, h string) keys.KeySet {
	t.Helper()
	k := func() secret.Key {
		k, err := secret.FromHex(h)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	return keys.KeySet{KVN: kvn, ENC: k(), MAC: k(), DEK: k()}
}

// provider holds every key set the operations use, chosen by the KVN the
// card reports (FF: a new SSD's initial set, the factory values).
func provider(t testing.TB, isdKVN byte) keys.Provider {
	return keys.NewPlain(set(t, isdKVN, factoryKeyHex), set(t, kvnNew, newKeyHex), set(t, kvnRepl, replKeyHex),
		set(t, kvnSSD, ssdKeyHex), set(t, 0xFF, factoryKeyHex))
}

// testCAP is the CAP file the operations load: package pkgAID with one
// applet, a load file of four LOAD blocks. Built once, read-only.
var testCAP = sync.OnceValues(func() (*cap.File, error) {
	raw, err := cap.Write(cap.Spec{
		Format:     cap.Version{Major: 2, Minor: 2},
		Packages:   []cap.Package{{AID: pkgAID, Version: cap.Version{Major: 1}, Name: "test"}},
		Applets:    []cap.Applet{{AID: append(slices.Clone(pkgAID), 0x01), InstallMethodOffset: 1}},
		Imports:    []cap.Import{{AID: []byte{0xA0, 0x00, 0x00, 0x00, 0x62, 0x01, 0x01}, Version: cap.Version{Major: 1, Minor: 6}}},
		MethodSize: 700,
	})
	if err != nil {
		return nil, err
	}
	return cap.Parse("test.cap", raw)
})

// installTestCAP loads and installs testCAP.
func installTestCAP(s *session) error {
	f, err := testCAP()
	if err != nil {
		return err
	}
	_, err = s.c.InstallCAP(s.ctx, f, gpcard.InstallCAPOptions{})
	return err
}

// session is a host session to a card: Connect + Authenticate.
type session struct {
	ctx context.Context
	c   *gpcard.Card
	kp  keys.Provider
}

func open(ctx context.Context, tr reader.Transport, kp keys.Provider, kvn byte) (*session, error) {
	c, err := gpcard.Connect(ctx, tr, gpcard.Options{})
	if err != nil {
		return nil, err
	}
	if err := c.Authenticate(ctx, kp, gpcard.AuthOptions{KVN: kvn, Level: gpcard.CMAC | gpcard.CDEC}); err != nil {
		return nil, err
	}
	return &session{ctx: ctx, c: c, kp: kp}, nil
}

// operation is a card-changing operation under test. setup prepares a fresh
// card (untorn); run is the operation itself, from Connect on, so tears also
// hit the session's INITIALIZE UPDATE and EXTERNAL AUTHENTICATE.
type operation struct {
	name  string
	setup func(s *session) error
	kvn   byte // key version run authenticates with (0: card's default)
	run   func(s *session) error
}

var operations = []operation{
	{name: "install", run: installTestCAP},
	{name: "put key (replace)", kvn: kvnNew,
		setup: func(s *session) error {
			_, err := s.c.PutKeySet(s.ctx, gpcard.PutKeyOptions{NewKVN: kvnNew})
			return err
		},
		run: func(s *session) error {
			_, err := s.c.PutKeySet(s.ctx, gpcard.PutKeyOptions{ReplaceKVN: kvnNew, NewKVN: kvnRepl})
			return err
		}},
	{name: "create SSD (keys by STORE DATA)", run: func(s *session) error {
		_, err := s.c.CreateSSD(s.ctx, gpcard.SSDOptions{AID: ssdAID, Privileges: []string{"AuthorizedManagement"},
			InitialKeys: &gpcard.InitialKeys{Via: gpcard.ByStoreData, KVN: kvnSSD}})
		return err
	}},
	{name: "create SSD (keys by PUT KEY)", run: func(s *session) error {
		_, err := s.c.CreateSSD(s.ctx, gpcard.SSDOptions{AID: ssdAID, Privileges: []string{"AuthorizedManagement"},
			InitialKeys: &gpcard.InitialKeys{Via: gpcard.ByPutKey, KVN: kvnSSD, Initial: s.kp, Auth: gpcard.AuthOptions{Level: gpcard.CMAC}}})
		return err
	}},
	{name: "delete",
		setup: installTestCAP,
		run:   func(s *session) error { return s.c.Delete(s.ctx, pkgAID, true) }},
	{name: "store data (ISD, BER-TLV)", run: func(s *session) error {
		_, err := s.c.StoreData(s.ctx, []byte{0x42, 0x03, 0x42, 0x00, 0x07, 0x45, 0x02, 0x45, 0x09}, command.StoreDataOptions{Format: command.StoreBER})
		return err
	}},
	{name: "store data (personalize purse)",
		setup: func(s *session) error {
			raw, err := payment.CAP()
			if err != nil {
				return err
			}
			f, err := cap.Parse("payment.cap", raw)
			if err != nil {
				return err
			}
			_, err = s.c.InstallCAP(s.ctx, f, gpcard.InstallCAPOptions{})
			return err
		},
		run: func(s *session) error {
			data, err := payment.PersonalizationData(bytes.Repeat([]byte{0x5A}, payment.KeyLen), payment.Profile{Limit: 1000, Currency: 0x0978, HolderID: []byte("h1")})
			if err != nil {
				return err
			}
			dgis, err := command.ParseDGIs(data)
			if err != nil {
				return err
			}
			return s.c.Personalize(s.ctx, payment.AppletAID(), dgis)
		}},
}

var profiles = []string{"gp231-scp02-i15", "gp231-scp03-i70"}

func newProfile(t testing.TB, name string) *profile.Profile {
	p, err := profile.Embedded(name)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func newCard(t testing.TB, p *profile.Profile) *sim.Card {
	return sim.New(p, sim.WithRegistry(registry(t)))
}

// snapshotting is a transport that takes the card's committed state after
// every APDU: states[k] is the state after APDU k (states[0] before any).
type snapshotting struct {
	reader.Transport
	card   *sim.Card
	states []*image.State
}

func (s *snapshotting) Transmit(ctx context.Context, c []byte) ([]byte, error) {
	r, err := s.Transport.Transmit(ctx, c)
	s.states = append(s.states, s.card.Snapshot())
	return r, err
}

// prepare runs setup on card (fresh session) and powers the card off and on
// so the operation starts from a reset card.
func prepare(t *testing.T, card *sim.Card, p *profile.Profile, op operation) {
	t.Helper()
	if op.setup != nil {
		s, err := open(context.Background(), card.Transport(), provider(t, byte(p.KVN)), 0)
		if err != nil {
			t.Fatal(err)
		}
		if err := op.setup(s); err != nil {
			t.Fatalf("setup: %v", err)
		}
	}
	card.Reset()
}

// runOp runs the whole operation (Connect, Authenticate, run) over tr.
func runOp(t *testing.T, tr reader.Transport, p *profile.Profile, op operation) error {
	s, err := open(context.Background(), tr, provider(t, byte(p.KVN)), op.kvn)
	if err != nil {
		return err
	}
	return op.run(s)
}

func TestTearing(t *testing.T) {
	t.Cleanup(func() { tears.log(t) })
	for _, name := range profiles {
		for _, op := range operations {
			t.Run(name+"/"+op.name, func(t *testing.T) {
				p := newProfile(t, name)
				// The clean run: the committed state after every APDU.
				card := newCard(t, p)
				prepare(t, card, p, op)
				clean := &snapshotting{Transport: card.Transport(), card: card, states: []*image.State{card.Snapshot()}}
				if err := runOp(t, clean, p, op); err != nil {
					t.Fatalf("clean run: %v", err)
				}
				n := len(clean.states) - 1
				for k, s := range clean.states {
					checkInvariants(t, fmt.Sprintf("clean run after APDU %d", k), s)
				}
				if describe(clean.states[0]) == describe(clean.states[n]) {
					t.Fatal("the operation changed nothing")
				}
				tears.add(name, op.name, n)
				for k := 1; k <= n; k++ {
					for _, after := range []bool{false, true} {
						card := newCard(t, p)
						prepare(t, card, p, op)
						want := clean.states[k-1]
						if after {
							card.TearAfter(k)
							want = clean.states[k]
						} else {
							card.TearBefore(k)
						}
						err := runOp(t, card.Transport(), p, op)
						what := fmt.Sprintf("tear %s APDU %d of %d", map[bool]string{false: "before", true: "after"}[after], k, n)
						if !errors.Is(err, reader.ErrCardRemoved) {
							t.Fatalf("%s: operation returned %v, want a card removal", what, err)
						}
						card.Reset()
						got := card.Snapshot()
						checkInvariants(t, what, got)
						compare(t, what, got, want, clean.states[k-1], clean.states[k])
					}
				}
			})
		}
	}
}

// compare checks that got is the expected state, and in any case one of the
// states before and after the torn command.
func compare(t *testing.T, what string, got, want, before, after *image.State) {
	t.Helper()
	g := describe(got)
	if g == describe(want) {
		return
	}
	switch g {
	case describe(before):
		t.Errorf("%s: card in the state before the torn command, want after", what)
	case describe(after):
		t.Errorf("%s: card in the state after the torn command, want before", what)
	default:
		t.Errorf("%s: card in a mixed state:\n got %s\nwant %s", what, g, describe(want))
	}
}

// describe renders the persistent state a tear must not mix, without key
// values: card life cycle, load files, applications with privileges, life
// cycle and associated SD, applet storage (hashed), and per Security Domain
// its identification numbers and key sets as KVN, KID, type, length and KCV.
// Sequence counters and failed-authentication counts are left out: they
// move legitimately on every INITIALIZE UPDATE and EXTERNAL AUTHENTICATE.
func describe(s *image.State) string {
	var b strings.Builder
	fmt.Fprintf(&b, "card %02X", s.LifeCycle)
	for _, lf := range s.LoadFiles {
		fmt.Fprintf(&b, "\n ELF %X v%d.%d %02X sd %X modules %X imports %X size %d hash %X", lf.AID, lf.Version[0], lf.Version[1], lf.LifeCycle, lf.SD, lf.Modules, lf.Imports, lf.Size, lf.Hash)
	}
	for _, a := range s.Apps {
		fmt.Fprintf(&b, "\n APP %X from %X/%X %02X privs %X sd %X size %d", a.AID, a.LoadFile, a.Module, a.LifeCycle, a.Privileges, a.SD, a.Size)
		if len(a.Storage) > 0 {
			names := make([]string, 0, len(a.Storage))
			for k := range a.Storage {
				names = append(names, k)
			}
			sort.Strings(names)
			h := sha256.New()
			for _, k := range names {
				fmt.Fprintf(h, "%q=%X;", k, a.Storage[k])
			}
			fmt.Fprintf(&b, " storage %d items %X", len(names), h.Sum(nil)[:8])
		}
		if d := a.Domain; d != nil {
			fmt.Fprintf(&b, " SCP%02X i%02X IIN %X CIN %X", d.SCP, d.I, d.IIN, d.CIN)
			for _, ks := range d.KeySets {
				fmt.Fprintf(&b, "\n  KVN %02X:", ks.KVN)
				for _, k := range ks.Keys {
					fmt.Fprintf(&b, " %02X/%02X/%d/%X", k.ID, k.Type, len(k.Value), kcv(k))
				}
			}
		}
	}
	return b.String()
}

// kcv is the key check value of k (GPCS 2.3.1 §B.6), computed through
// gpcard/keys, so key values never reach a test message.
func kcv(k image.Key) []byte {
	t := keys.DES3
	if k.Type == image.KeyTypeAES {
		if t2, err := keys.TypeFor(0x03, len(k.Value)); err == nil {
			t = t2
		}
	}
	v, err := keys.KCV(t, secret.New(bytes.Clone(k.Value)))
	if err != nil {
		return []byte("?")
	}
	return v
}

// checkInvariants checks what must hold in every committed state: the ISD
// first and in the card's life cycle; unique AIDs; every application from a
// present load file and module (no orphans), associated with an existing
// SD; every load file associated with an existing SD; every key set
// complete (ENC, MAC, DEK of one type and length: no half key set); memory
// within the card's.
func checkInvariants(t *testing.T, what string, s *image.State) {
	t.Helper()
	bad := func(format string, a ...any) { t.Errorf("%s: invariant: "+format, append([]any{what}, a...)...) }
	if len(s.Apps) == 0 || s.Apps[0].Domain == nil || s.Apps[0].LifeCycle != s.LifeCycle {
		bad("ISD missing or out of step with the card life cycle")
		return
	}
	seen := map[string]bool{}
	for _, a := range s.Apps {
		if seen[string(a.AID)] {
			bad("AID %X twice", a.AID)
		}
		seen[string(a.AID)] = true
	}
	for _, lf := range s.LoadFiles {
		if seen[string(lf.AID)] {
			bad("AID %X twice", lf.AID)
		}
		seen[string(lf.AID)] = true
		if sd := s.App(lf.SD); sd == nil || sd.Domain == nil {
			bad("load file %X associated with missing SD %X", lf.AID, lf.SD)
		}
	}
	for i, a := range s.Apps {
		if sd := s.App(a.SD); sd == nil || sd.Domain == nil {
			bad("application %X associated with missing SD %X", a.AID, a.SD)
		}
		if i > 0 {
			lf := s.LoadFile(a.LoadFile)
			if lf == nil || !slices.ContainsFunc(lf.Modules, func(m []byte) bool { return bytes.Equal(m, a.Module) }) {
				bad("application %X: orphan of load file %X module %X", a.AID, a.LoadFile, a.Module)
			}
		}
		if a.Domain == nil {
			continue
		}
		for _, ks := range a.Domain.KeySets {
			ids := map[byte]bool{}
			for _, k := range ks.Keys {
				ids[k.ID] = true
				if k.Type != ks.Keys[0].Type || len(k.Value) != len(ks.Keys[0].Value) {
					bad("SD %X key set %02X mixes key types or lengths", a.AID, ks.KVN)
				}
			}
			if len(ks.Keys) != 3 || !ids[1] || !ids[2] || !ids[3] {
				bad("SD %X key set %02X is not a complete ENC/MAC/DEK set (%d keys)", a.AID, ks.KVN, len(ks.Keys))
			}
		}
	}
	if s.MemoryUsed() > s.Config.MemoryTotal {
		bad("memory used %d above %d", s.MemoryUsed(), s.Config.MemoryTotal)
	}
}

// tearCounts records the APDU count of each operation, for the log.
type tearCounts struct {
	sync.Mutex
	m map[string]int
}

var tears = &tearCounts{m: map[string]int{}}

func (x *tearCounts) log(t *testing.T) {
	x.Lock()
	defer x.Unlock()
	names := make([]string, 0, len(x.m))
	for k := range x.m {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		t.Logf("%-55s %2d APDUs, %2d torn runs", k, x.m[k], 2*x.m[k])
	}
}

func (x *tearCounts) add(profile, op string, n int) {
	x.Lock()
	defer x.Unlock()
	x.m[profile+" / "+op] = n
}

// File-backed cards: after a tear the card is opened again from its image
// file (sim.Open), which must hold the same state as the card in memory.
func TestTearing_FileBacked(t *testing.T) {
	for _, opName := range []string{"install", "create SSD (keys by STORE DATA)", "put key (replace)"} {
		op := operations[slices.IndexFunc(operations, func(o operation) bool { return o.name == opName })]
		t.Run(op.name, func(t *testing.T) {
			p := newProfile(t, "gp231-scp02-i15")
			card := newCard(t, p)
			prepare(t, card, p, op)
			clean := &snapshotting{Transport: card.Transport(), card: card, states: []*image.State{card.Snapshot()}}
			if err := runOp(t, clean, p, op); err != nil {
				t.Fatalf("clean run: %v", err)
			}
			n := len(clean.states) - 1
			for k := 1; k <= n; k++ {
				for _, after := range []bool{false, true} {
					path := filepath.Join(t.TempDir(), "card.img")
					card, err := sim.Create(path, p, sim.WithRegistry(registry(t)))
					if err != nil {
						t.Fatal(err)
					}
					prepare(t, card, p, op)
					want := clean.states[k-1]
					if after {
						card.TearAfter(k)
						want = clean.states[k]
					} else {
						card.TearBefore(k)
					}
					what := fmt.Sprintf("file-backed, tear %s APDU %d of %d", map[bool]string{false: "before", true: "after"}[after], k, n)
					if err := runOp(t, card.Transport(), p, op); !errors.Is(err, reader.ErrCardRemoved) {
						t.Fatalf("%s: operation returned %v, want a card removal", what, err)
					}
					reopened, err := sim.Open(path, sim.WithRegistry(registry(t)))
					if err != nil {
						t.Fatalf("%s: reopening the image: %v", what, err)
					}
					got := reopened.Snapshot()
					checkInvariants(t, what, got)
					compare(t, what, got, want, clean.states[k-1], clean.states[k])
					if describe(got) != describe(card.Snapshot()) {
						t.Errorf("%s: image file and card in memory differ", what)
					}
					// The reopened card works: a session opens on it.
					if _, err := open(context.Background(), reopened.Transport(), provider(t, byte(p.KVN)), 0); err != nil {
						t.Errorf("%s: no session on the reopened card: %v", what, err)
					}
				}
			}
		})
	}
}

func registry(t testing.TB) *applet.Registry {
	reg := new(applet.Registry)
	if err := payment.Register(reg); err != nil {
		t.Fatal(err)
	}
	return reg
}
