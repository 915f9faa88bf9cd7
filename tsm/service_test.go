package tsm_test

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"

	"github.com/cardhost/cardhost/applet/cap"
	"github.com/cardhost/cardhost/applet/payment"
	"github.com/cardhost/cardhost/tsm/catalog"
	"github.com/cardhost/cardhost/tsm/demo"
	_ "github.com/cardhost/cardhost/tsm/keystore/sealed"
	"github.com/cardhost/cardhost/tsm/store"
	_ "github.com/cardhost/cardhost/tsm/store/sqlite"
)

// openDemo opens a demo TSM (SQLite, sealed key store) with that many
// simulated cards; it already holds the payment package 1.0.
func openDemo(t *testing.T, cards int) *demo.Env {
	t.Helper()
	e, err := demo.Open(context.Background(), demo.Config{Dir: t.TempDir(), Cards: cards})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

// TestUploadPackage_AuditsAIDVersionAndHash uploads the payment package at
// version 1.1 and checks the last audit entry: operation "package.upload"
// by the uploader, with exactly the package AID, version, load file hash
// and hash algorithm as details (no key material), and the chain verifies.
func TestUploadPackage_AuditsAIDVersionAndHash(t *testing.T) {
	ctx := context.Background()
	e := openDemo(t, 1)
	s := payment.CAPSpec()
	s.Packages[0].Version.Minor = 1
	b, err := cap.Write(s)
	if err != nil {
		t.Fatal(err)
	}
	p, err := e.Service.UploadPackage(ctx, "alice", b, catalog.UploadOptions{Name: "payment 1.1"})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.LoadFileHash) == 0 {
		t.Fatal("the package has no load file hash")
	}
	entries, err := e.Store.AuditLog(ctx, store.AuditFilter{Limit: 1000})
	if err != nil || len(entries) == 0 {
		t.Fatalf("audit log: %d entries, %v", len(entries), err)
	}
	last := entries[len(entries)-1]
	if last.Actor != "alice" || last.Operation != "package.upload" || last.CardCIN != nil {
		t.Fatalf("last audit entry %+v", last)
	}
	var got map[string]any
	if err := json.Unmarshal(last.Details, &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"package_aid": strings.ToUpper(hex.EncodeToString(payment.PackageAID())), "version": "1.1",
		"load_file_hash": strings.ToUpper(hex.EncodeToString(p.LoadFileHash)), "hash_alg": p.HashAlg}
	if len(got) != len(want) {
		t.Fatalf("details %s, want the fields of %v", last.Details, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("details[%q] = %v, want %v", k, got[k], v)
		}
	}
	if p.HashAlg == "" {
		t.Error("empty hash algorithm")
	}
	// The demo's own upload of 1.0 is audited too.
	ups := 0
	for _, a := range entries {
		if a.Operation == "package.upload" {
			ups++
		}
	}
	if ups != 2 {
		t.Errorf("%d package.upload entries, want 2", ups)
	}
	if _, err := e.Service.VerifyAudit(ctx); err != nil {
		t.Errorf("audit chain: %v", err)
	}
}

// TestUploadPackage_Rejected_NotAudited checks that a file that is no CAP
// leaves no audit entry.
func TestUploadPackage_Rejected_NotAudited(t *testing.T) {
	ctx := context.Background()
	e := openDemo(t, 1)
	before, err := e.Store.AuditLog(ctx, store.AuditFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Service.UploadPackage(ctx, "alice", []byte("not a CAP file"), catalog.UploadOptions{}); err == nil {
		t.Fatal("UploadPackage accepted a file that is no CAP")
	}
	after, err := e.Store.AuditLog(ctx, store.AuditFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != len(before) {
		t.Errorf("audit entries %d → %d after a rejected upload", len(before), len(after))
	}
}

// TestJobCounts_CampaignPending checks Service.JobCounts before and after
// the demo campaign is created: every state listed, the new jobs pending.
func TestJobCounts_CampaignPending(t *testing.T) {
	ctx := context.Background()
	e := openDemo(t, 3)
	check := func(what string, pending int) {
		t.Helper()
		got, err := e.Service.JobCounts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := map[store.JobState]int{store.JobPending: pending, store.JobRunning: 0, store.JobDone: 0,
			store.JobFailed: 0, store.JobCancelled: 0}
		if len(got) != len(want) {
			t.Fatalf("%s: JobCounts = %v, want %v", what, got, want)
		}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s: JobCounts[%s] = %d, want %d", what, k, got[k], v)
			}
		}
	}
	check("no campaign", 0)
	if _, err := e.Campaign(ctx); err != nil {
		t.Fatal(err)
	}
	check("campaign created", 3)
}
