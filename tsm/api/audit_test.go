package api_test

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"testing"

	"github.com/cardhost/cardhost/tsm/api"
)

// TestAudit_TamperedRow_VerifyNamesIt audits two campaign creations through
// the API (after the demo's package upload), changes the actor of the first
// campaign's entry in the SQLite file behind the store's back, and checks
// that POST /v1/audit/verify reports the chain broken at that row while GET
// /v1/audit still lists it.
func TestAudit_TamperedRow_VerifyNamesIt(t *testing.T) {
	e := newEnv(t, 2)
	for i, cin := range e.demo.Fleet.CINs() {
		e.call("POST", "/v1/campaigns", api.RoleOperator, map[string]any{"name": fmt.Sprint("c", i), "plan": e.demo.Plan,
			"cards": []string{fmt.Sprintf("%X", cin)}}, http.StatusCreated, nil)
	}
	var v api.VerifyResult
	e.call("POST", "/v1/audit/verify", api.RoleAdmin, nil, http.StatusOK, &v)
	if !v.OK || v.Entries != 3 {
		t.Fatalf("before tampering: %+v", v)
	}
	entries := auditEntries(e)
	if len(entries) != 3 || entries[0].Operation != "package.upload" ||
		entries[1].Actor != "api:operator-token" || entries[1].Operation != "create-campaign" {
		t.Fatalf("entries %+v", entries)
	}

	db, err := sql.Open("sqlite", filepath.Join(e.dir, "tsm.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(context.Background(), `UPDATE audit_log SET actor = 'mallory' WHERE seq = 2`); err != nil {
		t.Fatal(err)
	}
	v = api.VerifyResult{}
	e.call("POST", "/v1/audit/verify", api.RoleAuditor, nil, http.StatusOK, &v)
	if v.OK || v.FirstBadSeq == nil || *v.FirstBadSeq != 2 || v.Reason == "" {
		t.Errorf("after tampering: %+v", v)
	}
	if got := auditEntries(e); got[1].Actor != "mallory" {
		t.Errorf("entries after tampering %+v", got)
	}
}

// TestHealth_StoreClosed_503 checks /healthz answers 200 while the store
// works and 503 once it is closed.
func TestHealth_StoreClosed_503(t *testing.T) {
	e := newEnv(t, 1)
	e.call("GET", "/healthz", "", nil, http.StatusOK, nil)
	if err := e.demo.Store.Close(); err != nil {
		t.Fatal(err)
	}
	status, _, body := e.do("GET", "/healthz", "", "", nil)
	wantError(t, "closed store", status, body, http.StatusServiceUnavailable, "unavailable")
}

// TestServe_ShutsDownWhenContextEnds serves on a loopback port, answers a
// request, and returns nil once its context is cancelled.
func TestServe_ShutsDownWhenContextEnds(t *testing.T) {
	e := newEnv(t, 1)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- api.ServeListener(ctx, ln, e.h) }()
	resp, err := http.Get("http://" + ln.Addr().String() + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("X-Request-Id") == "" {
		t.Errorf("healthz: %d, request ID %q", resp.StatusCode, resp.Header.Get("X-Request-Id"))
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("ServeListener: %v", err)
	}
	if err := api.Serve(context.Background(), "127.0.0.1:-1", e.h); err == nil {
		t.Error("Serve on a bad address: no error")
	}
}
