package storetest

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/cardhost/cardhost/tsm/store"
)

// Fresh returns the DSN of a new, empty database that lives until t ends.
type Fresh func(t *testing.T) string

// Run runs the whole suite against databases made by fresh.
func Run(t *testing.T, fresh Fresh) {
	t.Run("Migrations", func(t *testing.T) { testMigrations(t, fresh) })
	t.Run("Inventory", func(t *testing.T) { testInventory(t, fresh) })
	t.Run("Catalog", func(t *testing.T) { testCatalog(t, fresh) })
	t.Run("Jobs", func(t *testing.T) { testJobs(t, fresh) })
	t.Run("Leases", func(t *testing.T) { testLeases(t, fresh) })
	t.Run("Claims", func(t *testing.T) { testClaims(t, fresh) })
	t.Run("KeySlots", func(t *testing.T) { testKeySlots(t, fresh) })
	t.Run("Campaigns", func(t *testing.T) { testCampaigns(t, fresh) })
	t.Run("JobCounts", func(t *testing.T) { testJobCounts(t, fresh) })
	t.Run("Concurrency", func(t *testing.T) { testConcurrency(t, fresh) })
	t.Run("Audit", func(t *testing.T) { testAudit(t, fresh) })
	t.Run("Tokens", func(t *testing.T) { testTokens(t, fresh) })
	t.Run("NoKeyMaterial", func(t *testing.T) { testNoKeyMaterial(t, fresh) })
}

// t0 is the fake clock's start.
var t0 = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

// clock is a fake clock tests advance by hand.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

// Now returns the fake time.
func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the fake time forward.
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// env is one open store with its clock and DSN.
type env struct {
	s   store.Store
	clk *clock
	dsn string
}

// open opens a store on a fresh database with a fake clock.
func open(t *testing.T, fresh Fresh, opts ...store.Option) env {
	t.Helper()
	e := env{clk: &clock{now: t0}, dsn: fresh(t)}
	e.s = reopen(t, e, opts...)
	return e
}

// reopen opens another store on e's database with e's clock.
func reopen(t *testing.T, e env, opts ...store.Option) store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), e.dsn, append([]store.Option{store.WithClock(e.clk.Now)}, opts...)...)
	if err != nil {
		t.Fatalf("store.Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// rawDB returns the database below s.
func rawDB(t *testing.T, s store.Store) *sql.DB {
	t.Helper()
	r, ok := s.(interface{ DB() *sql.DB })
	if !ok {
		t.Fatalf("%T has no DB() *sql.DB method", s)
	}
	return r.DB()
}

// exec runs a statement below the API and fails t on error.
func exec(t *testing.T, s store.Store, query string, args ...any) {
	t.Helper()
	if _, err := rawDB(t, s).Exec(query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

// wantErr fails t unless err matches want (nil: no error).
func wantErr(t *testing.T, what string, err, want error) {
	t.Helper()
	switch {
	case want == nil && err != nil:
		t.Fatalf("%s: unexpected error %v", what, err)
	case want != nil && !errors.Is(err, want):
		t.Fatalf("%s: error %v, want %v", what, err, want)
	}
}

// result is a call's value and error, checked by ok.
type result[T any] struct {
	v   T
	err error
}

// must captures a call's results: must(s.Card(ctx, cin)).ok(t).
func must[T any](v T, err error) result[T] { return result[T]{v, err} }

// ok fails t if the call failed and returns its value.
func (r result[T]) ok(t *testing.T) T {
	t.Helper()
	if r.err != nil {
		t.Fatal(r.err)
	}
	return r.v
}

// ctx is the context of every call; cancellation is not under test.
var ctx = context.Background()
