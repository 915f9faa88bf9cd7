package api_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/cardhost/cardhost/tsm/api"
)

// TestAuth_RoleMatrix calls every endpoint with every role and checks that
// exactly the roles the route allows get past authorisation (anything but
// 403), and that the others get a JSON 403.
func TestAuth_RoleMatrix(t *testing.T) {
	e := newEnv(t, 1)
	for _, rt := range e.h.Routes() {
		if len(rt.Roles) == 0 {
			continue
		}
		path := strings.NewReplacer("{cin}", "CA7D0000000000FF", "{id}", "nope").Replace(rt.Path)
		for _, role := range []api.Role{api.RoleAdmin, api.RoleOperator, api.RoleAuditor} {
			status, _, body := e.do(rt.Method, path, e.tokens[role], "application/json", []byte("{}"))
			allowed := slices.Contains(rt.Roles, role)
			switch {
			case allowed && status == http.StatusForbidden:
				t.Errorf("%s %s as %s: 403, want allowed: %s", rt.Method, path, role, body)
			case !allowed:
				wantError(t, rt.Method+" "+path+" as "+string(role), status, body, http.StatusForbidden, "forbidden")
			}
		}
	}
}

// TestAuth_MissingUnknownOrRevokedToken_401 checks 401 with a
// WWW-Authenticate challenge for no token, a malformed header, an unknown
// token and a revoked one, and that a token of a role this version does not
// know is 403.
func TestAuth_MissingUnknownOrRevokedToken_401(t *testing.T) {
	e := newEnv(t, 1)
	revoked := e.addToken("gone", "operator")
	toks, err := e.demo.Store.ListTokens(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, tk := range toks {
		if tk.Name == "gone" {
			if err := e.demo.Store.RevokeToken(context.Background(), tk.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	unknown, _, _ := api.NewToken(nil)
	for name, header := range map[string]string{"none": "", "basic": "Basic dXNlcjpwYXNz", "empty bearer": "Bearer ",
		"unknown": "Bearer " + unknown, "revoked": "Bearer " + revoked} {
		req, _ := http.NewRequest("GET", e.srv.URL+"/v1/cards", nil)
		if header != "" {
			req.Header.Set("Authorization", header)
		}
		resp, err := e.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized || !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("%s: %d, WWW-Authenticate %q", name, resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
		}
	}
	odd := e.addToken("odd", "superuser")
	status, _, body := e.do("GET", "/v1/cards", odd, "", nil)
	wantError(t, "unknown role", status, body, http.StatusForbidden, "forbidden")
	// The public endpoints need no token.
	for _, p := range []string{"/healthz", "/openapi.json", "/metrics"} {
		if status, _, body := e.do("GET", p, "", "", nil); status != http.StatusOK {
			t.Errorf("GET %s: %d %s", p, status, body)
		}
	}
}

// TestNewToken_PrefixedRandomAndHashed checks the token format and that
// the hash is SHA-256 of the token.
func TestNewToken_PrefixedRandomAndHashed(t *testing.T) {
	a, ha, err := api.NewToken(nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _, _ := api.NewToken(nil)
	if !strings.HasPrefix(a, "chtsm_") || len(a) != len("chtsm_")+43 || a == b || ha != api.HashToken(a) {
		t.Errorf("tokens %q %q", a, b)
	}
	if _, err := api.ParseRole("root"); err == nil {
		t.Error("ParseRole accepted root")
	}
}
