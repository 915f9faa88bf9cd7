package demo_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/cardhost/cardhost/gpcard/keys"
	"github.com/cardhost/cardhost/tsm/demo"
	"github.com/cardhost/cardhost/tsm/store"
)

// syncBuffer is a log sink for concurrent workers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// TestLogScan_NoKeyMaterialAnywhere runs a whole campaign with debug logging
// (APDU traces included) and fails if the hex of any test master key or of
// any card's derived ISD/SSD/purse key appears, in either case, in the logs,
// the job records, the audit log or the database file.
func TestLogScan_NoKeyMaterialAnywhere(t *testing.T) {
	var logs syncBuffer
	dir := t.TempDir()
	e := openEnv(t, demo.Config{Dir: dir, Cards: 6, Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	runCampaign(t, e, 2)
	verifyProvisioned(t, e)
	ctx := context.Background()
	secrets := []string{hexISD, hexSSDInitial, hexSSD, hexPurse}
	for _, cin := range e.Fleet.CINs() {
		kdd := e.Fleet.Card(cin).Snapshot().KDD
		for _, m := range []string{hexISD, hexSSDInitial, hexSSD, hexPurse} {
			ks, err := keys.Diversify(key(t, m), keys.KDF3, kdd)
			if err != nil {
				t.Fatal(err)
			}
			secrets = append(secrets, hex.EncodeToString(ks.ENC.Bytes()), hex.EncodeToString(ks.MAC.Bytes()), hex.EncodeToString(ks.DEK.Bytes()))
		}
	}
	var records bytes.Buffer
	js, err := e.Store.ListJobs(ctx, store.JobFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range js {
		full, err := e.Service.Job(ctx, j.ID)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(full)
		records.Write(b)
	}
	audit, err := e.Store.AuditLog(ctx, store.AuditFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(audit)
	records.Write(b)
	if err := e.Close(); err != nil { // flush the WAL into the database file
		t.Fatal(err)
	}
	db, err := os.ReadFile(filepath.Join(dir, "tsm.db"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.b.String(), "apdu") {
		t.Fatal("no APDU trace in the debug log")
	}
	for name, hay := range map[string][]byte{"logs": logs.b.Bytes(), "job records and audit": records.Bytes(), "database file": db} {
		low := strings.ToLower(string(hay))
		for _, s := range secrets {
			raw, _ := hex.DecodeString(s)
			if strings.Contains(low, strings.ToLower(s)) || bytes.Contains(hay, raw) {
				t.Errorf("%s contain key material (%d bytes)", name, len(raw))
			}
		}
	}
}
