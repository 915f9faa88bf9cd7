package jobs

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"

	"github.com/cardhost/cardhost/gpcard"
	"github.com/cardhost/cardhost/reader"
	"github.com/cardhost/cardhost/tsm/inventory"
	"github.com/cardhost/cardhost/tsm/store"
)

// cardEnv is the state of one run of one job on one card.
type cardEnv struct {
	r     *Runner
	lease store.Lease
	job   store.Job
	c     *gpcard.Card
	snap  inventory.Snapshot // refreshed at the start, then kept up to date by the steps
	apdus int
	bound bool // the snapshot is of the job's card
	// started says the step after the last finished one was already
	// started by FinishStep (store.StepResult.StartNext)
	started bool
	// the secure channel open now: SD, KVN, and the labels of its provider
	sd     []byte
	kvn    byte
	labels string
}

func (e *cardEnv) run(ctx context.Context, t reader.Transport, log *slog.Logger) (Result, error) {
	c, err := gpcard.Connect(ctx, t, gpcard.Options{Rand: e.r.cfg.Rand})
	if err != nil {
		return Result{Job: e.job}, fmt.Errorf("connecting: %w", err)
	}
	defer c.Close()
	e.c = c
	isd := bytes.Clone(c.SD())
	if err := e.session(ctx, isd, 0, e.isdLabels()...); err != nil {
		return Result{Job: e.job}, err
	}
	if e.snap, err = inventory.Read(ctx, c); err != nil {
		return Result{Job: e.job}, err
	}
	e.sd = c.SD() // reading SSD key information may have ended the channel
	if !c.Authenticated() {
		e.sd = nil
	}
	if err := e.bind(ctx); err != nil {
		return Result{Job: e.job}, err
	}
	e.bound = true
	if err := e.fillKCVs(ctx); err != nil {
		return Result{Job: e.job}, err
	}
	// The refreshed snapshot is stored with the run's last step outcome
	// (store.StepResult.Card), under the lease: one write instead of two,
	// and a worker that lost its lease cannot store an older snapshot over
	// a newer one.
	first := true
	for i := 0; i < len(e.job.Steps); i++ {
		st := e.job.Steps[i]
		if st.State == store.StepDone {
			continue
		}
		slog := log.With("step", st.Kind, "step_index", i)
		done, err := e.step(ctx, st, first, slog)
		first = false
		if err != nil {
			return Result{Job: e.job}, err
		}
		if !done {
			break
		}
	}
	log.Info("job finished", "card_cin", fmt.Sprintf("%X", e.snap.Card.CIN), "state", string(e.job.State), "apdus", e.apdus)
	return Result{Job: e.job}, nil
}

// isdLabels are the key store entries the ISD's channel needs: its own
// keys and the initial SSD keys it wraps for STORE DATA.
func (e *cardEnv) isdLabels() []string {
	labels := []string{e.r.cfg.ISDLabel}
	for _, st := range e.job.Steps {
		if st.Kind != KindCreateSSD {
			continue
		}
		var p createSSDParams
		if json.Unmarshal(st.Params, &p) == nil && p.Label != "" {
			labels = append(labels, p.Label)
		}
	}
	return labels
}

// bind checks the card is the job's card, or binds a selector job to it.
func (e *cardEnv) bind(ctx context.Context) error {
	cin := e.snap.Card.CIN
	if len(e.job.CardCIN) == 0 {
		if err := e.r.cfg.Store.SetJobCard(ctx, e.lease, cin); err != nil {
			return fmt.Errorf("binding the job to card %X: %w", cin, err)
		}
		e.job.CardCIN = bytes.Clone(cin)
		return nil
	}
	if !bytes.Equal(e.job.CardCIN, cin) {
		return fmt.Errorf("%w: job %s is for card %X, the card is %X", ErrWrongCard, e.job.ID, e.job.CardCIN, cin)
	}
	return nil
}

// guard runs before every command APDU of the run: it renews the lease
// when less than two thirds of its length remain, and stops the run with an
// error matching store.ErrLeaseLost once another worker holds the job. A
// worker whose lease lapsed (a stalled process, a slow database) therefore
// never sends another command to a card that a second worker may be
// driving: the second worker can claim the job only after the lease
// expired, and the first renews (or learns it lost the job) before its next
// command. The bound this relies on is that one command exchange takes less
// than two thirds of the lease length.
func (e *cardEnv) guard(ctx context.Context) error {
	ttl := e.r.cfg.LeaseTTL
	if e.lease.Expires.Sub(e.r.cfg.Now()) > ttl*2/3 {
		return nil
	}
	l, err := e.r.cfg.Store.RenewLease(ctx, e.lease, ttl)
	if err != nil {
		return fmt.Errorf("%w: %w", errRenew, err)
	}
	e.lease = l
	return nil
}

// guarded is the transport of a run: every command first passes the lease
// guard.
type guarded struct {
	reader.Transport
	e *cardEnv
}

// Transmit implements reader.Transport.
func (g guarded) Transmit(ctx context.Context, capdu []byte) ([]byte, error) {
	if err := g.e.guard(ctx); err != nil {
		return nil, err
	}
	return g.Transport.Transmit(ctx, capdu)
}

// session makes sure a secure channel with sd under key version kvn (0: the
// card's default) is open, with a provider over labels; it selects sd and
// authenticates only when the open channel is a different one.
func (e *cardEnv) session(ctx context.Context, sd []byte, kvn byte, labels ...string) error {
	key := fmt.Sprint(labels)
	if e.c.Authenticated() && bytes.Equal(e.sd, sd) && e.kvn == kvn && e.labels == key {
		return nil
	}
	e.sd = nil
	if !bytes.Equal(e.c.SD(), sd) || e.c.Authenticated() {
		if err := e.c.Select(ctx, sd); err != nil {
			return fmt.Errorf("selecting %X: %w", sd, err)
		}
	}
	kp, err := e.r.cfg.Keys.Provider(ctx, labels...)
	if err != nil {
		return fmt.Errorf("key store: %w", err)
	}
	if err := e.c.Authenticate(ctx, kp, gpcard.AuthOptions{KVN: kvn}); err != nil {
		return err
	}
	e.sd, e.kvn, e.labels = bytes.Clone(sd), kvn, key
	return nil
}

// dropSession forgets the channel after commands that select something else.
func (e *cardEnv) dropSession() { e.sd = nil }

// fillKCVs completes the KCVs of the key sets this job's plan puts, when the
// card already holds them (a resumed job): cards report key information
// without KCVs, and the key store knows the values the TSM sent.
func (e *cardEnv) fillKCVs(ctx context.Context) error {
	for _, st := range e.job.Steps {
		var sk ssdKeys
		switch st.Kind {
		case KindCreateSSD:
			var p createSSDParams
			if err := json.Unmarshal(st.Params, &p); err != nil {
				return err
			}
			sk = ssdKeys{SSD: p.SSD, KVN: p.KVN, Label: p.Label}
		case KindPutSSDKeys:
			if err := json.Unmarshal(st.Params, &sk); err != nil {
				return err
			}
		default:
			continue
		}
		ks := e.keySet(sk.SSD, sk.KVN)
		if ks == nil || len(ks.Keys) == 0 || len(ks.Keys[0].KCV) != 0 {
			continue
		}
		info, err := e.expectedKeys(ctx, e.ssdLabel(sk), sk.KVN)
		if err != nil {
			return err
		}
		e.setKeySet(sk.SSD, 0, sk.KVN, info.Type, info.KCV[:])
	}
	return nil
}
