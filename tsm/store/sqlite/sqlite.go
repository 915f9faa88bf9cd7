package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	msqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/cardhost/cardhost/tsm/store"
	"github.com/cardhost/cardhost/tsm/store/internal/sqlstore"
)

// busyTimeout is how long a connection waits for the writer lock.
const busyTimeout = 30 * time.Second

// maxIdle is how many idle connections the pool keeps.
const maxIdle = 16

// dialect is SQLite's entry in the dialect table: writers are serialised by
// BEGIN IMMEDIATE, so no row locking clauses are needed; within the process
// they are committed in groups (one sync for several workers' step records)
// rather than contending through SQLite's sleeping busy handler, and
// statements are prepared once per connection (the driver parses every
// statement it is not given prepared).
var dialect = sqlstore.Dialect{
	Name:            "sqlite",
	Blob:            "BLOB",
	Constraint:      constraint,
	GroupCommit:     true,
	CacheStatements: true,
}

func init() { store.Register("sqlite", open) }

// Open opens (creating if needed) the SQLite store in the file at path and
// migrates it. path may also be a DSN "sqlite://path". An in-memory database
// is refused: the TSM has no store that forgets.
func Open(ctx context.Context, path string, opts ...store.Option) (store.Store, error) {
	return store.Open(ctx, "sqlite://"+strings.TrimPrefix(path, "sqlite://"), opts...)
}

// open is the OpenFunc registered for the "sqlite" scheme.
func open(ctx context.Context, dsn string, o store.Options) (store.Store, error) {
	path := strings.TrimPrefix(dsn, "sqlite://")
	if path == "" || path == ":memory:" || strings.HasPrefix(path, "file:") || strings.ContainsAny(path, "?#") {
		return nil, errors.New("sqlite: DSN must be a plain file path (no :memory:, file: URI or query)")
	}
	q := url.Values{}
	q.Set("_txlock", "immediate")
	q["_pragma"] = []string{
		fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds()),
		"foreign_keys(1)",
		"journal_mode(WAL)",
		"synchronous(FULL)",
	}
	db, err := sql.Open("sqlite", path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	// Keep connections (and the statements prepared on them) instead of
	// closing all but two after each burst of concurrent use.
	db.SetMaxIdleConns(maxIdle)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: opening %s: %w", path, err)
	}
	s, err := sqlstore.Open(ctx, db, dialect, o)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// constraint maps SQLite constraint violations to store sentinels.
func constraint(err error) error {
	var se *msqlite.Error
	if !errors.As(err, &se) || se.Code()&0xff != sqlite3.SQLITE_CONSTRAINT {
		return nil
	}
	switch se.Code() {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return store.ErrConflict
	}
	return store.ErrInvalid
}
