package tsm

import (
	"github.com/cardhost/cardhost/reader"

	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/cardhost/cardhost/tsm/catalog"
	"github.com/cardhost/cardhost/tsm/jobs"
	"github.com/cardhost/cardhost/tsm/keystore"
	"github.com/cardhost/cardhost/tsm/store"
)

// Keys names the key store entries the service works with.
type Keys struct {
	// ISD opens the issuer security domain of the cards (static set or
	// master diversified per card).
	ISD string
	// Catalog is the static AES key set that per-package catalog keys are
	// derived from.
	Catalog string
}

// Service is the TSM. It is safe for concurrent use.
type Service struct {
	st     store.Store
	ks     keystore.Store
	cat    *catalog.Catalog
	runner *jobs.Runner
	log    *slog.Logger
}

// Option configures New.
type Option func(*options)

type options struct {
	log      *slog.Logger
	worker   string
	leaseTTL time.Duration
	rand     io.Reader
	now      func() time.Time
}

// WithLogger sets the logger (default: discard).
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.log = l } }

// WithWorker sets the worker ID used in job leases and audit entries
// (default "tsm").
func WithWorker(id string) Option { return func(o *options) { o.worker = id } }

// WithLeaseTTL sets the job lease length (default 30 s). A job held by a
// process that died is resumed once its lease expires.
func WithLeaseTTL(d time.Duration) Option { return func(o *options) { o.leaseTTL = d } }

// WithClock sets the clock job runs judge their leases by (default
// time.Now). It must agree with the store's clock (store.WithClock).
func WithClock(now func() time.Time) Option { return func(o *options) { o.now = now } }

// WithRand sets the randomness for catalog salts and nonces and for host
// challenges (default crypto/rand).
func WithRand(r io.Reader) Option { return func(o *options) { o.rand = r } }

// New returns a service over st and ks. The caller keeps ownership of both
// and closes them after the service is no longer used.
func New(ctx context.Context, st store.Store, ks keystore.Store, k Keys, opts ...Option) (*Service, error) {
	o := options{worker: "tsm"}
	for _, f := range opts {
		f(&o)
	}
	if o.log == nil {
		o.log = slog.New(slog.DiscardHandler)
	}
	cat, err := catalog.New(ctx, st, ks, k.Catalog, o.rand)
	if err != nil {
		return nil, err
	}
	r, err := jobs.NewRunner(jobs.Config{Store: st, Keys: ks, Catalog: cat, ISDLabel: k.ISD, Worker: o.worker,
		LeaseTTL: o.leaseTTL, Logger: o.log, Rand: o.rand, Now: o.now})
	if err != nil {
		return nil, err
	}
	return &Service{st: st, ks: ks, cat: cat, runner: r, log: o.log}, nil
}

// UploadPackage validates a CAP file and stores it, encrypted, as a new
// catalog version (see package tsm/catalog), then audits the upload
// (operation "package.upload"; details: package AID, version, load file
// hash and its algorithm). If the audit entry cannot be appended the
// package stays stored and the error is returned.
func (s *Service) UploadPackage(ctx context.Context, actor string, capFile []byte, o catalog.UploadOptions) (store.Package, error) {
	p, err := s.cat.Upload(ctx, actor, capFile, o)
	if err != nil {
		return store.Package{}, err
	}
	details, err := json.Marshal(map[string]string{"package_aid": fmt.Sprintf("%X", p.AID), "version": p.Version.String(),
		"load_file_hash": fmt.Sprintf("%X", p.LoadFileHash), "hash_alg": p.HashAlg})
	if err != nil {
		return store.Package{}, err
	}
	if _, err := s.st.AppendAudit(ctx, store.AuditRecord{Actor: actor, Operation: "package.upload", Details: details}); err != nil {
		return store.Package{}, fmt.Errorf("auditing the upload of package %X %s: %w", p.AID, p.Version, err)
	}
	s.log.Info("package uploaded", "package_aid", fmt.Sprintf("%X", p.AID), "version", p.Version.String(), "actor", actor, "bytes", p.Size)
	return p, nil
}

// Packages lists the catalog.
func (s *Service) Packages(ctx context.Context) ([]store.Package, error) { return s.st.Packages(ctx) }

// Card returns the inventory snapshot of one card.
func (s *Service) Card(ctx context.Context, cin []byte) (store.Card, error) {
	return s.st.Card(ctx, cin)
}

// Cards lists inventory snapshots.
func (s *Service) Cards(ctx context.Context, f store.CardFilter) ([]store.Card, error) {
	return s.st.Cards(ctx, f)
}

// Job returns a job with its steps.
func (s *Service) Job(ctx context.Context, id string) (store.Job, error) { return s.st.Job(ctx, id) }

// Jobs lists jobs without their steps.
func (s *Service) Jobs(ctx context.Context, f store.JobFilter) ([]store.Job, error) {
	return s.st.ListJobs(ctx, f)
}

// JobCounts returns how many jobs of the store are in each state (every
// state present, zero included); the API's cardhost_jobs gauge reads it.
func (s *Service) JobCounts(ctx context.Context) (map[store.JobState]int, error) {
	return s.st.JobCounts(ctx)
}

// VerifyAudit verifies the whole audit chain.
func (s *Service) VerifyAudit(ctx context.Context) (store.AuditSummary, error) {
	return s.st.VerifyAudit(ctx)
}

// CampaignRequest asks for a provisioning campaign: one plan applied to many
// cards, at most Concurrency of them at a time.
type CampaignRequest struct {
	Name        string
	Plan        jobs.Provision
	Cards       [][]byte // CINs
	Concurrency int
}

// CreateCampaign stores a campaign and one job per card, all pending, and
// audits the creation. Jobs run when an executor (RunCampaign, a reader
// station) claims them.
func (s *Service) CreateCampaign(ctx context.Context, actor string, req CampaignRequest) (store.Campaign, error) {
	steps, err := req.Plan.Steps()
	if err != nil {
		return store.Campaign{}, err
	}
	if len(req.Cards) == 0 {
		return store.Campaign{}, errors.New("tsm: campaign without cards")
	}
	sel, err := json.Marshal(map[string]any{"cards": len(req.Cards), "plan": req.Plan})
	if err != nil {
		return store.Campaign{}, err
	}
	c, err := s.st.CreateCampaign(ctx, store.NewCampaign{Name: req.Name, Plan: jobs.PlanProvision, Selection: sel, Concurrency: req.Concurrency})
	if err != nil {
		return store.Campaign{}, err
	}
	js := make([]store.NewJob, len(req.Cards))
	for i, cin := range req.Cards {
		js[i] = store.NewJob{CampaignID: c.ID, CardCIN: cin, Plan: jobs.PlanProvision, Steps: steps}
	}
	if _, err := s.st.CreateJobs(ctx, js); err != nil {
		return store.Campaign{}, err
	}
	details, err := json.Marshal(map[string]any{"campaign_id": c.ID, "name": req.Name, "cards": len(req.Cards)})
	if err != nil {
		return store.Campaign{}, err
	}
	if _, err := s.st.AppendAudit(ctx, store.AuditRecord{Actor: actor, Operation: "create-campaign", Details: details}); err != nil {
		return store.Campaign{}, err
	}
	s.log.Info("campaign created", "campaign_id", c.ID, "name", req.Name, "cards", len(req.Cards), "actor", actor)
	return s.st.Campaign(ctx, c.ID)
}

// Campaign returns a campaign with its job counts by state.
func (s *Service) Campaign(ctx context.Context, id string) (store.Campaign, error) {
	return s.st.Campaign(ctx, id)
}

// RunOptions configure RunCampaign.
type RunOptions struct {
	Workers  int                                 // parallel cards (default 4)
	Poll     time.Duration                       // see jobs.Pool.Poll
	OnResult func(jobs.Result, error)            // called after each job run
	Finished func(context.Context) (bool, error) // default: the campaign has no pending or running job
}

// RunCampaign runs the jobs of campaign id on the cards of src until none
// is pending or running, or ctx ends. Jobs left by a process that died are
// resumed once their leases expire.
func (s *Service) RunCampaign(ctx context.Context, id string, src jobs.CardSource, o RunOptions) error {
	if o.Workers <= 0 {
		o.Workers = 4
	}
	finished := o.Finished
	if finished == nil {
		finished = func(ctx context.Context) (bool, error) {
			c, err := s.st.Campaign(ctx, id)
			if err != nil {
				return false, err
			}
			return c.Counts[store.JobPending]+c.Counts[store.JobRunning] == 0, nil
		}
	}
	p := &jobs.Pool{Runner: s.runner, Source: src, Workers: o.Workers, Poll: o.Poll, OnResult: o.OnResult}
	return p.Run(ctx, finished)
}

// RunStation runs the jobs of the cards presented in one PC/SC reader until
// ctx ends (see jobs.Station): each card is identified by its CIN, its job
// claimed and run, and a card pulled out mid-job resumes when it comes
// back. Give each station its own r (PC/SC context).
func (s *Service) RunStation(ctx context.Context, r jobs.Readers, readerName string, o StationOptions) error {
	st := &jobs.Station{Runner: s.runner, Readers: r, Reader: readerName, OnResult: o.OnResult, Wrap: o.Wrap}
	return st.Run(ctx)
}

// StationOptions tunes RunStation.
type StationOptions struct {
	// OnResult, if set, is called after each job run.
	OnResult func(jobs.Result, error)
	// Wrap, if set, wraps each identified card's transport (jobs.Station.Wrap).
	Wrap func(cin []byte, t reader.Transport) reader.Transport
}
