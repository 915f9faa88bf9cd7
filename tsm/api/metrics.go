package api

import (
	"context"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/cardhost/cardhost/reader"
	"github.com/cardhost/cardhost/tsm"
	"github.com/cardhost/cardhost/tsm/jobs"
	"github.com/cardhost/cardhost/tsm/store"
)

// Metrics are the TSM's Prometheus metrics, in a registry of their own:
//
//	cardhost_jobs{state}                    gauge: jobs in the store by state, read at scrape time
//	cardhost_apdus_total                    counter: command APDUs sent by instrumented executors
//	cardhost_card_errors_total{sw}          counter: responses with a status word other than 9000, 61xx, 6310
//	cardhost_step_duration_seconds{step}    histogram: duration of job steps run by instrumented executors
//	cardhost_api_requests_total{route,code} counter: API requests by route pattern and HTTP status
//
// plus the Go runtime and process collectors. APDUs, status words and step
// durations come from executors wrapped with Instrument (RunJobs does it).
// Metrics is safe for concurrent use.
type Metrics struct {
	reg        *prometheus.Registry
	handler    http.Handler
	apdus      prometheus.Counter
	cardErrors *prometheus.CounterVec
	steps      *prometheus.HistogramVec
	requests   *prometheus.CounterVec

	mu     sync.Mutex
	opened map[string]time.Time // CIN (hex) → when the executor opened the card
}

func newMetrics(svc Service, log *slog.Logger) *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry(), opened: map[string]time.Time{},
		apdus: prometheus.NewCounter(prometheus.CounterOpts{Name: "cardhost_apdus_total",
			Help: "Command APDUs sent to cards by this process's job executors."}),
		cardErrors: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "cardhost_card_errors_total",
			Help: "Card responses whose status word is not 9000, 61xx or 6310, by status word (hex)."}, []string{"sw"}),
		steps: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "cardhost_step_duration_seconds",
			Help:    "Duration of job steps (start to recorded outcome) run by this process, by step kind.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60}}, []string{"step"}),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "cardhost_api_requests_total",
			Help: "API requests by route pattern and HTTP status code."}, []string{"route", "code"}),
	}
	m.reg.MustRegister(m.apdus, m.cardErrors, m.steps, m.requests, &jobsCollector{svc: svc, log: log},
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.handler = promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
	return m
}

// Registry returns the registry the metrics live in, e.g. to add more.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Instrument wraps an executor's card source and run options so that its
// APDUs, status words and step durations are counted: every transport src
// opens is traced, and o.OnResult (still called) observes the steps each job
// run finished. Use it for executors that do not go through RunJobs, e.g.
// Service.RunCampaign in `tsm demo`.
func (m *Metrics) Instrument(src jobs.CardSource, o tsm.RunOptions) (jobs.CardSource, tsm.RunOptions) {
	next := o.OnResult
	o.OnResult = func(r jobs.Result, err error) {
		m.observe(r)
		if next != nil {
			next(r, err)
		}
	}
	return &tracedSource{src: src, m: m}, o
}

// Station instruments the options of a reader station (Service.RunStation)
// like Instrument does for a card source: the transport of every identified
// card is traced (the few APDUs that identify a card are not counted) and
// o.OnResult (still called) observes the steps each job run finished.
func (m *Metrics) Station(o tsm.StationOptions) tsm.StationOptions {
	next, wrap := o.OnResult, o.Wrap
	o.OnResult = func(r jobs.Result, err error) {
		m.observe(r)
		if next != nil {
			next(r, err)
		}
	}
	o.Wrap = func(cin []byte, t reader.Transport) reader.Transport {
		if wrap != nil {
			t = wrap(cin, t)
		}
		return m.opening(cin, t)
	}
	return o
}

// observe records the duration of every step that finished since the card
// was opened for this run (steps of earlier runs were observed then, or by
// another process).
func (m *Metrics) observe(r jobs.Result) {
	key := hex.EncodeToString(r.Job.CardCIN)
	m.mu.Lock()
	since, ok := m.opened[key]
	delete(m.opened, key)
	m.mu.Unlock()
	if !ok {
		return
	}
	for _, s := range r.Job.Steps {
		if s.StartedAt.IsZero() || s.FinishedAt.IsZero() || s.StartedAt.Before(since) {
			continue
		}
		m.steps.WithLabelValues(s.Kind).Observe(s.FinishedAt.Sub(s.StartedAt).Seconds())
	}
}

// exchange counts one APDU and, unless it succeeded, its status word.
func (m *Metrics) exchange(x reader.Exchange) {
	m.apdus.Inc()
	if x.Err != nil || len(x.Response) < 2 {
		return
	}
	sw1, sw2 := x.Response[len(x.Response)-2], x.Response[len(x.Response)-1]
	if (sw1 == 0x90 && sw2 == 0x00) || sw1 == 0x61 || (sw1 == 0x63 && sw2 == 0x10) {
		return
	}
	m.cardErrors.WithLabelValues(fmt.Sprintf("%02X%02X", sw1, sw2)).Inc()
}

// tracedSource opens traced transports and notes when each card was opened.
type tracedSource struct {
	src jobs.CardSource
	m   *Metrics
}

func (s *tracedSource) Open(ctx context.Context, cin []byte) (reader.Transport, error) {
	t, err := s.src.Open(ctx, cin)
	if err != nil {
		return nil, err
	}
	return s.m.opening(cin, t), nil
}

// opening notes when the card cin was opened for a job run and returns its
// transport traced for the APDU and status-word counters.
func (m *Metrics) opening(cin []byte, t reader.Transport) reader.Transport {
	// Store timestamps have microsecond precision; truncating keeps a step
	// started in the same microsecond.
	m.mu.Lock()
	m.opened[hex.EncodeToString(cin)] = time.Now().Truncate(time.Microsecond)
	m.mu.Unlock()
	return reader.Trace(t, m.exchange, nil)
}

// jobCounter is the counting method the service may offer (tsm.Service
// does); without it the collector lists jobs per state, which the store
// caps at 1000.
type jobCounter interface {
	JobCounts(ctx context.Context) (map[store.JobState]int, error)
}

// jobsCollector reads the job counts from the store at scrape time.
type jobsCollector struct {
	svc Service
	log *slog.Logger
}

var jobsDesc = prometheus.NewDesc("cardhost_jobs", "Jobs in the store by state.", []string{"state"}, nil)

func (c *jobsCollector) Describe(ch chan<- *prometheus.Desc) { ch <- jobsDesc }

func (c *jobsCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	counts, err := c.counts(ctx)
	if err != nil {
		c.log.Warn("metrics: counting jobs", "err", err)
		ch <- prometheus.NewInvalidMetric(jobsDesc, err)
		return
	}
	for _, st := range jobStates {
		ch <- prometheus.MustNewConstMetric(jobsDesc, prometheus.GaugeValue, float64(counts[st]), string(st))
	}
}

func (c *jobsCollector) counts(ctx context.Context) (map[store.JobState]int, error) {
	if jc, ok := c.svc.(jobCounter); ok {
		return jc.JobCounts(ctx)
	}
	out := map[store.JobState]int{}
	for _, st := range jobStates {
		js, err := c.svc.Jobs(ctx, store.JobFilter{State: st, Limit: maxLimit})
		if err != nil {
			return nil, fmt.Errorf("listing %s jobs: %w", st, err)
		}
		out[st] = len(js)
	}
	return out, nil
}
