package storetest

import (
	"regexp"
	"slices"
	"testing"

	"github.com/cardhost/cardhost/tsm/store"
	"github.com/cardhost/cardhost/tsm/store/internal/sqlstore"
)

// applied reads the migration ledger in ID order.
func applied(t *testing.T, s store.Store) (ids []string, at []int64) {
	t.Helper()
	rows, err := rawDB(t, s).Query(`SELECT id, applied_at FROM schema_migrations ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var a int64
		if err := rows.Scan(&id, &a); err != nil {
			t.Fatal(err)
		}
		ids, at = append(ids, id), append(at, a)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return ids, at
}

func testMigrations(t *testing.T, fresh Fresh) {
	all := sqlstore.MigrationIDs()

	t.Run("IDsAreOrderedTimestamps", func(t *testing.T) {
		re := regexp.MustCompile(`^20[0-9]{12}_[a-z0-9_]+$`)
		for i, id := range all {
			if !re.MatchString(id) {
				t.Errorf("migration %d: ID %q is not YYYYMMDDhhmmss_name", i, id)
			}
			if i > 0 && id <= all[i-1] {
				t.Errorf("migration %d: ID %q does not sort after %q", i, id, all[i-1])
			}
		}
	})

	t.Run("FreshDatabaseGetsAll", func(t *testing.T) {
		e := open(t, fresh)
		if ids, _ := applied(t, e.s); !slices.Equal(ids, all) {
			t.Errorf("applied %v, want %v", ids, all)
		}
	})

	t.Run("ReopenIsNoOp", func(t *testing.T) {
		e := open(t, fresh)
		ids1, at1 := applied(t, e.s)
		must(e.s.PutCard(ctx, store.Card{CIN: []byte{1}})).ok(t)
		e.clk.Advance(1e9)
		s2 := reopen(t, e)
		ids2, at2 := applied(t, s2)
		if !slices.Equal(ids1, ids2) || !slices.Equal(at1, at2) {
			t.Errorf("reopen changed the ledger: %v %v -> %v %v", ids1, at1, ids2, at2)
		}
		must(s2.Card(ctx, []byte{1})).ok(t)
	})

	t.Run("UpgradeFromFirstMigration", func(t *testing.T) {
		e := open(t, fresh, store.WithSchemaUpTo(all[0]))
		if ids, _ := applied(t, e.s); !slices.Equal(ids, all[:1]) {
			t.Fatalf("applied %v, want only %v", ids, all[:1])
		}
		card := must(e.s.PutCard(ctx, sampleCard())).ok(t)
		if _, err := e.s.CreateJob(ctx, sampleJob(card.CIN)); err == nil {
			t.Fatal("CreateJob worked before the jobs migration")
		}
		s2 := reopen(t, e)
		if ids, _ := applied(t, s2); !slices.Equal(ids, all) {
			t.Fatalf("after upgrade applied %v, want %v", ids, all)
		}
		assertCard(t, must(s2.Card(ctx, card.CIN)).ok(t), card)
		must(s2.CreateJob(ctx, sampleJob(card.CIN))).ok(t)
		must(s2.AppendAudit(ctx, store.AuditRecord{Actor: "op", Operation: "upgrade-check"})).ok(t)
	})

	t.Run("NewerDatabaseRefused", func(t *testing.T) {
		e := open(t, fresh)
		exec(t, e.s, `INSERT INTO schema_migrations (id, applied_at) VALUES ($1, 0)`, "29991231235959_future")
		if s, err := store.Open(ctx, e.dsn); err == nil {
			s.Close()
			t.Fatal("store.Open accepted a database with an unknown migration")
		}
	})

	t.Run("UnknownTargetRefused", func(t *testing.T) {
		dsn := fresh(t)
		if s, err := store.Open(ctx, dsn, store.WithSchemaUpTo("20000101000000_nope")); err == nil {
			s.Close()
			t.Fatal("store.Open accepted an unknown WithSchemaUpTo")
		}
	})
}
