package jobs_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/cardhost/cardhost/gpcard/gpcrypto"
	"github.com/cardhost/cardhost/reader"
	"github.com/cardhost/cardhost/sim"
	"github.com/cardhost/cardhost/sim/image"
	"github.com/cardhost/cardhost/sim/vpcd"
	"github.com/cardhost/cardhost/test/pcscdtest"
	"github.com/cardhost/cardhost/tsm"
	"github.com/cardhost/cardhost/tsm/demo"
	"github.com/cardhost/cardhost/tsm/jobs"
	_ "github.com/cardhost/cardhost/tsm/keystore/sealed"
	"github.com/cardhost/cardhost/tsm/store"
	_ "github.com/cardhost/cardhost/tsm/store/sqlite"
)

// daemon is the private pcscd (with vpcd readers) of this package's tests.
var daemon *pcscdtest.Daemon

func TestMain(m *testing.M) { os.Exit(pcscdtest.Main(m, pcscdtest.Options{Readers: 2}, &daemon)) }

// syncBuffer collects the log of concurrent stations.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// pulledCard is a simulated card that the holder pulls out of the reader
// while the pullAt-th command is being processed: the card executes the
// command (it may commit) but the answer never reaches the reader, and the
// reader sees the card removed.
type pulledCard struct {
	*sim.Card
	pullAt int
	pull   func() // takes the card out; called once, before the lost answer
	mu     sync.Mutex
	n      int
}

// Transmit implements vpcd.Card.
func (c *pulledCard) Transmit(capdu []byte) []byte {
	r := c.Card.Transmit(capdu)
	c.mu.Lock()
	c.n++
	pull := c.n == c.pullAt
	c.mu.Unlock()
	if pull {
		c.pull()
		return nil // the bridge drops the connection: removed mid-command
	}
	return r
}

// insert puts card into vpcd reader r; the card stays until ctx ends (the
// card is pulled out) or the test ends.
func insert(t *testing.T, ctx context.Context, r int, card vpcd.Card) {
	t.Helper()
	slot := vpcd.Insert(ctx, daemon.Addr(r), card)
	t.Cleanup(func() { slot.Remove() })
}

func readerName(t *testing.T, pc *reader.Context, r int) string {
	t.Helper()
	names, err := pc.Readers()
	if err != nil {
		t.Fatal(err)
	}
	n, err := daemon.Name(names, r)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestStation_CardPulledMidJob_ResumesWhenReinserted provisions two cards
// through two reader stations over a private pcscd: one card stays in its
// reader, the other is pulled out while a command of its job is under way
// (the card executes it, the answer is lost) and put back once the station
// has reported the interruption. Both jobs must end done, every step audited
// exactly once, and each card must hold the applet and the SSD key set the
// inventory records, KCVs included.
func TestStation_CardPulledMidJob_ResumesWhenReinserted(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute) // a safety net, not an assertion
	defer cancel()
	var logs syncBuffer
	defer func() {
		if t.Failed() {
			t.Logf("TSM log:\n%s", logs.String())
		}
	}()
	e, err := demo.Open(ctx, demo.Config{Dir: t.TempDir(), Cards: 2, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if _, err := e.Campaign(ctx); err != nil {
		t.Fatal(err)
	}
	pc, err := reader.NewContext()
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	cins := e.Fleet.CINs()
	steady, pulled := e.Fleet.Card(cins[0]), &pulledCard{Card: e.Fleet.Card(cins[1]), pullAt: 25}
	names := []string{readerName(t, pc, 0), readerName(t, pc, 1)}

	type report struct {
		res jobs.Result
		err error
	}
	reports := make(chan report, 16)
	sctx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for _, name := range names {
		// One PC/SC context per station: pcsc-lite serialises the calls
		// of a context, so one station waiting for a card would hold up
		// the other's commands.
		own, err := reader.NewContext()
		if err != nil {
			t.Fatal(err)
		}
		defer own.Close()
		wg.Go(func() {
			if err := e.Service.RunStation(sctx, own, name, tsm.StationOptions{OnResult: func(r jobs.Result, err error) { reports <- report{r, err} }}); !errors.Is(err, context.Canceled) {
				t.Errorf("station %q: %v", name, err)
			}
		})
	}
	insert(t, ctx, 0, steady)
	held, pull := context.WithCancel(ctx)
	defer pull()
	pulled.pull = pull
	insert(t, held, 1, pulled)

	done, interrupted := map[string]bool{}, 0
	for len(done) < 2 {
		select {
		case r := <-reports:
			switch {
			case errors.Is(r.err, jobs.ErrInterrupted):
				if !bytes.Equal(r.res.Job.CardCIN, cins[1]) {
					t.Fatalf("card %X interrupted: %v", r.res.Job.CardCIN, r.err)
				}
				if interrupted++; interrupted == 1 {
					// The holder waits until the reader shows it empty,
					// then puts the card back.
					if err := pc.WaitForRemoval(ctx, names[1]); err != nil {
						t.Fatal(err)
					}
					insert(t, ctx, 1, pulled)
				}
			case r.err != nil:
				t.Fatalf("card %X: %v", r.res.Job.CardCIN, r.err)
			case r.res.Job.State == store.JobDone:
				done[string(r.res.Job.CardCIN)] = true
			}
		case <-ctx.Done():
			t.Fatalf("jobs done %d of 2, interruptions %d: %v", len(done), interrupted, ctx.Err())
		}
	}
	stop()
	wg.Wait()
	if interrupted == 0 {
		t.Fatal("the pulled card's job was never interrupted")
	}
	checkProvisioned(t, e)
}

// checkProvisioned checks every card of e: its job is done, each step
// audited once, the applet installed, and the SSD key set on the card is the
// inventory's, KCV for KCV.
func checkProvisioned(t *testing.T, e *demo.Env) {
	t.Helper()
	ctx := context.Background()
	if _, err := e.Service.VerifyAudit(ctx); err != nil {
		t.Fatalf("audit chain: %v", err)
	}
	audits, err := e.Store.AuditLog(ctx, store.AuditFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for _, cin := range e.Fleet.CINs() {
		js, err := e.Store.ListJobs(ctx, store.JobFilter{CardCIN: cin})
		if err != nil || len(js) != 1 || js[0].State != store.JobDone {
			t.Fatalf("card %X: jobs %+v, %v", cin, js, err)
		}
		ops := map[string]int{}
		for _, a := range audits {
			if bytes.Equal(a.CardCIN, cin) {
				ops[a.Operation]++
			}
		}
		for _, k := range []string{jobs.KindCreateSSD, jobs.KindPutSSDKeys, jobs.KindLoad, jobs.KindInstall, jobs.KindPersonalise} {
			if ops[k] != 1 {
				t.Errorf("card %X: %s audited %d times, want once", cin, k, ops[k])
			}
		}
		inv, err := e.Service.Card(ctx, cin)
		if err != nil {
			t.Fatal(err)
		}
		s := e.Fleet.Card(cin).Snapshot()
		ssd := s.App(e.Plan.SSD)
		if ssd == nil || ssd.Domain == nil || len(ssd.Domain.KeySets) != 1 || s.App(e.Plan.Module) == nil {
			t.Fatalf("card %X: SSD or applet missing on the card", cin)
		}
		var want *store.KeySet
		for i, ks := range inv.KeySets {
			if bytes.Equal(ks.SDAID, e.Plan.SSD) {
				want = &inv.KeySets[i]
			}
		}
		if want == nil || want.KVN != e.Plan.KVN {
			t.Fatalf("card %X: inventory SSD key set %+v, want KVN %02X", cin, want, e.Plan.KVN)
		}
		for _, k := range want.Keys {
			ck := ssd.Domain.KeySets[0].Key(k.ID)
			if ck == nil || ck.Type != image.KeyTypeAES {
				t.Fatalf("card %X: key %d missing or not AES", cin, k.ID)
			}
			kcv, err := gpcrypto.KCVAES(ck.Value)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(kcv, k.KCV) {
				t.Errorf("card %X key %d: card KCV %X, inventory %X", cin, k.ID, kcv, k.KCV)
			}
		}
	}
}
