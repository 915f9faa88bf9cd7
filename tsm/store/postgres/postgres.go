package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/cardhost/cardhost/tsm/store"
	"github.com/cardhost/cardhost/tsm/store/internal/sqlstore"
)

// migrationLockKey identifies the advisory lock migrators take
// (an arbitrary constant: "cardhost" in ASCII).
const migrationLockKey = 0x63617264686f7374

// dialect is PostgreSQL's entry in the dialect table.
var dialect = sqlstore.Dialect{
	Name:          "postgres",
	Blob:          "BYTEA",
	LockRows:      " FOR UPDATE",
	SkipLocked:    " FOR UPDATE SKIP LOCKED",
	MigrationLock: fmt.Sprintf("SELECT pg_advisory_xact_lock(%d)", migrationLockKey),
	Constraint:    constraint,
}

func init() {
	store.Register("postgres", open)
	store.Register("postgresql", open)
}

// Open opens the PostgreSQL store at dsn ("postgres://…") and migrates it.
func Open(ctx context.Context, dsn string, opts ...store.Option) (store.Store, error) {
	return store.Open(ctx, dsn, opts...)
}

// open is the OpenFunc registered for the postgres schemes. Errors do not
// repeat the DSN, which may hold a password.
func open(ctx context.Context, dsn string, o store.Options) (store.Store, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, errors.New("postgres: malformed DSN")
	}
	db := stdlib.OpenDB(*cfg)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("postgres: connecting to %s:%d/%s: %w", cfg.Host, cfg.Port, cfg.Database, err)
	}
	return sqlstore.Open(ctx, db, dialect, o)
}

// constraint maps PostgreSQL integrity violations (SQLSTATE class 23) to
// store sentinels.
func constraint(err error) error {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return nil
	}
	switch pe.Code {
	case "23505": // unique_violation (also primary keys)
		return store.ErrConflict
	case "23503", "23514", "23502": // foreign_key, check, not_null violations
		return store.ErrInvalid
	}
	return nil
}
