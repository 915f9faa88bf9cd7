package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cardhost/cardhost/reader"
	"github.com/cardhost/cardhost/sim/vpcd"
	"github.com/cardhost/cardhost/test/pcscdtest"
	"github.com/cardhost/cardhost/tsm/demo"
)

// daemon is the private pcscd (with vpcd readers) of this package's tests.
var daemon *pcscdtest.Daemon

// TestMain starts the private pcscd before any PC/SC call of the process:
// libpcsclite reads PCSCLITE_CSOCK_NAME once.
func TestMain(m *testing.M) {
	d, err := pcscdtest.Start(pcscdtest.Options{Readers: 2})
	if err != nil {
		fmt.Fprintln(os.Stderr, "starting private pcscd:", err)
		os.Exit(1)
	}
	daemon = d
	if err := d.Setenv(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		d.Stop()
		os.Exit(1)
	}
	code := m.Run()
	if code != 0 {
		fmt.Fprintf(os.Stderr, "pcscd log:\n%s\n", d.Log())
	}
	d.Stop()
	os.Exit(code)
}

// vpcdReader returns the PC/SC name of vpcd reader r of the daemon.
func vpcdReader(t *testing.T, r int) string {
	t.Helper()
	pc, err := reader.NewContext()
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	names, err := pc.Readers()
	if err != nil {
		t.Fatal(err)
	}
	n, err := daemon.Name(names, r)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestServe_ReaderStation_RunsCampaignJobOfInsertedCard prepares a TSM with
// one simulated card (tsm/demo: keys, catalog, inventory), serves it with
// --reader on a vpcd reader of the private pcscd, creates a campaign for the
// card through the API, inserts the card into the reader and waits until
// the campaign reports the card's job done.
func TestServe_ReaderStation_RunsCampaignJobOfInsertedCard(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute) // a safety net, not an assertion
	defer cancel()
	dir := t.TempDir()
	e, err := demo.Open(ctx, demo.Config{Dir: dir, Cards: 1})
	if err != nil {
		t.Fatal(err)
	}
	plan, cin := e.Plan, e.Fleet.CINs()[0]
	card := e.Fleet.Card(cin)
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	cfg := map[string]any{"log_level": "debug", "keystore": map[string]any{"backend": "sealed", "sealed": map[string]any{
		"path": filepath.Join(dir, "keystore.json"), "passphrase": "file:" + filepath.Join(dir, "keystore.pass"),
		"argon2": map[string]any{"time": 1, "memory_kib": 8192, "threads": 1}}},
		"serve": map[string]any{"listen": "127.0.0.1:0"}}
	b, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	cfgPath := filepath.Join(dir, "tsm.json")
	if err := os.WriteFile(cfgPath, b, 0o600); err != nil {
		t.Fatal(err)
	}
	tok, err := run(t, "--config", cfgPath, "token", "create", "--name", "ops", "--role", "operator")
	if err != nil {
		t.Fatalf("token create: %v", err)
	}
	tok = strings.TrimSpace(tok)

	name := vpcdReader(t, 0)
	sctx, stop := context.WithCancel(ctx)
	defer stop()
	var stdout, stderr syncBuffer
	defer func() {
		if t.Failed() {
			t.Logf("serve log:\n%s", stderr.String())
		}
	}()
	root := newRoot(&stdout, &stderr)
	root.SetArgs([]string{"--config", cfgPath, "serve", "--reader", name})
	done := make(chan error, 1)
	go func() { done <- root.ExecuteContext(sctx) }()
	base := waitForURL(t, &stdout, &stderr, done)

	call := func(method, path string, body, out any) int {
		t.Helper()
		var rd bytes.Buffer
		if body != nil {
			if err := json.NewEncoder(&rd).Encode(body); err != nil {
				t.Fatal(err)
			}
		}
		req, err := http.NewRequestWithContext(ctx, method, base+path, &rd)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+tok)
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if out != nil {
			if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
				t.Fatalf("%s %s: %d, decoding: %v", method, path, resp.StatusCode, err)
			}
		}
		return resp.StatusCode
	}
	var created struct {
		ID string `json:"id"`
	}
	req := map[string]any{"name": "reader station", "plan": plan, "cards": []string{fmt.Sprintf("%X", cin)}}
	if s := call("POST", "/v1/campaigns", req, &created); s != http.StatusCreated || created.ID == "" {
		t.Fatalf("POST /v1/campaigns: %d %+v", s, created)
	}

	// The card goes in once its job exists: a card without a runnable job
	// is waited out until it is taken out.
	slot := vpcd.Insert(ctx, daemon.Addr(0), card)
	defer slot.Remove()

	var c struct {
		Finished bool           `json:"finished"`
		Counts   map[string]int `json:"counts"`
	}
	deadline := time.Now().Add(2 * time.Minute)
	for {
		if s := call("GET", "/v1/campaigns/"+created.ID, nil, &c); s != http.StatusOK {
			t.Fatalf("GET campaign: %d", s)
		}
		if c.Finished {
			break
		}
		select {
		case err := <-done:
			t.Fatalf("serve ended: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("campaign not finished: %+v", c)
		}
		time.Sleep(20 * time.Millisecond) // polling interval, not synchronisation
	}
	if c.Counts["done"] != 1 {
		t.Fatalf("campaign finished with %+v, want the job done", c.Counts)
	}
	// The station's APDUs and steps reach /metrics (no token needed there).
	mr, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(mr.Body)
	mr.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"\ncardhost_apdus_total ", "\n" + `cardhost_step_duration_seconds_count{step="create-ssd"} 1`} {
		i := strings.Index(string(body), want)
		if i < 0 || strings.HasPrefix(string(body[i+len(want):]), "0\n") {
			t.Errorf("/metrics lacks a non-zero %q", want)
		}
	}
	stop()
	if err := <-done; err != nil {
		t.Fatalf("serve: %v", err)
	}
	if logs := stderr.String(); !strings.Contains(logs, "reader station started") {
		t.Errorf("serve log lacks the station:\n%s", logs)
	}
}

// TestServe_UnknownReader_FailsAtStartup checks that a --reader naming no
// reader stops serve before it listens, naming the field.
func TestServe_UnknownReader_FailsAtStartup(t *testing.T) {
	cfg := serveConfig(t)
	out, err := run(t, "--config", cfg, "serve", "--reader", "no such reader")
	if err == nil || !strings.Contains(err.Error(), `serve.readers: "no such reader"`) {
		t.Fatalf("serve: %v", err)
	}
	if strings.Contains(out, "TSM API on") {
		t.Errorf("serve listened: %q", out)
	}
}

// TestServeConfig_EmptyReader_Invalid checks serve.readers validation.
func TestServeConfig_EmptyReader_Invalid(t *testing.T) {
	c := ServeConfig{Readers: []string{"Virtual PCD", " "}}
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "serve.readers[1]") {
		t.Fatalf("Validate: %v", err)
	}
}

// waitForURL waits until serve prints its URL and returns it.
func waitForURL(t *testing.T, stdout, stderr *syncBuffer, done <-chan error) string {
	t.Helper()
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
		time.Sleep(10 * time.Millisecond) // polling interval, not synchronisation
	}
	return url.FindString(stdout.String())
}
