package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/cardhost/cardhost/tsm/store"
)

// CreateToken implements store.Tokens.
func (s *Store) CreateToken(ctx context.Context, t store.NewToken) (store.Token, error) {
	if err := t.Validate(); err != nil {
		return store.Token{}, err
	}
	id, err := s.newID()
	if err != nil {
		return store.Token{}, err
	}
	now := s.stamp()
	if _, err := s.db.ExecContext(ctx, `INSERT INTO api_tokens (id, name, role, hash, created_at)
		VALUES ($1, $2, $3, $4, $5)`, id, t.Name, t.Role, hx(t.Hash[:]), now); err != nil {
		return store.Token{}, fmt.Errorf("creating token %q: %w", t.Name, s.wrap(err))
	}
	return store.Token{ID: id, Name: t.Name, Role: t.Role, Hash: t.Hash,
		CreatedAt: micros(sql.NullInt64{Int64: now, Valid: true})}, nil
}

// tokenColumns are the columns scanToken reads.
const tokenColumns = `id, name, role, hash, created_at, revoked_at`

// scanToken converts one api_tokens row.
func scanToken(r scanner) (store.Token, error) {
	var t store.Token
	var hash string
	var created, revoked sql.NullInt64
	if err := r.Scan(&t.ID, &t.Name, &t.Role, &hash, &created, &revoked); err != nil {
		return t, err
	}
	t.CreatedAt, t.RevokedAt = micros(created), micros(revoked)
	return t, decodeHash(hash, &t.Hash)
}

// TokenByHash implements store.Tokens.
func (s *Store) TokenByHash(ctx context.Context, hash [32]byte) (store.Token, error) {
	t, err := scanToken(s.db.QueryRowContext(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE hash = $1`,
		hx(hash[:])))
	return t, notFound(err, "token")
}

// RevokeToken implements store.Tokens.
func (s *Store) RevokeToken(ctx context.Context, id string) error {
	res, err := s.db.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, $2) WHERE id = $1`,
		id, s.stamp())
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("%w: token %s", store.ErrNotFound, id)
	}
	return nil
}

// ListTokens implements store.Tokens.
func (s *Store) ListTokens(ctx context.Context) ([]store.Token, error) {
	return queryAll(ctx, s.db, scanToken, `SELECT `+tokenColumns+` FROM api_tokens ORDER BY name`)
}
