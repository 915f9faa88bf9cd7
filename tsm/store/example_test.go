package store_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/cardhost/cardhost/tsm/store"
	_ "github.com/cardhost/cardhost/tsm/store/sqlite" // registers "sqlite"
)

func Example() {
	dir, err := os.MkdirTemp("", "tsm-example-")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	ctx := context.Background()
	s, err := store.Open(ctx, "sqlite://"+filepath.Join(dir, "tsm.db"))
	if err != nil {
		panic(err)
	}
	defer s.Close()

	for _, op := range []string{"create-ssd", "put-key"} {
		if _, err := s.AppendAudit(ctx, store.AuditRecord{Actor: "alice", CardCIN: []byte{0x45, 0x01},
			Operation: op}); err != nil {
			panic(err)
		}
	}
	sum, err := s.VerifyAudit(ctx)
	fmt.Println(sum.Entries, err)
	// Output:
	// 2 <nil>
}
