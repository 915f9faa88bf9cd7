package demo_test

import (
	"testing"

	"github.com/cardhost/cardhost/tsm/demo"
	"github.com/cardhost/cardhost/tsm/store"
	"github.com/cardhost/cardhost/tsm/store/pgtest"
)

func TestCampaign_SQLite_ProvisionsEveryCardOnce(t *testing.T) {
	e := openEnv(t, demo.Config{Cards: 20})
	c := runCampaign(t, e, 4)
	if c.Counts[store.JobDone] != 20 {
		t.Fatalf("counts %v", c.Counts)
	}
	verifyProvisioned(t, e)
}

func TestCampaign_PostgreSQL_ProvisionsEveryCardOnce(t *testing.T) {
	pg := pgtest.Start(t)
	e := openEnv(t, demo.Config{Cards: 20, DSN: pg.FreshDSN(t)})
	c := runCampaign(t, e, 4)
	if c.Counts[store.JobDone] != 20 {
		t.Fatalf("counts %v", c.Counts)
	}
	verifyProvisioned(t, e)
}

func TestCampaign_GeneratedKeys_ReservedOncePerCard(t *testing.T) {
	e := openEnv(t, demo.Config{Cards: 5, Generate: true})
	runCampaign(t, e, 2)
	verifyProvisioned(t, e)
	ms, err := e.Keys.List(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, m := range ms {
		if len(m.Label) > 5 && m.Label[:5] == "card/" {
			n++
		}
	}
	if n != 5 {
		t.Errorf("generated key sets %d, want 5", n)
	}
}

func TestCampaign_SCP02_ProvisionsEveryCardOnce(t *testing.T) {
	e := openEnv(t, demo.Config{Cards: 5, Profile: "gp231-scp02-i15"})
	runCampaign(t, e, 2)
	verifyProvisioned(t, e)
}
