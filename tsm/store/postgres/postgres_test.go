package postgres_test

import (
	"context"
	"strings"
	"testing"

	"github.com/cardhost/cardhost/tsm/store"
	"github.com/cardhost/cardhost/tsm/store/pgtest"
	"github.com/cardhost/cardhost/tsm/store/postgres"
	"github.com/cardhost/cardhost/tsm/store/storetest"
)

func TestConformance(t *testing.T) {
	srv := pgtest.Start(t)
	storetest.Run(t, srv.FreshDSN)
}

func TestOpen_ConcurrentMigratorsMigrateOnce(t *testing.T) {
	srv := pgtest.Start(t)
	dsn := srv.FreshDSN(t)
	ctx := context.Background()
	errs := make(chan error, 3)
	stores := make(chan store.Store, 3)
	for range 3 {
		go func() {
			s, err := postgres.Open(ctx, dsn)
			errs <- err
			stores <- s
		}()
	}
	for range 3 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
		if s := <-stores; s != nil {
			s.Close()
		}
	}
}

func TestOpen_ErrorHidesPassword(t *testing.T) {
	const password = "s3cret-pw-do-not-print"
	_, err := store.Open(context.Background(), "postgres://tsm:"+password+"@127.0.0.1:1/tsm?sslmode=disable&connect_timeout=5")
	if err == nil {
		t.Fatal("store.Open connected to port 1")
	}
	if strings.Contains(err.Error(), password) {
		t.Errorf("error repeats the password: %v", err)
	}
}
