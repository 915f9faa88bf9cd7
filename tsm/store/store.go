package store

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"
)

// Store is the TSM's persisted model. Implementations are safe for concurrent
// use; Close is idempotent.
type Store interface {
	Inventory
	Catalog
	Jobs
	Audit
	Tokens
	// Close releases the database connections.
	Close() error
}

// Options are the settings Open hands to a backend. The zero value is not
// useful: build it with the Option functions, which Open applies over the
// defaults (system clock, crypto/rand, all migrations).
type Options struct {
	// Now is the clock for timestamps and lease expiry.
	Now func() time.Time
	// Rand is the source for record IDs and lease tokens.
	Rand io.Reader
	// SchemaUpTo, if not empty, stops migration after the migration with this
	// ID; the store then has only the features of that schema.
	SchemaUpTo string
}

// Option changes one setting of Open.
type Option func(*Options)

// WithClock makes the store read time from now (tests inject a fake clock;
// multi-instance deployments rely on synchronised host clocks for leases).
func WithClock(now func() time.Time) Option { return func(o *Options) { o.Now = now } }

// WithRand makes the store draw record IDs and lease tokens from r.
func WithRand(r io.Reader) Option { return func(o *Options) { o.Rand = r } }

// WithSchemaUpTo stops migration after the migration with ID id instead of
// applying all of them. Operators use it to stage an upgrade; tests use it to
// build a database at an older schema and then upgrade it.
func WithSchemaUpTo(id string) Option { return func(o *Options) { o.SchemaUpTo = id } }

// OpenFunc opens a backend for a DSN that carries one of its schemes.
type OpenFunc func(ctx context.Context, dsn string, o Options) (Store, error)

var (
	backendsMu sync.RWMutex
	backends   = map[string]OpenFunc{}
)

// Register makes a backend available to Open for DSNs of the form
// "scheme://…". It is meant to be called from a backend's init and panics
// (programmer error) on an empty scheme, a nil open or a scheme registered twice.
func Register(scheme string, open OpenFunc) {
	backendsMu.Lock()
	defer backendsMu.Unlock()
	if scheme == "" || open == nil {
		panic("store: Register with empty scheme or nil open")
	}
	if _, dup := backends[scheme]; dup {
		panic("store: Register called twice for scheme " + scheme)
	}
	backends[scheme] = open
}

// Open opens the store named by dsn and migrates its schema. A DSN with a
// scheme ("sqlite://path", "postgres://…", "postgresql://…") selects the
// backend registered for that scheme; a DSN without one is a SQLite file path.
// Backends register when their package is imported (cmd/tsm imports both).
// Errors never repeat the DSN, which may carry a password.
func Open(ctx context.Context, dsn string, opts ...Option) (Store, error) {
	o := Options{Now: time.Now, Rand: rand.Reader}
	for _, opt := range opts {
		opt(&o)
	}
	scheme := "sqlite"
	if i := strings.Index(dsn, "://"); i > 0 {
		scheme = dsn[:i]
	}
	backendsMu.RLock()
	open, ok := backends[scheme]
	backendsMu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("store: no backend registered for scheme %q (registered: %s)", scheme, registered())
	}
	return open(ctx, dsn, o)
}

// registered lists the registered schemes for error messages.
func registered() string {
	backendsMu.RLock()
	defer backendsMu.RUnlock()
	names := make([]string, 0, len(backends))
	for k := range backends {
		names = append(names, k)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}
