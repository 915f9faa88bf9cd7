package sqlite_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"

	"github.com/cardhost/cardhost/tsm/store"
	"github.com/cardhost/cardhost/tsm/store/sqlite"
	"github.com/cardhost/cardhost/tsm/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) string {
		return filepath.Join(t.TempDir(), "tsm.db")
	})
}

func TestOpen_DSNForms(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	tests := []struct {
		name, dsn string
		ok        bool
	}{
		{"PlainPath", filepath.Join(dir, "a.db"), true},
		{"Scheme", "sqlite://" + filepath.Join(dir, "b.db"), true},
		{"Memory_Refused", ":memory:", false},
		{"URI_Refused", "file:" + filepath.Join(dir, "c.db"), false},
		{"Query_Refused", filepath.Join(dir, "d.db") + "?_pragma=foreign_keys(0)", false},
		{"Empty_Refused", "sqlite://", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := store.Open(ctx, tc.dsn)
			if err == nil {
				s.Close()
			}
			if (err == nil) != tc.ok {
				t.Fatalf("store.Open(%q) error %v, want ok=%v", tc.dsn, err, tc.ok)
			}
		})
	}
}

func TestOpen_SettingsOnEveryConnection(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "tsm.db")
	s, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	db := s.(interface{ DB() *sql.DB }).DB()
	// Hold several connections at once so the pragmas are checked on more than one.
	conns := make([]*sql.Conn, 3)
	for i := range conns {
		if conns[i], err = db.Conn(ctx); err != nil {
			t.Fatal(err)
		}
		defer conns[i].Close()
	}
	for i, c := range conns {
		for pragma, want := range map[string]string{
			"journal_mode": "wal", "foreign_keys": "1", "busy_timeout": "30000", "synchronous": "2",
		} {
			var got string
			if err := c.QueryRowContext(ctx, "PRAGMA "+pragma).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Errorf("connection %d: PRAGMA %s = %s, want %s", i, pragma, got, want)
			}
		}
	}
	if fi, err := os.Stat(path); err != nil || !fi.Mode().IsRegular() {
		t.Errorf("database file %s: %v", path, err)
	}
}

func TestClose_Idempotent(t *testing.T) {
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "tsm.db"))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}
