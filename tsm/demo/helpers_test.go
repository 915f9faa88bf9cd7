package demo_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/cardhost/cardhost/gpcard/gpcrypto"
	"github.com/cardhost/cardhost/gpcard/secret"
	"github.com/cardhost/cardhost/sim/image"
	"github.com/cardhost/cardhost/tsm"
	"github.com/cardhost/cardhost/tsm/demo"
	_ "github.com/cardhost/cardhost/tsm/keystore/sealed"
	"github.com/cardhost/cardhost/tsm/store"
	_ "github.com/cardhost/cardhost/tsm/store/postgres"
	_ "github.com/cardhost/cardhost/tsm/store/sqlite"
)

// Test master keys (hex); the log-scan test looks for them everywhere.
const (
	hexISD        = "7A1C52E90B3D4F6681A2C3D4E5F60718"
	hexSSDInitial = "5B2E7D10C4A8E6F2039B1D7C5E3A9F04"
	hexSSD        = "6C3F8E21D5B9F7A3140C2E8D6F4BA015"
	hexPurse      = "3D4A9F32E6CA08B4251D3F9E7A5CB126"
)

func key(t testing.TB, h string) secret.Key {
	t.Helper()
	k, err := secret.FromHex(h)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func masters(t testing.TB) demo.Masters {
	return demo.Masters{ISD: key(t, hexISD), SSDInitial: key(t, hexSSDInitial), SSD: key(t, hexSSD), Purse: key(t, hexPurse)}
}

// runCampaign creates (or finds) the campaign and runs it to the end.
func runCampaign(t testing.TB, e *demo.Env, workers int) store.Campaign {
	t.Helper()
	ctx := context.Background()
	c, err := e.Campaign(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Service.RunCampaign(ctx, c.ID, e.Fleet, tsmRun(workers)); err != nil {
		t.Fatal(err)
	}
	c, err = e.Service.Campaign(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// verifyProvisioned checks every card of the fleet: its job is done, every
// card-changing step is audited exactly once, the card holds the SSD with the
// applet, and the SSD's key check values on the card equal the inventory's.
func verifyProvisioned(t testing.TB, e *demo.Env) {
	t.Helper()
	ctx := context.Background()
	sum, err := e.Service.VerifyAudit(ctx)
	if err != nil {
		t.Fatalf("audit chain: %v", err)
	}
	perCard := map[string]map[string]int{}
	for after := int64(0); ; {
		es, err := e.Store.AuditLog(ctx, store.AuditFilter{AfterSeq: after, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		if len(es) == 0 {
			break
		}
		for _, a := range es {
			if perCard[string(a.CardCIN)] == nil {
				perCard[string(a.CardCIN)] = map[string]int{}
			}
			perCard[string(a.CardCIN)][a.Operation]++
			after = a.Seq
		}
	}
	steps := 4
	if e.Plan.Purse != nil {
		steps = 5
	}
	for _, cin := range e.Fleet.CINs() {
		js, err := e.Store.ListJobs(ctx, store.JobFilter{CardCIN: cin})
		if err != nil || len(js) != 1 || js[0].State != store.JobDone {
			var steps []store.Step
			if len(js) > 0 {
				j, _ := e.Service.Job(ctx, js[0].ID)
				steps = j.Steps
			}
			t.Fatalf("card %X: jobs %+v, %v; steps %+v", cin, js, err, steps)
		}
		ops := perCard[string(cin)]
		if len(ops) != steps {
			t.Errorf("card %X: audited operations %v, want %d kinds once each", cin, ops, steps)
		}
		for op, n := range ops {
			if n != 1 {
				t.Errorf("card %X: %s audited %d times", cin, op, n)
			}
		}
		checkCard(t, e, cin)
	}
	t.Logf("audit entries %d, cards %d", sum.Entries, len(e.Fleet.CINs()))
}

func checkCard(t testing.TB, e *demo.Env, cin []byte) {
	t.Helper()
	inv, err := e.Service.Card(context.Background(), cin)
	if err != nil {
		t.Fatal(err)
	}
	s := e.Fleet.Card(cin).Snapshot()
	ssd := s.App(e.Plan.SSD)
	if ssd == nil || ssd.Domain == nil {
		t.Fatalf("card %X: no SSD on the card", cin)
	}
	if s.App(e.Plan.Module) == nil || len(s.Apps) == 0 {
		t.Errorf("card %X: applet not installed", cin)
	}
	var want *store.KeySet
	for i, ks := range inv.KeySets {
		if bytes.Equal(ks.SDAID, e.Plan.SSD) {
			if want != nil {
				t.Errorf("card %X: inventory holds two SSD key sets", cin)
			}
			want = &inv.KeySets[i]
		}
	}
	if want == nil || want.KVN != e.Plan.KVN || len(ssd.Domain.KeySets) != 1 {
		t.Fatalf("card %X: inventory key set %+v, card key sets %d", cin, want, len(ssd.Domain.KeySets))
	}
	onCard := ssd.Domain.KeySets[0]
	for _, k := range want.Keys {
		ck := onCard.Key(k.ID)
		if ck == nil {
			t.Fatalf("card %X: key %d missing", cin, k.ID)
		}
		if got := kcv(t, ck); !bytes.Equal(got, k.KCV) {
			t.Errorf("card %X key %d: card KCV %X, inventory %X", cin, k.ID, got, k.KCV)
		}
	}
}

func kcv(t testing.TB, k *image.Key) []byte {
	var (
		v   []byte
		err error
	)
	if k.Type == image.KeyTypeAES {
		v, err = gpcrypto.KCVAES(k.Value)
	} else {
		v, err = gpcrypto.KCVDES(k.Value)
	}
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func tsmRun(workers int) tsm.RunOptions { return tsm.RunOptions{Workers: workers} }

// openEnv opens a demo TSM in a fresh directory with the test masters.
func openEnv(t testing.TB, cfg demo.Config) *demo.Env {
	t.Helper()
	if cfg.Dir == "" {
		cfg.Dir = t.TempDir()
	}
	cfg.Masters = masters(t)
	e, err := demo.Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}
