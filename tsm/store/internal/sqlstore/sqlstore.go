// Package sqlstore implements store.Store once, over database/sql, for every
// SQL backend. A backend (tsm/store/sqlite, tsm/store/postgres) opens the
// *sql.DB with its driver and settings and hands in a Dialect describing the
// few differences: the byte-string column type, row locking clauses, a
// migration lock and the mapping of constraint errors.
//
// All statements use $N placeholders, which PostgreSQL and SQLite both accept.
package sqlstore

import (
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/cardhost/cardhost/tsm/store"
)

// Dialect describes what differs between SQL backends.
type Dialect struct {
	// Name is the backend name used in errors ("sqlite", "postgres").
	Name string
	// Blob is the column type for byte strings ("BLOB", "BYTEA").
	Blob string
	// LockRows is appended to a SELECT whose rows the transaction will
	// update ("" where writers are serialised anyway).
	LockRows string
	// SkipLocked is appended to a queue SELECT so concurrent claimers skip
	// rows another transaction holds ("" where writers are serialised).
	SkipLocked string
	// MigrationLock is run first in each migration transaction to keep
	// concurrent migrators apart, or "".
	MigrationLock string
	// Constraint maps a driver error to store.ErrConflict (unique or primary
	// key violation) or store.ErrInvalid (foreign key, check, not null), and
	// returns nil for any other error.
	Constraint func(err error) error
	// GroupCommit is for a database with a single writer (SQLite): the
	// store's write transactions queue in the process, and whichever caller
	// finds no commit under way runs every queued one in a single database
	// transaction, each inside its own savepoint, and commits (and syncs)
	// once for all (see groupCommit). Writers never poll the database lock
	// with growing sleeps (SQLite's busy handler) against each other;
	// writers in other processes still meet the database's own lock.
	GroupCommit bool
	// CacheStatements keeps every statement prepared once per connection
	// and reuses it, for a driver that would otherwise parse each
	// statement at every call (modernc SQLite). pgx caches on its own.
	CacheStatements bool
}

// Store implements store.Store on a *sql.DB.
type Store struct {
	db        *sql.DB
	d         Dialect
	now       func() time.Time
	rand      io.Reader
	group     group    // queued write transactions, when d.GroupCommit
	stmts     sync.Map // query text → *sql.Stmt, when d.CacheStatements
	closeOnce sync.Once
	closeErr  error
}

var _ store.Store = (*Store)(nil)

// Open migrates db (up to o.SchemaUpTo, or fully) and returns a Store that
// owns db and closes it on Close. On error db is closed.
func Open(ctx context.Context, db *sql.DB, d Dialect, o store.Options) (*Store, error) {
	s := &Store{db: db, d: d, now: o.Now, rand: o.Rand}
	if err := migrate(ctx, db, d, o.SchemaUpTo, s.stamp()); err != nil {
		db.Close()
		return nil, fmt.Errorf("%s: %w", d.Name, err)
	}
	return s, nil
}

// DB returns the underlying database, for maintenance tools and tests that
// must reach below the API (e.g. to tamper with the audit log). Writes through
// it bypass every invariant the Store keeps.
func (s *Store) DB() *sql.DB { return s.db }

// Close closes the database. It is idempotent.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.stmts.Range(func(_, v any) bool {
			v.(*sql.Stmt).Close()
			return true
		})
		s.closeErr = s.db.Close()
	})
	return s.closeErr
}

// stamp returns the current time in microseconds, the precision every
// timestamp column holds.
func (s *Store) stamp() int64 { return s.now().UnixMicro() }

// inTx runs fn once in a transaction and commits it if fn succeeds. With
// Dialect.GroupCommit it shares its database transaction with other
// callers' fns, isolated by a savepoint: its changes are kept if and only if
// it returns nil and the shared commit succeeds.
func (s *Store) inTx(ctx context.Context, fn func(tx txn) error) error {
	if s.d.GroupCommit {
		return s.wrap(s.groupCommit(ctx, fn))
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return s.wrap(err)
	}
	if err := fn(txn{tx, s}); err != nil {
		tx.Rollback()
		return s.wrap(err)
	}
	return s.wrap(tx.Commit())
}

// txn is a transaction whose statements go through the store's statement
// cache (Dialect.CacheStatements).
type txn struct {
	*sql.Tx
	s *Store
}

// stmt returns the statement for query prepared in t, or nil to run the
// query unprepared.
func (t txn) stmt(ctx context.Context, query string) *sql.Stmt {
	if !t.s.d.CacheStatements {
		return nil
	}
	v, ok := t.s.stmts.Load(query)
	if !ok {
		st, err := t.s.db.PrepareContext(ctx, query)
		if err != nil {
			return nil // run it unprepared: the error, if any, shows there
		}
		if v, ok = t.s.stmts.LoadOrStore(query, st); ok {
			st.Close()
		}
	}
	return t.Tx.StmtContext(ctx, v.(*sql.Stmt))
}

// ExecContext runs a statement in t.
func (t txn) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := t.stmt(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return t.Tx.ExecContext(ctx, query, args...)
}

// QueryContext runs a query in t.
func (t txn) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := t.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return t.Tx.QueryContext(ctx, query, args...)
}

// QueryRowContext runs a query returning one row in t.
func (t txn) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := t.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return t.Tx.QueryRowContext(ctx, query, args...)
}

// wrap maps constraint violations to store sentinels and leaves store errors
// and other errors as they are.
func (s *Store) wrap(err error) error {
	if err == nil {
		return nil
	}
	if c := s.d.Constraint(err); c != nil {
		return fmt.Errorf("%w (%s: %v)", c, s.d.Name, err)
	}
	return err
}

// newID returns a random 128-bit ID in lower-case hex.
func (s *Store) newID() (string, error) {
	b := make([]byte, 16)
	if _, err := io.ReadFull(s.rand, b); err != nil {
		return "", fmt.Errorf("store: reading random ID: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// hx encodes an identifier or hash as upper-case hex for a TEXT column.
func hx(b []byte) string { return strings.ToUpper(hex.EncodeToString(b)) }

// unhx decodes a TEXT column written by hx; "" gives nil.
func unhx(s string) ([]byte, error) {
	if s == "" {
		return nil, nil
	}
	b, err := hex.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("store: corrupt hex column: %w", err)
	}
	return b, nil
}

// unhxAll decodes several hex columns into their destinations.
func unhxAll(pairs ...any) error {
	for i := 0; i < len(pairs); i += 2 {
		b, err := unhx(pairs[i].(string))
		if err != nil {
			return err
		}
		*pairs[i+1].(*[]byte) = b
	}
	return nil
}

// micros converts a stored timestamp; NULL gives the zero time.
func micros(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return time.UnixMicro(v.Int64).UTC()
}

// notFound turns sql.ErrNoRows into store.ErrNotFound with context.
func notFound(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%w: %s", store.ErrNotFound, what)
	}
	return err
}

// limit applies the default and cap of list filters.
func limit(n int) int {
	switch {
	case n <= 0:
		return 100
	case n > 1000:
		return 1000
	}
	return n
}

// querier is what *sql.DB and *sql.Tx share for reads.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// scanner is what *sql.Row and *sql.Rows share.
type scanner interface {
	Scan(dest ...any) error
}

// queryAll runs a query and converts every row with scan.
func queryAll[T any](ctx context.Context, q querier, scan func(scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// readTx runs fn in a read-only transaction, for reads that span several
// queries and must see one snapshot.
func (s *Store) readTx(ctx context.Context, fn func(tx txn) error) error {
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(txn{tx, s}); err != nil {
		return err
	}
	return tx.Commit()
}
