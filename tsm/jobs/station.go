package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/cardhost/cardhost/gpcard"
	"github.com/cardhost/cardhost/reader"
	"github.com/cardhost/cardhost/tsm/store"
)

// Readers is what a Station needs from PC/SC; *reader.Context implements
// it.
type Readers interface {
	WaitForCard(ctx context.Context, reader string) error
	WaitForRemoval(ctx context.Context, reader string) error
	Connect(ctx context.Context, reader string, o reader.ConnectOptions) (*reader.PCSC, error)
}

var _ Readers = (*reader.Context)(nil)

// Station is the executor of a reader station: an operator puts cards into
// one PC/SC reader, one after another, and the station runs each card's job.
//
// For every card presented it connects, identifies the card by its CIN
// (GET DATA 45 through gpcard Info), claims that card's job
// (store.Jobs.ClaimJobForCard) and runs it with the Runner; then it waits for
// the reader to be empty. A card pulled out mid-job interrupts the run
// (ErrInterrupted): the station gives the lease back, so the job stays
// resumable; when the card comes back (to this or any other station) its job
// is claimed again and resumes by probing the card (see Runner.Run). A card
// without a runnable job (none, finished, leased elsewhere, or its campaign
// at its concurrency limit) is logged and waited out, as is a card that
// fails mid-job without leaving the reader: it must be presented again.
//
// BUG(jobs): the station learns of a new card from pcscd's reader state; a
// card taken out and put back faster than pcscd polls the reader is not seen
// to leave, so the station keeps waiting for it to be taken out.
//
// A Station is not safe for concurrent use; run one per reader, each with
// its own Readers (PC/SC context): pcsc-lite serialises the calls of one
// context, so a station waiting for a card would hold up another station's
// commands. Several stations may share a Runner.
type Station struct {
	Runner  *Runner
	Readers Readers
	Reader  string // the PC/SC reader name
	// OnResult, if set, is called after each job run on a card, with what
	// Runner.Run returned (the job as last stored, the APDUs sent).
	OnResult func(Result, error)
	// Wrap, if set, wraps the card's transport once the card is identified
	// and its job claimed (e.g. to trace it for metrics); the job runs over
	// what it returns. cin is the card's CIN.
	Wrap func(cin []byte, t reader.Transport) reader.Transport
}

// Run serves the reader until ctx ends, and returns ctx's error then; it
// returns early only if the reader itself fails (e.g. it was unplugged or
// pcscd stopped).
func (s *Station) Run(ctx context.Context) error {
	if s.Runner == nil || s.Readers == nil || s.Reader == "" {
		return errors.New("jobs: Station needs Runner, Readers and Reader")
	}
	log := s.Runner.log.With("reader", s.Reader)
	for {
		if err := s.Readers.WaitForCard(ctx, s.Reader); err != nil {
			return s.stop(ctx, err)
		}
		removed := s.serve(ctx, log)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		// Done with this card: the next job starts with the next card
		// presented. A card that went away mid-job is already out: waiting
		// for its removal could miss it when it is put back before this
		// station asks pcscd, so go straight back to waiting for a card (the
		// same card put back resumes its job).
		if removed {
			continue
		}
		if err := s.Readers.WaitForRemoval(ctx, s.Reader); err != nil {
			return s.stop(ctx, err)
		}
	}
}

// stop returns ctx's error if it ended, else the reader failure err.
func (s *Station) stop(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return fmt.Errorf("jobs: station %q: %w", s.Reader, err)
}

// serve runs the job of the card in the reader, if it has one, and reports
// whether the card left the reader meanwhile.
func (s *Station) serve(ctx context.Context, log *slog.Logger) (removed bool) {
	p, err := s.Readers.Connect(ctx, s.Reader, reader.ConnectOptions{})
	if err != nil {
		log.Info("connecting to the card", "err", err)
		return gone(err)
	}
	defer p.Close()
	cin, err := s.identify(ctx, p)
	if err != nil {
		log.Warn("identifying the card", "err", err)
		return gone(err)
	}
	log = log.With("card_cin", fmt.Sprintf("%X", cin))
	cl, err := s.Runner.cfg.Store.ClaimJobForCard(ctx, s.Runner.cfg.Worker, s.Runner.cfg.LeaseTTL, cin)
	if errors.Is(err, store.ErrNotFound) {
		log.Info("no runnable job for the card")
		return false
	}
	if err != nil {
		log.Warn("claiming the card's job", "err", err)
		return false
	}
	var t reader.Transport = p
	if s.Wrap != nil {
		t = s.Wrap(cin, t)
	}
	res, err := s.Runner.Run(ctx, cl, t)
	if errors.Is(err, ErrInterrupted) {
		log.Info("job interrupted, resumable", "job_id", cl.Job.ID, "err", err)
		if rerr := s.Runner.cfg.Store.ReleaseLease(context.WithoutCancel(ctx), res.Lease); rerr != nil && !errors.Is(rerr, store.ErrLeaseLost) {
			log.Warn("releasing the lease", "job_id", cl.Job.ID, "err", rerr)
		}
	}
	if s.OnResult != nil {
		s.OnResult(res, err)
	}
	return gone(err)
}

// gone reports whether err says the card is no longer in the reader.
func gone(err error) bool {
	return errors.Is(err, reader.ErrCardRemoved) || errors.Is(err, reader.ErrNoCard)
}

// identify reads the CIN of the card behind t without a secure channel.
func (s *Station) identify(ctx context.Context, t reader.Transport) ([]byte, error) {
	c, err := gpcard.Connect(ctx, t, gpcard.Options{Rand: s.Runner.cfg.Rand})
	if err != nil {
		return nil, err
	}
	defer c.Close()
	info, err := c.Info(ctx)
	if err != nil {
		return nil, err
	}
	if len(info.CIN) == 0 {
		return nil, errors.New("jobs: the card reports no CIN (GET DATA 45)")
	}
	return info.CIN, nil
}
