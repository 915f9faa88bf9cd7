package api

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/cardhost/cardhost/tsm/store"
)

// Role is what a token may do.
type Role string

// Roles. Admin may call everything; operator manages packages and
// campaigns and reads the rest except the audit log and tokens; auditor
// reads everything but tokens, including the audit log, and changes nothing.
const (
	RoleAdmin    Role = "admin"
	RoleOperator Role = "operator"
	RoleAuditor  Role = "auditor"
)

// ParseRole returns the role named s, or an error listing the roles.
func ParseRole(s string) (Role, error) {
	switch r := Role(s); r {
	case RoleAdmin, RoleOperator, RoleAuditor:
		return r, nil
	}
	return "", fmt.Errorf("unknown role %q: want admin, operator or auditor", s)
}

// tokenPrefix marks cardhost TSM tokens, so secret scanners can find them.
const tokenPrefix = "chtsm_"

// NewToken draws a bearer token from r (nil: crypto/rand): the prefix
// "chtsm_" and 32 random bytes in unpadded base64url. It returns the token,
// to show once, and its hash, to store.
func NewToken(r io.Reader) (token string, hash [32]byte, err error) {
	if r == nil {
		r = rand.Reader
	}
	b := make([]byte, 32)
	if _, err := io.ReadFull(r, b); err != nil {
		return "", hash, fmt.Errorf("api: drawing a token: %w", err)
	}
	token = tokenPrefix + base64.RawURLEncoding.EncodeToString(b)
	clear(b)
	return token, HashToken(token), nil
}

// HashToken returns the SHA-256 of a token, the only form the store keeps.
func HashToken(token string) [32]byte { return sha256.Sum256([]byte(token)) }

// principal is the caller of a request, known after authorize.
type principal struct {
	name string
	role Role
}

// actor is how the service and the audit log name an API caller.
func (p principal) actor() string { return "api:" + p.name }

type principalKey struct{}

// caller returns the authenticated caller of r.
func caller(r *http.Request) principal {
	p, _ := r.Context().Value(principalKey{}).(principal)
	return p
}

// authorize checks the bearer token of r against the roles of rt and, if it
// may, serves rt.
func (h *Handler) authorize(w http.ResponseWriter, r *http.Request, rt route) error {
	if rt.roles == nil {
		return rt.serve(w, r)
	}
	p, err := h.authenticate(r)
	if err != nil {
		var he *httpError
		if errors.As(err, &he) && he.status == http.StatusUnauthorized {
			w.Header().Set("WWW-Authenticate", `Bearer realm="cardhost-tsm"`)
		}
		return err
	}
	if info := requestInfo(r); info != nil {
		info.actor = p.actor()
	}
	if !slices.Contains(rt.roles, p.role) {
		return errorf(http.StatusForbidden, codeForbidden, "role %s may not call %s %s", p.role, rt.method, rt.path)
	}
	return rt.serve(w, r.WithContext(context.WithValue(r.Context(), principalKey{}, p)))
}

func (h *Handler) authenticate(r *http.Request) (principal, error) {
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(tok) == "" {
		return principal{}, errorf(http.StatusUnauthorized, codeUnauthorized, "missing bearer token")
	}
	t, err := h.st.TokenByHash(r.Context(), HashToken(strings.TrimSpace(tok)))
	switch {
	case errors.Is(err, store.ErrNotFound):
		return principal{}, errorf(http.StatusUnauthorized, codeUnauthorized, "unknown or revoked token")
	case err != nil:
		return principal{}, fmt.Errorf("looking up a token: %w", err)
	case !t.Active():
		return principal{}, errorf(http.StatusUnauthorized, codeUnauthorized, "unknown or revoked token")
	}
	role, err := ParseRole(t.Role)
	if err != nil { // a role this version does not know grants nothing
		return principal{}, errorf(http.StatusForbidden, codeForbidden, "token %s: %v", t.Name, err)
	}
	return principal{name: t.Name, role: role}, nil
}
