package store

import (
	"context"
	"time"
)

// Tokens holds operators' API bearer tokens, hashed: the store sees only the
// SHA-256 of a token, never the token.
type Tokens interface {
	// CreateToken stores a new token. A duplicate name or hash is ErrConflict.
	CreateToken(ctx context.Context, t NewToken) (Token, error)
	// TokenByHash returns the token with this SHA-256 hash, revoked or not
	// (check Token.Active), or ErrNotFound.
	TokenByHash(ctx context.Context, hash [32]byte) (Token, error)
	// RevokeToken marks a token revoked. Revoking twice keeps the first time;
	// an unknown ID is ErrNotFound.
	RevokeToken(ctx context.Context, id string) error
	// ListTokens lists all tokens, ordered by name.
	ListTokens(ctx context.Context) ([]Token, error)
}

// NewToken is what CreateToken needs.
type NewToken struct {
	Name string   // unique, operator-facing
	Role string   // e.g. "admin", "operator", "auditor"
	Hash [32]byte // SHA-256 of the random bearer token
}

// Token is a stored API token.
type Token struct {
	ID        string
	Name      string
	Role      string
	Hash      [32]byte
	CreatedAt time.Time
	RevokedAt time.Time // zero while active
}

// Active reports whether the token has not been revoked.
func (t Token) Active() bool { return t.RevokedAt.IsZero() }

// Validate checks that t can be stored.
func (t NewToken) Validate() error {
	if t.Name == "" || t.Role == "" {
		return invalidf("token name and role are required")
	}
	if t.Hash == ([32]byte{}) {
		return invalidf("token %q: hash is required", t.Name)
	}
	return nil
}
