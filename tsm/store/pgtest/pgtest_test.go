package pgtest_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/cardhost/cardhost/tsm/store/pgtest"
)

func TestStart_FreshDatabasesAreSeparate(t *testing.T) {
	srv := pgtest.Start(t)
	ctx := context.Background()
	var names []string
	for range 2 {
		db, err := sql.Open("pgx", srv.FreshDSN(t))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		var name string
		if err := db.QueryRowContext(ctx, "SELECT current_database()").Scan(&name); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, "CREATE TABLE marker (x INTEGER)"); err != nil {
			t.Fatalf("database %s: %v", name, err)
		}
		names = append(names, name)
	}
	if names[0] == names[1] {
		t.Errorf("FreshDSN returned database %s twice", names[0])
	}
}
