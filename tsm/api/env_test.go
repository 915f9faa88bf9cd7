package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cardhost/cardhost/gpcard/secret"
	"github.com/cardhost/cardhost/tsm"
	"github.com/cardhost/cardhost/tsm/api"
	"github.com/cardhost/cardhost/tsm/demo"
	_ "github.com/cardhost/cardhost/tsm/keystore/sealed"
	"github.com/cardhost/cardhost/tsm/store"
	_ "github.com/cardhost/cardhost/tsm/store/sqlite"
)

// Test master keys (hex); the key scan looks for them and for every key
// diversified from them.
const (
	hexISD        = "1F2E3D4C5B6A79880112233445566778"
	hexSSDInitial = "2A3B4C5D6E7F80910A1B2C3D4E5F6071"
	hexSSD        = "39485766758493A2B1C0D9E8F7061524"
	hexPurse      = "4C5D6E7F8091A2B3C4D5E6F708192A3B"
)

func testKey(t testing.TB, h string) secret.Key {
	t.Helper()
	k, err := secret.FromHex(h)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// syncBuffer collects log output from concurrent goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// env is a demo TSM (SQLite, sealed key store, simulated cards) behind the
// API on a loopback httptest server, with one token per role.
type env struct {
	t      *testing.T
	demo   *demo.Env
	h      *api.Handler
	srv    *httptest.Server
	logs   *syncBuffer
	tokens map[api.Role]string
	dir    string

	mu     sync.Mutex
	bodies bytes.Buffer // every response body the tests read
}

func newEnv(t *testing.T, cards int, opts ...api.Option) *env {
	t.Helper()
	return newEnvProfile(t, "", cards, opts...)
}

// newEnvProfile is newEnv with cards of a sim profile ("": the demo's
// default, SCP03 with the purse personalised).
func newEnvProfile(t *testing.T, profile string, cards int, opts ...api.Option) *env {
	t.Helper()
	e := &env{t: t, logs: &syncBuffer{}, tokens: map[api.Role]string{}, dir: t.TempDir()}
	log := slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	d, err := demo.Open(context.Background(), demo.Config{Dir: e.dir, Profile: profile, Cards: cards, Logger: log, Worker: "api-test",
		LeaseTTL: 30 * time.Second, Masters: demo.Masters{ISD: testKey(t, hexISD), SSDInitial: testKey(t, hexSSDInitial),
			SSD: testKey(t, hexSSD), Purse: testKey(t, hexPurse)}})
	if err != nil {
		t.Fatal(err)
	}
	e.demo = d
	e.h = api.New(d.Service, d.Store, append([]api.Option{api.WithLogger(log)}, opts...)...)
	e.srv = httptest.NewServer(e.h)
	t.Cleanup(func() {
		e.srv.Close()
		d.Close()
	})
	for _, r := range []api.Role{api.RoleAdmin, api.RoleOperator, api.RoleAuditor} {
		e.tokens[r] = e.addToken(string(r)+"-token", string(r))
	}
	return e
}

// addToken stores a new token as `tsm token create` does and returns it.
func (e *env) addToken(name, role string) string {
	e.t.Helper()
	tok, hash, err := api.NewToken(nil)
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.demo.Store.CreateToken(context.Background(), store.NewToken{Name: name, Role: role, Hash: hash}); err != nil {
		e.t.Fatal(err)
	}
	return tok
}

// do sends a request with the token (none if empty) and returns the status,
// headers and body; the body is kept for the key scan.
func (e *env) do(method, path, token, contentType string, body []byte) (int, http.Header, []byte) {
	e.t.Helper()
	req, err := http.NewRequest(method, e.srv.URL+path, bytes.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	e.mu.Lock()
	e.bodies.Write(b)
	e.bodies.WriteByte('\n')
	e.mu.Unlock()
	return resp.StatusCode, resp.Header, b
}

// getJSON does a request as role, checks the status and decodes the body.
func (e *env) call(method, path string, role api.Role, body any, wantStatus int, out any) []byte {
	e.t.Helper()
	var b []byte
	ct := ""
	if body != nil {
		var err error
		if b, err = json.Marshal(body); err != nil {
			e.t.Fatal(err)
		}
		ct = "application/json"
	}
	status, _, resp := e.do(method, path, e.tokens[role], ct, b)
	if status != wantStatus {
		e.t.Fatalf("%s %s as %s: status %d, want %d: %s", method, path, role, status, wantStatus, resp)
	}
	if out != nil {
		if err := json.Unmarshal(resp, out); err != nil {
			e.t.Fatalf("%s %s: decoding %s: %v", method, path, resp, err)
		}
	}
	return resp
}

// wantError checks an error response: status, JSON {error, code}.
func wantError(t *testing.T, what string, status int, body []byte, wantStatus int, wantCode string) {
	t.Helper()
	var e api.Error
	if err := json.Unmarshal(body, &e); err != nil || status != wantStatus || e.Code != wantCode || e.Message == "" {
		t.Errorf("%s: status %d body %s, want %d with code %q", what, status, body, wantStatus, wantCode)
	}
}

// waitFor polls cond until it holds or a generous deadline passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// runJobs starts the API's executor on the fleet until the test ends.
func (e *env) runJobs(workers int) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- e.h.RunJobs(ctx, e.demo.Fleet, tsm.RunOptions{Workers: workers, Poll: 10 * time.Millisecond})
	}()
	e.t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			e.t.Errorf("RunJobs: %v", err)
		}
	})
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
