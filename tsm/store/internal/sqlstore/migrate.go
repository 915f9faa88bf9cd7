package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// migrate applies the migrations not yet recorded in schema_migrations, in
// order, each in its own transaction, stopping after upTo if it is not empty.
// A database that records a migration this binary does not know was written
// by a newer release and is refused.
func migrate(ctx context.Context, db *sql.DB, d Dialect, upTo string, now int64) error {
	if upTo != "" && !known(upTo) {
		return fmt.Errorf("unknown migration %q", upTo)
	}
	if err := createLedger(ctx, db, d); err != nil {
		return fmt.Errorf("creating schema_migrations: %w", err)
	}
	applied, err := appliedIDs(ctx, db)
	if err != nil {
		return err
	}
	for id := range applied {
		if !known(id) {
			return fmt.Errorf("database has migration %q unknown to this binary (newer release?)", id)
		}
	}
	gap := ""
	for _, m := range migrations {
		switch {
		case !applied[m.ID] && gap == "":
			gap = m.ID
		case applied[m.ID] && gap != "":
			return fmt.Errorf("database has migration %s but not the earlier %s", m.ID, gap)
		}
	}
	for _, m := range migrations {
		if !applied[m.ID] {
			if err := apply(ctx, db, d, m, now); err != nil {
				return fmt.Errorf("migration %s: %w", m.ID, err)
			}
		}
		if m.ID == upTo {
			break
		}
	}
	return nil
}

// createLedger creates the schema_migrations table if it is missing.
func createLedger(ctx context.Context, db *sql.DB, d Dialect) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if d.MigrationLock != "" {
		if _, err := tx.ExecContext(ctx, d.MigrationLock); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		id TEXT PRIMARY KEY,
		applied_at BIGINT NOT NULL)`); err != nil {
		return err
	}
	return tx.Commit()
}

// apply runs one migration in a transaction unless a concurrent migrator
// applied it first.
func apply(ctx context.Context, db *sql.DB, d Dialect, m migration, now int64) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if d.MigrationLock != "" {
		if _, err := tx.ExecContext(ctx, d.MigrationLock); err != nil {
			return err
		}
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE id = $1`, m.ID).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	for i, stmt := range m.Stmts {
		if _, err := tx.ExecContext(ctx, strings.ReplaceAll(stmt, "{{blob}}", d.Blob)); err != nil {
			return fmt.Errorf("statement %d: %w", i, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (id, applied_at) VALUES ($1, $2)`, m.ID, now); err != nil {
		return err
	}
	return tx.Commit()
}

// appliedIDs reads the set of applied migration IDs.
func appliedIDs(ctx context.Context, db *sql.DB) (map[string]bool, error) {
	rows, err := db.QueryContext(ctx, `SELECT id FROM schema_migrations`)
	if err != nil {
		return nil, fmt.Errorf("reading schema_migrations: %w", err)
	}
	defer rows.Close()
	ids := map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids[id] = true
	}
	return ids, rows.Err()
}

// known reports whether id names a migration in the list.
func known(id string) bool {
	for _, m := range migrations {
		if m.ID == id {
			return true
		}
	}
	return false
}
