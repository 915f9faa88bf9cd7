package demo_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cardhost/cardhost/reader"
	"github.com/cardhost/cardhost/tsm"
	"github.com/cardhost/cardhost/tsm/demo"
	"github.com/cardhost/cardhost/tsm/jobs"
	"github.com/cardhost/cardhost/tsm/store"
)

// fakeClock is a clock the test moves by hand.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// stallingSource hands out transports to the fleet's cards that stop after
// the stallAfter-th response: the worker stalls between two commands (a
// long GC pause, a database that keeps it waiting) until resume is closed.
// sentAfter counts the commands that reach the card after the resume.
type stallingSource struct {
	fleet      jobs.CardSource
	stallAfter int
	stalled    chan struct{}
	resume     chan struct{}
	sentAfter  atomic.Int32
}

func (s *stallingSource) Open(ctx context.Context, cin []byte) (reader.Transport, error) {
	t, err := s.fleet.Open(ctx, cin)
	if err != nil {
		return nil, err
	}
	return &stallingTransport{Transport: t, s: s}, nil
}

type stallingTransport struct {
	reader.Transport
	s       *stallingSource
	n       int
	resumed bool
}

func (t *stallingTransport) Transmit(ctx context.Context, capdu []byte) ([]byte, error) {
	if t.resumed {
		t.s.sentAfter.Add(1)
	}
	r, err := t.Transport.Transmit(ctx, capdu)
	if t.n++; t.n == t.s.stallAfter {
		close(t.s.stalled)
		<-t.s.resume
		t.resumed = true
	}
	return r, err
}

// TestLeaseLapse_StalledWorkerStopsBeforeItsNextCommand: worker A stalls in
// the middle of a job (between two commands of put-ssd-keys) for longer
// than its lease; worker B claims the job and provisions the card. When A
// wakes up it must neither send another command to the card nor record
// anything: its next command is refused by the lease guard, its run ends
// with store.ErrLeaseLost, and the inventory, the audit log and the card
// stay as B left them. (Before the guard, A went on driving the card B had
// finished and stored the snapshot it read at its start over B's: the
// inventory showed the SSD's initial key set, as TestCrash_KilledCampaign
// reported under load.)
func TestLeaseLapse_StalledWorkerStopsBeforeItsNextCommand(t *testing.T) {
	const ttl = time.Minute
	clk := &fakeClock{now: time.Now()}
	e := openEnv(t, demo.Config{Cards: 1, LeaseTTL: ttl, Worker: "worker-a", Now: clk.Now})
	ctx := context.Background()
	c, err := e.Campaign(ctx)
	if err != nil {
		t.Fatal(err)
	}
	src := &stallingSource{fleet: e.Fleet, stallAfter: 18, stalled: make(chan struct{}), resume: make(chan struct{})}
	resA := make(chan error, 1)
	go func() {
		var runErr error
		err := e.Service.RunCampaign(ctx, c.ID, src, tsm.RunOptions{Workers: 1, OnResult: func(_ jobs.Result, err error) {
			if runErr == nil {
				runErr = err
			}
		}})
		resA <- errors.Join(err, runErr)
	}()
	<-src.stalled
	clk.Advance(2 * ttl)

	b, err := tsm.New(ctx, e.Store, e.Keys, tsm.Keys{ISD: demo.LabelISD, Catalog: demo.LabelCatalog},
		tsm.WithWorker("worker-b"), tsm.WithLeaseTTL(ttl), tsm.WithClock(clk.Now))
	if err != nil {
		t.Fatal(err)
	}
	if err := b.RunCampaign(ctx, c.ID, e.Fleet, tsm.RunOptions{Workers: 1}); err != nil {
		t.Fatal(err)
	}
	before, err := e.Service.Card(ctx, e.Fleet.CINs()[0])
	if err != nil {
		t.Fatal(err)
	}

	close(src.resume)
	if err := <-resA; !errors.Is(err, store.ErrLeaseLost) {
		t.Fatalf("worker A ended with %v, want an error matching store.ErrLeaseLost", err)
	}
	if n := src.sentAfter.Load(); n != 0 {
		t.Errorf("worker A sent %d commands to the card after its lease lapsed, want 0", n)
	}
	after, err := e.Service.Card(ctx, e.Fleet.CINs()[0])
	if err != nil {
		t.Fatal(err)
	}
	if !after.RefreshedAt.Equal(before.RefreshedAt) || len(after.KeySets) != len(before.KeySets) {
		t.Errorf("worker A rewrote the inventory: %+v, then %+v", before, after)
	}
	verifyProvisioned(t, e)
}
