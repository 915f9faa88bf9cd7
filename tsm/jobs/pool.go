package jobs

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/cardhost/cardhost/reader"
	"github.com/cardhost/cardhost/tsm/store"
)

// CardSource hands out transports to cards that are always present, by CIN:
// the in-process simulated fleets of package tsm/fleet.
type CardSource interface {
	// Open returns a transport to the card with this CIN.
	Open(ctx context.Context, cin []byte) (reader.Transport, error)
}

// Pool runs jobs on the cards of a CardSource with a number of workers that
// claim jobs from the store (campaign concurrency limits apply there). A
// card that goes away mid-job is reset and the job resumed at once, up to
// the runner's MaxAttempts times; after that its lease is released.
type Pool struct {
	Runner  *Runner
	Source  CardSource
	Workers int // at least 1
	// Poll is how long an idle worker waits before claiming again while
	// jobs remain leased elsewhere (e.g. by a crashed process, until the
	// lease expires). Zero means 200 ms.
	Poll time.Duration
	// OnResult, if set, is called after each job run, from the worker
	// goroutines.
	OnResult func(Result, error)
}

// Run runs the workers until finished reports true (checked whenever no
// job can be claimed) or ctx ends. Failed claims are logged and retried;
// Run returns the first error of finished.
func (p *Pool) Run(ctx context.Context, finished func(context.Context) (bool, error)) error {
	if p.Workers < 1 || p.Runner == nil || p.Source == nil {
		return errors.New("jobs: Pool needs Runner, Source and Workers ≥ 1")
	}
	poll := p.Poll
	if poll <= 0 {
		poll = 200 * time.Millisecond
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	wake := make(chan struct{}, p.Workers)
	var wg sync.WaitGroup
	for range p.Workers {
		wg.Go(func() {
			if err := p.work(ctx, finished, wake, poll); err != nil {
				cancel(err)
			}
		})
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return ctx.Err()
}

func (p *Pool) work(ctx context.Context, finished func(context.Context) (bool, error), wake chan struct{}, poll time.Duration) error {
	st := p.Runner.cfg.Store
	for ctx.Err() == nil {
		cl, err := st.ClaimJob(ctx, p.Runner.cfg.Worker, p.Runner.cfg.LeaseTTL)
		if err != nil {
			if !errors.Is(err, store.ErrNotFound) {
				// A busy database (SQLite's single writer under load) is
				// worth another try; the job stays queued.
				p.Runner.log.Warn("claiming a job", "err", err)
			} else if done, err := finished(ctx); err != nil || done {
				return err
			}
			t := time.NewTimer(poll)
			select {
			case <-ctx.Done():
			case <-wake:
			case <-t.C:
			}
			t.Stop()
			continue
		}
		res, err := p.runClaim(ctx, cl)
		if p.OnResult != nil {
			p.OnResult(res, err)
		}
		for range p.Workers { // others may claim now (campaign concurrency)
			select {
			case wake <- struct{}{}:
			default:
			}
		}
	}
	return nil
}

// runClaim runs one claimed job, resetting the card and resuming after an
// interruption.
func (p *Pool) runClaim(ctx context.Context, cl store.Claim) (Result, error) {
	st := p.Runner.cfg.Store
	t, err := p.Source.Open(ctx, cl.Job.CardCIN)
	if err != nil {
		return Result{Job: cl.Job}, p.release(ctx, cl.Lease, fmt.Errorf("opening card %X: %w", cl.Job.CardCIN, err))
	}
	defer t.Close()
	total := 0
	for attempt := 1; ; attempt++ {
		res, err := p.Runner.Run(ctx, cl, t)
		total += res.APDUs
		res.APDUs = total
		if !errors.Is(err, ErrInterrupted) || ctx.Err() != nil {
			return res, err
		}
		if attempt >= p.Runner.cfg.MaxAttempts {
			return res, p.release(ctx, res.Lease, err)
		}
		if rerr := t.Reset(ctx); rerr != nil {
			return res, p.release(ctx, res.Lease, err)
		}
		job, jerr := st.Job(ctx, cl.Job.ID)
		if jerr != nil {
			return res, jerr
		}
		cl = store.Claim{Job: job, Lease: res.Lease}
	}
}

// release gives a job back after an interruption and returns cause.
func (p *Pool) release(ctx context.Context, l store.Lease, cause error) error {
	if err := p.Runner.cfg.Store.ReleaseLease(context.WithoutCancel(ctx), l); err != nil && !errors.Is(err, store.ErrLeaseLost) {
		return fmt.Errorf("%w (releasing the lease: %v)", cause, err)
	}
	return cause
}
