package jobs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/cardhost/cardhost/reader"
	"github.com/cardhost/cardhost/tsm/catalog"
	"github.com/cardhost/cardhost/tsm/keystore"
	"github.com/cardhost/cardhost/tsm/store"
)

// ErrInterrupted reports a job run that stopped because the card went away
// (torn, removed) or the context ended. The job is left resumable: its
// current step stays running and the caller still holds the lease, so it
// may run the job again when the card is back or release the lease.
var ErrInterrupted = errors.New("jobs: interrupted, job resumable")

// ErrWrongCard reports that the card presented is not the job's card.
var ErrWrongCard = errors.New("jobs: card is not the job's card")

// errRenew wraps a failed lease renewal: the run stops before its next
// command, leaving the job as it is.
var errRenew = errors.New("jobs: lease not renewed")

// Config configures a Runner.
type Config struct {
	Store   store.Store
	Keys    keystore.Store
	Catalog *catalog.Catalog
	// ISDLabel names the key store entry (static set or master) that opens
	// the issuer security domain of the cards.
	ISDLabel string
	// Worker identifies this runner in leases and audit entries.
	Worker string
	// LeaseTTL is the lease length. Before every command APDU a run
	// renews its lease when less than two thirds remain, and stops if the
	// job was claimed by another worker meanwhile; one command exchange
	// must take less than two thirds of it. Zero means 30 s.
	LeaseTTL time.Duration
	// Now is the clock lease expiry is judged by; it must agree with the
	// store's clock. Nil means time.Now.
	Now func() time.Time
	// MaxAttempts bounds how often one step is started before the job
	// fails; zero means 5.
	MaxAttempts int
	// Logger receives job and step events, and every APDU exchange (keys
	// redacted) at debug level. Nil discards.
	Logger *slog.Logger
	// Rand supplies host challenges; nil means crypto/rand.
	Rand io.Reader
}

// Runner runs claimed jobs on cards. It is safe for concurrent use; each
// Run drives one card.
type Runner struct {
	cfg Config
	log *slog.Logger
}

// Result is the outcome of one Run.
type Result struct {
	Job   store.Job   // the job as last stored
	Lease store.Lease // the lease as last renewed
	APDUs int         // command APDUs sent in this run
}

// NewRunner checks cfg and returns a Runner.
func NewRunner(cfg Config) (*Runner, error) {
	switch {
	case cfg.Store == nil || cfg.Keys == nil || cfg.Catalog == nil:
		return nil, errors.New("jobs: Config needs Store, Keys and Catalog")
	case keystore.ValidLabel(cfg.ISDLabel) != nil:
		return nil, errors.New("jobs: Config.ISDLabel is not a valid key store label")
	case cfg.Worker == "":
		return nil, errors.New("jobs: Config.Worker is empty")
	}
	if cfg.LeaseTTL <= 0 {
		cfg.LeaseTTL = 30 * time.Second
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 5
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Runner{cfg: cfg, log: log}, nil
}

// LeaseTTL returns the lease length the runner works with.
func (r *Runner) LeaseTTL() time.Duration { return r.cfg.LeaseTTL }

// Worker returns the runner's worker ID.
func (r *Runner) Worker() string { return r.cfg.Worker }

// Run runs the claimed job cl on the card behind t: it authenticates to the
// ISD, reads the card's inventory snapshot (GET DATA, GET STATUS, key
// information), binds a selector job to the card, then runs every step not
// yet done, recording each outcome (and starting the next step) in one store
// transaction before the next step's first command. The first step not done
// is probed first: if the card already shows its change (the step committed
// before a crash, a tear or a removal), it is recorded as done without being
// repeated; a key set to be generated was reserved before generation, so a
// resumed step reuses it. The snapshot, kept up to date by the steps, is
// stored with the last outcome of the run.
//
// A step the card refuses fails the job (store.JobFailed). If the card goes
// away (or the lease cannot be renewed) the error matches ErrInterrupted and
// the job stays resumable. If another worker claimed the job meanwhile (the
// lease lapsed), the run stops before its next command with an error
// matching store.ErrLeaseLost and changes nothing more, in the store or on
// the card.
func (r *Runner) Run(ctx context.Context, cl store.Claim, t reader.Transport) (Result, error) {
	e := &cardEnv{r: r, lease: cl.Lease, job: cl.Job}
	log := r.log.With("job_id", cl.Job.ID)
	t = guarded{Transport: reader.Trace(t, func(x reader.Exchange) {
		e.apdus++
		if log.Enabled(ctx, slog.LevelDebug) {
			log.Debug("apdu", "exchange", reader.FormatExchange(x))
		}
	}, nil), e: e}
	res, err := e.run(ctx, t, log)
	res.APDUs, res.Lease = e.apdus, e.lease
	switch {
	case err == nil:
	case errors.Is(err, store.ErrLeaseLost):
		log.Warn("job taken over by another worker", "err", err)
	case isInterruption(ctx, err) || errors.Is(err, errRenew):
		return res, fmt.Errorf("%w: %w", ErrInterrupted, err)
	default:
		// The card refused the job before or outside a step (a failed
		// authentication, a wrong card): fail the job rather than claim it
		// again and again.
		log.Warn("job failed", "err", err)
		if ferr := e.failFirst(ctx, err, log); ferr == nil {
			res.Job = e.job
		}
	}
	return res, err
}

// isInterruption tells a card that went away (or a cancelled run) from a
// card that refused a command.
func isInterruption(ctx context.Context, err error) bool {
	return errors.Is(err, reader.ErrCardRemoved) || errors.Is(err, reader.ErrNoCard) ||
		errors.Is(err, reader.ErrTimeout) || errors.Is(err, reader.ErrUnresponsiveCard) ||
		errors.Is(err, reader.ErrCardReset) || ctx.Err() != nil
}
