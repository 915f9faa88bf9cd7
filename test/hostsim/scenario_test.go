package hostsim

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/cardhost/cardhost/applet/cap"
	"github.com/cardhost/cardhost/applet/payment"
	"github.com/cardhost/cardhost/gpcard"
	"github.com/cardhost/cardhost/gpcard/command"
	"github.com/cardhost/cardhost/gpcard/keys"
	"github.com/cardhost/cardhost/gpcard/sw"
	"github.com/cardhost/cardhost/sim"
	"github.com/cardhost/cardhost/sim/image"
	"github.com/cardhost/cardhost/sim/profile"
	"github.com/skythen/apdu"
)

// AIDs of the scenario's content.
var (
	isdAID    = []byte{0xA0, 0x00, 0x00, 0x01, 0x51, 0x00, 0x00, 0x00}
	sdPackage = []byte{0xA0, 0x00, 0x00, 0x01, 0x51, 0x53, 0x50}
	ssd1AID   = []byte{0xA0, 0x00, 0x00, 0x01, 0x51, 0x53, 0x53, 0x01}
	ssd2AID   = []byte{0xA0, 0x00, 0x00, 0x01, 0x51, 0x53, 0x53, 0x02}
)

// testCAP builds a CAP file with cap.Write: package pkg (version 1.0) with one
// applet pkg‖01, importing javacard.framework, method component of
// methodSize bytes (so the load file spans several LOAD blocks).
func testCAP(t testing.TB, pkg []byte, methodSize int) *cap.File {
	t.Helper()
	raw, err := cap.Write(cap.Spec{
		Format:     cap.Version{Major: 2, Minor: 2},
		Packages:   []cap.Package{{AID: pkg, Version: cap.Version{Major: 1}, Name: "test"}},
		Applets:    []cap.Applet{{AID: append(slices.Clone(pkg), 0x01), InstallMethodOffset: 1}},
		Imports:    []cap.Import{{AID: []byte{0xA0, 0x00, 0x00, 0x00, 0x62, 0x01, 0x01}, Version: cap.Version{Major: 1, Minor: 6}}},
		MethodSize: methodSize,
	})
	if err != nil {
		t.Fatal(err)
	}
	f, err := cap.Parse("test.cap", raw)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func paymentCAP(t testing.TB) *cap.File {
	t.Helper()
	raw, err := payment.CAP()
	if err != nil {
		t.Fatal(err)
	}
	f, err := cap.Parse("payment.cap", raw)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// expectedBlock is the largest LOAD data field for a channel at level with
// a macLen-byte C-MAC and blockLen-byte cipher blocks, computed from the
// specification independently of gpcard: the wrapped command data (plain
// data, with C-DEC padded by ISO/IEC 9797-1 method 2 to a multiple of the
// block, plus the MAC) must fit in 255 bytes (GPCS 2.3.1 §E.4.4/§E.4.5, Amd
// D §6.2.4/§6.2.6), and not exceed the card's 9F65.
func expectedBlock(p *profile.Profile, level gpcard.Level) int {
	mac, blk := 8, 8
	if p.SCP == 3 {
		blk = 16
		if p.I&0x01 != 0 {
			mac = 16
		}
	}
	n := 255 - mac
	if level&gpcard.CDEC != 0 {
		for (n+1+blk-1)/blk*blk+mac > 255 {
			n--
		}
	}
	return min(n, p.MaxBlock)
}

// run is one scenario: a card, the host session to it and what it costs.
type run struct {
	t      *testing.T
	ctx    context.Context
	p      *profile.Profile
	card   *sim.Card
	ct     *countingTransport
	log    *traceLog
	c      *gpcard.Card
	level  gpcard.Level
	kp     keys.Provider
	counts *opCounts
	label  string
}

// opCounts collects APDU counts per operation across the matrix.
type opCounts struct {
	mu sync.Mutex
	m  map[string]map[string]int // op → row → count
}

var counts = &opCounts{m: map[string]map[string]int{}}

func (o *opCounts) add(op, row string, n int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.m[op] == nil {
		o.m[op] = map[string]int{}
	}
	o.m[op][row] = n
}

// op runs f as the operation name, records its APDU count and fails the
// test on error.
func (r *run) op(name string, f func() error) {
	r.t.Helper()
	mark := r.ct.n()
	err := f()
	r.counts.add(name, r.label, r.ct.n()-mark)
	if err != nil {
		r.log.add(err.Error())
		r.t.Fatalf("%s: %v (APDUs %X)", name, err, r.ct.since(mark))
	}
}

// fail runs f, which must fail; the error is returned for inspection and
// its text goes into the leak check.
func (r *run) fail(name string, f func() error) error {
	r.t.Helper()
	mark := r.ct.n()
	err := f()
	r.counts.add(name, r.label, r.ct.n()-mark)
	if err == nil {
		r.t.Fatalf("%s: no error", name)
	}
	r.log.add(err.Error())
	return err
}

// auth authenticates to the selected SD with key version kvn (0: card's
// default) at the run's level.
func (r *run) auth(kvn byte) error {
	return r.c.Authenticate(r.ctx, r.kp, gpcard.AuthOptions{KVN: kvn, Level: r.level})
}

// toISD selects the ISD and authenticates with the key version kvn.
func (r *run) toISD(kvn byte) {
	r.t.Helper()
	r.op("select ISD + authenticate", func() error {
		if err := r.c.Select(r.ctx, isdAID); err != nil {
			return err
		}
		return r.auth(kvn)
	})
}

func (r *run) registry() gpcard.Registry {
	r.t.Helper()
	var reg gpcard.Registry
	r.op("registry", func() (err error) { reg, err = r.c.Registry(r.ctx); return })
	return reg
}

func find(reg gpcard.Registry, aid []byte) *gpcard.RegistryEntry {
	for i := range reg {
		if bytes.Equal(reg[i].AID, aid) {
			return &reg[i]
		}
	}
	return nil
}

// keySetKCVs returns the KCVs of the key set kvn of SD aid in the card's
// committed state (nil when absent).
func (r *run) keySetKCVs(aid []byte, kvn byte) [][]byte {
	s := r.card.Snapshot()
	app := s.App(aid)
	if app == nil || app.Domain == nil {
		return nil
	}
	ks := app.Domain.KeySet(kvn)
	if ks == nil {
		return nil
	}
	var out [][]byte
	for _, k := range ks.Keys {
		t := keys.DES3
		if k.Type == image.KeyTypeAES {
			t = keys.AES128
		}
		kcv, err := keys.KCV(t, keyOf(r.t, k.Value))
		if err != nil {
			r.t.Fatal(err)
		}
		out = append(out, kcv)
	}
	return out
}

func TestHostSim(t *testing.T) {
	for _, k := range []transportKind{inProcess, viaPCSC} {
		t.Run(k.String(), func(t *testing.T) {
			for _, v := range variants {
				for _, level := range v.levels {
					t.Run(fmt.Sprintf("%s/L%02X", v.name, byte(level)), func(t *testing.T) {
						if k == viaPCSC {
							t.Parallel()
						}
						scenario(t, k, v, level)
					})
				}
			}
		})
	}
	t.Cleanup(func() { logCounts(t) })
}

// logCounts prints the APDU count of each operation: one value when every
// row agrees, else the spread.
func logCounts(t *testing.T) {
	counts.mu.Lock()
	defer counts.mu.Unlock()
	ops := make([]string, 0, len(counts.m))
	for op := range counts.m {
		ops = append(ops, op)
	}
	slices.Sort(ops)
	for _, op := range ops {
		seen := map[int][]string{}
		for row, n := range counts.m[op] {
			seen[n] = append(seen[n], row)
		}
		var parts []string
		for n, rows := range seen {
			if len(seen) == 1 {
				parts = append(parts, fmt.Sprint(n))
				break
			}
			slices.Sort(rows)
			parts = append(parts, fmt.Sprintf("%d (%d rows, e.g. %s)", n, len(rows), rows[0]))
		}
		slices.Sort(parts)
		t.Logf("APDUs %-40s %s", op, strings.Join(parts, "; "))
	}
}

func scenario(t *testing.T, k transportKind, v variant, level gpcard.Level) {
	p := v.profile(t)
	card, tr := newCard(t, p, k)
	isdKVN := byte(p.KVN)
	r := &run{t: t, ctx: context.Background(), p: p, card: card, ct: &countingTransport{Transport: tr}, log: &traceLog{},
		level: level, counts: counts, label: fmt.Sprintf("%s/%s/L%02X", k, v.name, byte(level))}
	// One provider for every key set of the scenario, chosen by the KVN the
	// card reports; FF is the factory set a new SSD starts with.
	r.kp = keys.NewPlain(set(t, isdKVN, factoryKeyHex), set(t, kvnNew, newKeyHex), set(t, kvnRepl, replKeyHex),
		set(t, kvnSSD, ssdKeyHex), set(t, kvnSSD2, ssd2KeyHex), set(t, 0xFF, factoryKeyHex))
	defer r.log.checkNoKeys(t)

	// Connect: ISD discovery with an empty SELECT.
	r.op("connect", func() (err error) {
		r.c, err = gpcard.Connect(r.ctx, r.ct, gpcard.Options{Trace: r.log.trace})
		return
	})
	if !bytes.Equal(r.c.SD(), isdAID) || r.c.FCI().MaxCommandData != p.MaxBlock {
		t.Fatalf("connected to %X, FCI %+v", r.c.SD(), r.c.FCI())
	}
	r.op("authenticate", func() error { return r.auth(0) })

	// Info.
	var info *gpcard.CardInfo
	r.op("info", func() (err error) { info, err = r.c.Info(r.ctx); return })
	checkInfo(t, p, info)

	// Registry of a fresh card.
	reg := r.registry()
	if e := find(reg, isdAID); e == nil || e.Kind != "ISD" || e.State != "OP_READY" {
		t.Fatalf("registry ISD: %+v\n%s", e, reg)
	}
	if e := find(reg, sdPackage); e == nil || e.Kind != "PKG" || len(e.Modules) != 1 {
		t.Fatalf("registry SD package: %+v\n%s", e, reg)
	}

	// InstallCAP of a cap.Write CAP: exactly INSTALL [for load], the LOAD
	// blocks and INSTALL [for install and make selectable].
	capA := testCAP(t, []byte{0xD0, 0xD1, 0xD2, 0xD3, 0xD4, 0x0A}, 700)
	appA := capA.Applets[0].AID
	mark := r.ct.n()
	var res *gpcard.LoadResult
	r.op("install CAP", func() (err error) { res, err = r.c.InstallCAP(r.ctx, capA, gpcard.InstallCAPOptions{}); return })
	payload := len(capA.LoadFile(cap.LoadOptions{}))
	block := expectedBlock(p, level)
	blocks := (payload + block - 1) / block
	if res.BlockSize != block || res.Blocks != blocks || res.Bytes != payload {
		t.Errorf("load result %+v, want block %d, %d blocks of %d bytes", res, block, blocks, payload)
	}
	want := append(append([]byte{0xE6}, bytes.Repeat([]byte{0xE8}, blocks)...), 0xE6)
	if got := r.ct.since(mark); !bytes.Equal(got, want) {
		t.Errorf("InstallCAP sent INS %X, want %X", got, want)
	}
	reg = r.registry()
	if e := find(reg, appA); e == nil || e.Kind != "APP" || e.State != "SELECTABLE" || !bytes.Equal(e.LoadFile, capA.LoadFileAID()) || !bytes.Equal(e.AssociatedSD, isdAID) {
		t.Errorf("registry app: %+v\n%s", e, reg)
	}
	if e := find(reg, capA.LoadFileAID()); e == nil || e.Kind != "PKG" || e.Version != "1.0" || len(e.Modules) != 1 || !bytes.Equal(e.Modules[0], appA) {
		t.Errorf("registry package: %+v\n%s", e, reg)
	}

	r.payment()
	r.putKeys(isdKVN)
	r.ssdByStoreData()
	r.ssdByPutKey()

	// Extradite the first application to SSD 1 (the ISD may manage all).
	r.toISD(kvnRepl)
	r.op("extradite", func() error { return r.c.Extradite(r.ctx, ssd1AID, appA) })
	reg = r.registry()
	if e := find(reg, appA); e == nil || !bytes.Equal(e.AssociatedSD, ssd1AID) {
		t.Errorf("after extradition: %+v", e)
	}

	// Lock and unlock the purse.
	purse := payment.AppletAID()
	r.op("lock", func() error { return r.c.Lock(r.ctx, purse) })
	if e := find(r.registry(), purse); e == nil || e.LifeCycle != 0x87 || e.State != "LOCKED" {
		t.Errorf("after lock: %+v", e)
	}
	r.op("unlock", func() error { return r.c.Unlock(r.ctx, purse) })
	if e := find(r.registry(), purse); e == nil || e.LifeCycle != 0x07 || e.State != "SELECTABLE" {
		t.Errorf("after unlock: %+v", e)
	}

	// Delete: a package with an instance needs "related" (6985 otherwise).
	err := r.fail("delete package without related", func() error { return r.c.Delete(r.ctx, capA.LoadFileAID(), false) })
	var se *sw.StatusError
	if !errors.As(err, &se) || se.SW != 0x6985 || !errors.Is(err, sw.ErrConditionsNotSatisfied) || se.Command != command.NameDelete {
		t.Errorf("delete without related: %v", err)
	}
	r.op("delete package with related", func() error { return r.c.Delete(r.ctx, capA.LoadFileAID(), true) })
	reg = r.registry()
	if find(reg, capA.LoadFileAID()) != nil || find(reg, appA) != nil {
		t.Errorf("package or instance left after delete:\n%s", reg)
	}

	// STORE DATA to the ISD: IIN and CIN in BER-TLV (GPCS 2.3.1 §11.11).
	iin, cin := []byte{0x42, 0x03, 0x00, 0x00, 0x07}, []byte{0x45, 0x02, 0x00, 0x00, 0x00, 0x09}
	r.op("store data", func() error {
		_, err := r.c.StoreData(r.ctx, append([]byte{0x42, byte(len(iin))}, append(iin, append([]byte{0x45, byte(len(cin))}, cin...)...)...), command.StoreDataOptions{Format: command.StoreBER})
		return err
	})
	r.op("info", func() (err error) { info, err = r.c.Info(r.ctx); return })
	if !bytes.Equal(info.IIN, iin) || !bytes.Equal(info.CIN, cin) {
		t.Errorf("after STORE DATA: IIN %X CIN %X", info.IIN, info.CIN)
	}

	r.cardStates()
	// PUT KEY and STORE DATA data were traced redacted (reader.Trace).
	if !slices.ContainsFunc(r.log.lines, func(l string) bool { return strings.Contains(l, "<redacted") }) {
		t.Error("no redacted exchange in the trace")
	}
}

func checkInfo(t *testing.T, p *profile.Profile, info *gpcard.CardInfo) {
	t.Helper()
	if info.CPLC == nil || !bytes.Equal(info.IIN, p.IIN) || !bytes.Equal(info.CIN, p.CIN) || info.Sequence == nil {
		t.Errorf("info %+v", info)
	}
	if info.CardData == nil || len(info.CardData.SCPs) == 0 || byte(info.CardData.SCPs[0].SCP) != byte(p.SCP) || byte(info.CardData.SCPs[0].I) != byte(p.I) {
		t.Errorf("card data %+v", info.CardData)
	}
	n := 0
	for _, k := range info.KeyInfo {
		if k.Version == byte(p.KVN) {
			n++
		}
	}
	if n != 3 {
		t.Errorf("key information %+v", info.KeyInfo)
	}
	if info.Capability == nil || info.Resources == nil || len(info.Unavailable) != 0 {
		t.Errorf("info: capability %+v, resources %+v, unavailable %v", info.Capability, info.Resources, info.Unavailable)
	}
}

// payment loads and installs the e-purse, personalises it through the ISD
// and runs it: SELECT, GET VERSION, CREDIT, DEBIT, GET BALANCE.
func (r *run) payment() {
	t := r.t
	purse := payment.AppletAID()
	r.op("install CAP (payment)", func() error { _, err := r.c.InstallCAP(r.ctx, paymentCAP(t), gpcard.InstallCAPOptions{}); return err })
	if e := find(r.registry(), purse); e == nil || e.State != "SELECTABLE" {
		t.Fatalf("purse in registry: %+v", e)
	}
	pk := hx(t, purseKeyHex)
	holder := []byte("holder-1")
	data, err := payment.PersonalizationData(pk, payment.Profile{Limit: 100000, Currency: 0x0978, HolderID: holder, Flags: payment.DefaultFlags})
	if err != nil {
		t.Fatal(err)
	}
	dgis, err := command.ParseDGIs(data)
	if err != nil {
		t.Fatal(err)
	}
	r.op("personalize (payment)", func() error { return r.c.Personalize(r.ctx, purse, dgis) })

	// The purse speaks plain APDUs once selected (the secure channel ends).
	r.c.Close()
	send := func(name string, c apdu.Capdu, want uint16) []byte {
		t.Helper()
		var resp apdu.Rapdu
		r.op(name, func() (err error) { resp, err = r.c.Transmit(r.ctx, c); return })
		if got := uint16(resp.SW1)<<8 | uint16(resp.SW2); got != want {
			t.Fatalf("%s: SW %04X, want %04X", name, got, want)
		}
		return resp.Data
	}
	send("select purse", apdu.Capdu{Cla: 0x00, Ins: 0xA4, P1: 0x04, Data: purse, Ne: 256}, 0x9000)
	if v := send("purse GET VERSION", apdu.Capdu{Cla: 0x80, Ins: payment.INSGetVersion, Ne: 256}, 0x9000); string(v) != payment.Version {
		t.Errorf("GET VERSION = %q", v)
	}
	raw := func(b []byte, err error) apdu.Capdu {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		c, err := apdu.ParseCapdu(b)
		if err != nil {
			t.Fatal(err)
		}
		c.Data = bytes.Clone(c.Data)
		return *c
	}
	send("purse CREDIT", raw(payment.CreditAPDU(pk, 1000, 1, holder)), 0x9000)
	send("purse DEBIT", raw(payment.DebitAPDU(pk, 300, 2, holder)), 0x9000)
	send("purse replayed DEBIT", raw(payment.DebitAPDU(pk, 300, 2, holder)), 0x6982)
	if b := send("purse GET BALANCE", apdu.Capdu{Cla: 0x80, Ins: payment.INSGetBalance, Ne: 256}, 0x9000); !bytes.Equal(b, []byte{0, 0, 0x02, 0xBC, 0x09, 0x78}) {
		t.Errorf("GET BALANCE = %X, want 000002BC 0978", b)
	}
	r.toISD(0)
}

// kcvLiar is a key provider that reports a wrong check value for every key
// it wraps, to see the card refuse a PUT KEY.
type kcvLiar struct{ keys.Provider }

func (l kcvLiar) WrapKey(ctx context.Context, req keys.WrapRequest) (keys.WrappedKey, error) {
	w, err := l.Provider.WrapKey(ctx, req)
	if err == nil {
		w.KCV = bytes.Clone(w.KCV)
		w.KCV[0] ^= 0xFF
	}
	return w, err
}

// putKeys adds a key set, checks that old and new versions open sessions,
// refuses a replacement with a wrong KCV and then replaces the new set.
func (r *run) putKeys(isdKVN byte) {
	t := r.t
	var res *gpcard.KeySetResult
	r.op("put key (add)", func() (err error) { res, err = r.c.PutKeySet(r.ctx, gpcard.PutKeyOptions{NewKVN: kvnNew}); return })
	want := r.keySetKCVs(isdAID, kvnNew)
	if len(want) != 3 || res.KVN != kvnNew || len(res.KCV) != 3 || !bytes.Equal(res.KCV[0], want[0]) || !bytes.Equal(res.KCV[2], want[2]) {
		t.Fatalf("put key result %+v, card holds KCVs %X", res, want)
	}
	r.op("authenticate (new KVN)", func() error { return r.auth(kvnNew) })
	if isdKVN == 0xFF {
		// The factory key set FF is replaced by the first set added next to
		// it (sim/putkey.go storeKeys; GPPro's "factory key" convention):
		// INITIALIZE UPDATE FF then answers 6A88, not an authentication
		// failure.
		err := r.fail("authenticate (replaced factory KVN)", func() error { return r.auth(0xFF) })
		if !errors.Is(err, sw.ErrNotFound) {
			t.Errorf("factory KVN after adding a set: %v", err)
		}
	} else {
		r.op("authenticate (old KVN)", func() error { return r.auth(isdKVN) })
	}

	// Replacement with a wrong KCV: the card refuses (6982, GPCS 2.3.1
	// §11.8.3) and keeps the key set.
	before := r.keySetKCVs(isdAID, kvnNew)
	r.op("authenticate (new KVN)", func() error {
		return r.c.Authenticate(r.ctx, kcvLiar{r.kp}, gpcard.AuthOptions{KVN: kvnNew, Level: r.level})
	})
	err := r.fail("put key (replace, wrong KCV)", func() error {
		_, err := r.c.PutKeySet(r.ctx, gpcard.PutKeyOptions{ReplaceKVN: kvnNew, NewKVN: kvnRepl})
		return err
	})
	var se *sw.StatusError
	if !errors.As(err, &se) || se.SW != 0x6982 || se.Command != command.NamePutKey || !strings.Contains(err.Error(), "6982") {
		t.Errorf("PUT KEY with a wrong KCV: %v", err)
	}
	if after := r.keySetKCVs(isdAID, kvnNew); !slices.EqualFunc(before, after, bytes.Equal) || r.keySetKCVs(isdAID, kvnRepl) != nil {
		t.Errorf("key sets changed by a refused PUT KEY")
	}

	r.op("authenticate (new KVN)", func() error { return r.auth(kvnNew) })
	r.op("put key (replace)", func() error {
		_, err := r.c.PutKeySet(r.ctx, gpcard.PutKeyOptions{ReplaceKVN: kvnNew, NewKVN: kvnRepl})
		return err
	})
	r.op("authenticate (replacement KVN)", func() error { return r.auth(kvnRepl) })
	err = r.fail("authenticate (replaced KVN)", func() error { return r.auth(kvnNew) })
	if !errors.Is(err, sw.ErrNotFound) {
		t.Errorf("replaced KVN: %v", err)
	}
}

// ssdByStoreData creates SSD 1 with Authorized Management and its keys
// delivered through the ISD (INSTALL [for personalization] + STORE DATA DGI
// 00B9/8113, gp-card.md §1.6 option 1), then authenticates to it with its
// own keys and installs an applet into it.
func (r *run) ssdByStoreData() {
	t := r.t
	r.toISD(kvnRepl)
	var res *gpcard.SSDResult
	r.op("create SSD (keys by STORE DATA)", func() (err error) {
		res, err = r.c.CreateSSD(r.ctx, gpcard.SSDOptions{AID: ssd1AID, Privileges: []string{"AuthorizedManagement"},
			InitialKeys: &gpcard.InitialKeys{Via: gpcard.ByStoreData, KVN: kvnSSD}})
		return
	})
	if want := r.keySetKCVs(ssd1AID, kvnSSD); res.Keys == nil || len(want) != 3 || !bytes.Equal(res.Keys.KCV[1], want[1]) {
		t.Fatalf("SSD keys %+v, card holds %X", res.Keys, want)
	}
	r.installIntoSSD(ssd1AID, kvnSSD, []byte{0xD0, 0xD1, 0xD2, 0xD3, 0xD4, 0x1A})
}

// ssdByPutKey creates SSD 2 and gives it keys on its own secure channel:
// select it, authenticate with the initial key set, PUT KEY (gp-card.md
// §1.6 option 2).
func (r *run) ssdByPutKey() {
	t := r.t
	r.toISD(kvnRepl)
	var res *gpcard.SSDResult
	r.op("create SSD (keys by PUT KEY)", func() (err error) {
		res, err = r.c.CreateSSD(r.ctx, gpcard.SSDOptions{AID: ssd2AID, Privileges: []string{"AuthorizedManagement"},
			InitialKeys: &gpcard.InitialKeys{Via: gpcard.ByPutKey, KVN: kvnSSD2, Initial: r.kp, Auth: gpcard.AuthOptions{Level: r.level}}})
		return
	})
	if want := r.keySetKCVs(ssd2AID, kvnSSD2); res.Keys == nil || len(want) != 3 || !bytes.Equal(res.Keys.KCV[0], want[0]) {
		t.Fatalf("SSD keys %+v, card holds %X", res.Keys, want)
	}
	r.installIntoSSD(ssd2AID, kvnSSD2, []byte{0xD0, 0xD1, 0xD2, 0xD3, 0xD4, 0x2A})
}

// installIntoSSD authenticates to SSD aid with its key set kvn, installs a
// CAP into it and checks that its registry (no Global Registry: only its own
// content) shows the package and the application associated with it.
func (r *run) installIntoSSD(aid []byte, kvn byte, pkg []byte) {
	t := r.t
	r.op("select SSD + authenticate", func() error {
		if err := r.c.Select(r.ctx, aid); err != nil {
			return err
		}
		return r.auth(kvn)
	})
	f := testCAP(t, pkg, 300)
	r.op("install CAP (into SSD)", func() error { _, err := r.c.InstallCAP(r.ctx, f, gpcard.InstallCAPOptions{}); return err })
	reg := r.registry()
	app, lf := find(reg, f.Applets[0].AID), find(reg, f.LoadFileAID())
	if app == nil || !bytes.Equal(app.AssociatedSD, aid) || lf == nil || !bytes.Equal(lf.AssociatedSD, aid) || find(reg, isdAID) != nil {
		t.Errorf("SSD %X registry:\n%s", aid, reg)
	}
}

// cardStates walks the card life cycle: INITIALIZED, SECURED, CARD_LOCKED,
// back to SECURED, and finally TERMINATED (irreversible; the scenario's
// card is thrown away).
func (r *run) cardStates() {
	t := r.t
	for _, s := range []struct {
		name  string
		state byte
		want  string
	}{
		{"set card state INITIALIZED", command.CardInitialized, "INITIALIZED"},
		{"set card state SECURED", command.CardSecured, "SECURED"},
		{"set card state CARD_LOCKED", command.CardLocked, "CARD_LOCKED"},
		{"set card state SECURED (unlock)", command.CardSecured, "SECURED"},
	} {
		r.op(s.name, func() error { return r.c.SetCardState(r.ctx, s.state) })
		if e := find(r.registry(), isdAID); e == nil || e.State != s.want {
			t.Errorf("%s: ISD %+v", s.name, e)
		}
		if s.state == command.CardLocked {
			// GPCS 2.3.1 §5.1.1.4: a locked card selects only the ISD.
			err := r.fail("select SSD on a locked card", func() error { return r.c.Select(r.ctx, ssd1AID) })
			if !errors.Is(err, sw.ErrNotFound) {
				t.Errorf("select SSD on a locked card: %v", err)
			}
			r.toISD(kvnRepl)
		}
	}
	r.op("set card state TERMINATED", func() error { return r.c.SetCardState(r.ctx, command.CardTerminated) })
	if s := r.card.Snapshot(); s.LifeCycle != image.CardTerminated {
		t.Errorf("card life cycle %02X after TERMINATE", s.LifeCycle)
	}
	_, err := r.c.Registry(r.ctx)
	if !errors.Is(err, sw.ErrConditionsNotSatisfied) {
		t.Errorf("GET STATUS on a terminated card: %v", err)
	}
}
