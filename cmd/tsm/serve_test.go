package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is an output sink shared with the serving goroutine.
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

// run runs the tsm command line and returns stdout and the error.
func run(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	root := newRoot(&out, &errOut)
	root.SetArgs(args)
	err := root.ExecuteContext(context.Background())
	return out.String(), err
}

// serveConfig writes a configuration file with a sealed key store whose
// passphrase is in a 0600 file, and returns its path; the database is
// tsm.db next to it.
func serveConfig(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	pass := filepath.Join(dir, "keystore.pass")
	if err := os.WriteFile(pass, []byte("correct horse battery staple\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := map[string]any{"log_level": "debug", "keystore": map[string]any{"backend": "sealed", "sealed": map[string]any{
		"path": filepath.Join(dir, "keystore.json"), "passphrase": "file:" + pass,
		"argon2": map[string]any{"time": 1, "memory_kib": 8192, "threads": 1}}},
		"serve": map[string]any{"listen": "127.0.0.1:0"}}
	b, _ := json.Marshal(cfg)
	path := filepath.Join(dir, "tsm.json")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestServe_TokensAndAuditVerify makes tokens with `tsm token create`,
// serves the API from the configuration file on a loopback port, calls it
// with the tokens, revokes one, then tampers with the audit log and checks
// that `tsm audit verify` fails naming the row.
func TestServe_TokensAndAuditVerify(t *testing.T) {
	cfg := serveConfig(t)
	admin, err := run(t, "--config", cfg, "token", "create", "--name", "alice", "--role", "admin")
	if err != nil || !strings.HasPrefix(admin, "chtsm_") {
		t.Fatalf("token create: %q %v", admin, err)
	}
	admin = strings.TrimSpace(admin)
	auditor, err := run(t, "--config", cfg, "token", "create", "--name", "bob", "--role", "auditor")
	if err != nil {
		t.Fatal(err)
	}
	auditor = strings.TrimSpace(auditor)
	if _, err := run(t, "--config", cfg, "token", "create", "--name", "eve", "--role", "root"); err == nil {
		t.Error("token create accepted role root")
	}

	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr syncBuffer
	root := newRoot(&stdout, &stderr)
	root.SetArgs([]string{"--config", cfg, "serve"})
	done := make(chan error, 1)
	go func() { done <- root.ExecuteContext(ctx) }()
	url := regexp.MustCompile(`http://127\.0\.0\.1:[0-9]+`)
	deadline := time.Now().Add(time.Minute)
	for url.FindString(stdout.String()) == "" {
		select {
		case err := <-done:
			t.Fatalf("serve ended: %v\n%s", err, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve printed no URL: %s\n%s", stdout.String(), stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	base := url.FindString(stdout.String())
	get := func(path, tok string) int {
		req, _ := http.NewRequest("GET", base+path, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if s := get("/v1/tokens", admin); s != http.StatusOK {
		t.Errorf("tokens as admin: %d", s)
	}
	if s := get("/v1/tokens", auditor); s != http.StatusForbidden {
		t.Errorf("tokens as auditor: %d", s)
	}
	if out, err := run(t, "--config", cfg, "token", "revoke", "bob"); err != nil || !strings.Contains(out, "revoked token bob") {
		t.Fatalf("revoke: %q %v", out, err)
	}
	if s := get("/v1/audit", auditor); s != http.StatusUnauthorized {
		t.Errorf("audit with a revoked token: %d", s)
	}
	if s := get("/healthz", ""); s != http.StatusOK {
		t.Errorf("healthz: %d", s)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve: %v", err)
	}
	logs := stderr.String()
	if !strings.Contains(logs, "catalog key generated") || !strings.Contains(logs, "http request") ||
		strings.Contains(logs, admin) || strings.Contains(logs, auditor) {
		t.Errorf("serve log:\n%s", logs)
	}

	list, err := run(t, "--config", cfg, "token", "list")
	if err != nil || !strings.Contains(list, "alice") || strings.Contains(list, admin) {
		t.Errorf("token list: %q %v", list, err)
	}
	out, err := run(t, "--config", cfg, "audit", "verify")
	if err != nil || !strings.Contains(out, "audit chain verified: 3 entries") {
		t.Fatalf("audit verify: %q %v", out, err)
	}
	db, err := sql.Open("sqlite", filepath.Join(filepath.Dir(cfg), "tsm.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`UPDATE audit_log SET details = '{"name":"mallory","role":"admin"}' WHERE seq = 2`); err != nil {
		t.Fatal(err)
	}
	if _, err := run(t, "--config", cfg, "audit", "verify"); err == nil || !strings.Contains(err.Error(), "first bad row seq 2") {
		t.Errorf("audit verify after tampering: %v", err)
	}
}
