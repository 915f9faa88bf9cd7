package api

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/cardhost/cardhost/reader"
	"github.com/cardhost/cardhost/tsm"
	"github.com/cardhost/cardhost/tsm/catalog"
	"github.com/cardhost/cardhost/tsm/jobs"
	"github.com/cardhost/cardhost/tsm/store"
)

// Service is what the API needs of the TSM service layer; *tsm.Service
// implements it.
type Service interface {
	UploadPackage(ctx context.Context, actor string, capFile []byte, o catalog.UploadOptions) (store.Package, error)
	Packages(ctx context.Context) ([]store.Package, error)
	Card(ctx context.Context, cin []byte) (store.Card, error)
	Cards(ctx context.Context, f store.CardFilter) ([]store.Card, error)
	Job(ctx context.Context, id string) (store.Job, error)
	Jobs(ctx context.Context, f store.JobFilter) ([]store.Job, error)
	CreateCampaign(ctx context.Context, actor string, req tsm.CampaignRequest) (store.Campaign, error)
	Campaign(ctx context.Context, id string) (store.Campaign, error)
	RunCampaign(ctx context.Context, id string, src jobs.CardSource, o tsm.RunOptions) error
	VerifyAudit(ctx context.Context) (store.AuditSummary, error)
}

var _ Service = (*tsm.Service)(nil)

// Store is what the API reads from the store directly (the service has no
// methods for tokens and audit entries); store.Store implements it.
type Store interface {
	TokenByHash(ctx context.Context, hash [32]byte) (store.Token, error)
	ListTokens(ctx context.Context) ([]store.Token, error)
	AuditLog(ctx context.Context, f store.AuditFilter) ([]store.AuditEntry, error)
}

// Option configures New.
type Option func(*options)

type options struct {
	log       *slog.Logger
	maxUpload int64
	rand      io.Reader
}

// WithLogger sets the logger for access logs and errors (default: discard).
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.log = l } }

// WithMaxUpload sets the largest CAP file POST /v1/packages accepts, in
// bytes (default 8 MiB); larger uploads are 413.
func WithMaxUpload(n int64) Option { return func(o *options) { o.maxUpload = n } }

// WithRand sets the source of request IDs (default crypto/rand).
func WithRand(r io.Reader) Option { return func(o *options) { o.rand = r } }

// maxJSON bounds JSON request bodies.
const maxJSON = 1 << 20

// Handler is the API's http.Handler. It is safe for concurrent use.
type Handler struct {
	svc     Service
	st      Store
	log     *slog.Logger
	opt     options
	metrics *Metrics
	mux     *http.ServeMux
	routes  []route
}

// New returns the API over svc and st. It does no I/O; the store is first
// used by a request or a metrics scrape.
func New(svc Service, st Store, opts ...Option) *Handler {
	o := options{maxUpload: 8 << 20}
	for _, f := range opts {
		f(&o)
	}
	if o.log == nil {
		o.log = slog.New(slog.DiscardHandler)
	}
	h := &Handler{svc: svc, st: st, log: o.log, opt: o, metrics: newMetrics(svc, o.log)}
	h.routes = h.routeTable()
	h.mux = h.newMux()
	return h
}

// Metrics returns the handler's metrics, to instrument job executors.
func (h *Handler) Metrics() *Metrics { return h.metrics }

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

// RunJobs runs every runnable job of the store on the cards of src, with
// o.Workers workers, until ctx ends, feeding the metrics (APDUs, status
// words, step durations). It is the executor behind campaigns created with
// POST /v1/campaigns when the cards are in process (tsm/fleet); o.Finished
// defaults to "never", so idle workers poll for new jobs every o.Poll.
// A job whose card src cannot open is given back after a second, to be
// claimed again (by this or another executor). It returns nil when ctx
// ends.
func (h *Handler) RunJobs(ctx context.Context, src jobs.CardSource, o tsm.RunOptions) error {
	if o.Finished == nil {
		o.Finished = func(context.Context) (bool, error) { return false, nil }
	}
	src, o = h.metrics.Instrument(&patientSource{src: src, delay: time.Second}, o)
	// The campaign ID only feeds the default Finished, replaced above; the
	// pool claims any runnable job.
	err := h.svc.RunCampaign(ctx, "", src, o)
	if ctx.Err() != nil {
		return nil
	}
	return err
}

// patientSource waits delay (or until ctx ends) before reporting a card it
// cannot open. The job pool releases such a job and claims it again at
// once; without the wait a campaign naming a card this executor does not
// have would spin on the store.
type patientSource struct {
	src   jobs.CardSource
	delay time.Duration
}

func (s *patientSource) Open(ctx context.Context, cin []byte) (reader.Transport, error) {
	t, err := s.src.Open(ctx, cin)
	if err != nil {
		timer := time.NewTimer(s.delay)
		defer timer.Stop()
		select {
		case <-ctx.Done():
		case <-timer.C:
		}
	}
	return t, err
}
