package storetest

import (
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/cardhost/cardhost/tsm/store"
)

func testCampaigns(t *testing.T, fresh Fresh) {
	e := open(t, fresh)
	tests := []struct {
		name string
		c    store.NewCampaign
		want error
	}{
		{"ZeroConcurrency_Invalid", store.NewCampaign{Name: "c", Plan: "p"}, store.ErrInvalid},
		{"NoPlan_Invalid", store.NewCampaign{Name: "c", Concurrency: 1}, store.ErrInvalid},
		{"SecretInSelection_SecretField", store.NewCampaign{Name: "c", Plan: "p", Concurrency: 1,
			Selection: json.RawMessage(`{"master_key": "00"}`)}, store.ErrSecretField},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.s.CreateCampaign(ctx, tc.c)
			wantErr(t, "CreateCampaign", err, tc.want)
		})
	}

	t.Run("ConcurrencyLimitAndCounts", func(t *testing.T) {
		camp := must(e.s.CreateCampaign(ctx, store.NewCampaign{Name: "fleet-1", Plan: "provision-ssd",
			Selection: json.RawMessage(`{"iin": "421122"}`), Concurrency: 1})).ok(t)
		for i := byte(1); i <= 3; i++ {
			j := sampleJob([]byte{i})
			j.CampaignID = camp.ID
			must(e.s.CreateJob(ctx, j)).ok(t)
		}
		c := claim(t, e.s, "w1")
		if c.Job.CampaignID != camp.ID {
			t.Fatalf("claimed %+v", c.Job)
		}
		_, err := e.s.ClaimJob(ctx, "w2", time.Minute)
		wantErr(t, "ClaimJob beyond campaign concurrency", err, store.ErrNotFound)
		for i := range 3 {
			must(e.s.StartStep(ctx, c.Lease, i)).ok(t)
			must(e.s.FinishStep(ctx, c.Lease, i, done)).ok(t)
		}
		c2 := claim(t, e.s, "w2")
		must(e.s.StartStep(ctx, c2.Lease, 0)).ok(t)
		must(e.s.FinishStep(ctx, c2.Lease, 0, store.StepResult{State: store.StepFailed, Error: "6A84"})).ok(t)
		claim(t, e.s, "w3")
		got := must(e.s.Campaign(ctx, camp.ID)).ok(t)
		want := map[store.JobState]int{store.JobPending: 0, store.JobRunning: 1, store.JobDone: 1,
			store.JobFailed: 1, store.JobCancelled: 0}
		if len(got.Counts) != len(want) || string(got.Selection) != `{"iin":"421122"}` {
			t.Fatalf("campaign %+v", got)
		}
		for k, v := range want {
			if got.Counts[k] != v {
				t.Errorf("count %s = %d, want %d", k, got.Counts[k], v)
			}
		}
		if js := must(e.s.ListJobs(ctx, store.JobFilter{CampaignID: camp.ID, Limit: 2})).ok(t); len(js) != 2 {
			t.Errorf("ListJobs(campaign, limit 2) = %d jobs", len(js))
		}
	})

	t.Run("NotFound", func(t *testing.T) {
		_, err := e.s.Campaign(ctx, "nope")
		wantErr(t, "Campaign", err, store.ErrNotFound)
	})
}

func testConcurrency(t *testing.T, fresh Fresh) {
	t.Run("EachJobClaimedOnce", func(t *testing.T) {
		e := open(t, fresh)
		const jobs, workers = 12, 4
		for i := range jobs {
			must(e.s.CreateJob(ctx, sampleJob([]byte{byte(i + 1)}))).ok(t)
		}
		var mu sync.Mutex
		owner := map[string]int{}
		var wg sync.WaitGroup
		errs := make(chan error, workers)
		for w := range workers {
			wg.Go(func() {
				for {
					c, err := e.s.ClaimJob(ctx, "w", time.Hour)
					if errors.Is(err, store.ErrNotFound) {
						return
					}
					if err != nil {
						errs <- err
						return
					}
					mu.Lock()
					if _, dup := owner[c.Job.ID]; dup {
						errs <- errors.New("job " + c.Job.ID + " claimed twice")
					}
					owner[c.Job.ID] = w
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		if len(owner) != jobs {
			t.Errorf("%d jobs claimed, want %d", len(owner), jobs)
		}
	})

	t.Run("ConcurrentFinishOfOneStep_OneWins", func(t *testing.T) {
		e := open(t, fresh)
		must(e.s.CreateJob(ctx, sampleJob([]byte{1}))).ok(t)
		c := claim(t, e.s, "w1")
		must(e.s.StartStep(ctx, c.Lease, 0)).ok(t)
		const racers = 4
		results := make(chan error, racers)
		var wg sync.WaitGroup
		for range racers {
			wg.Go(func() {
				_, err := e.s.FinishStep(ctx, c.Lease, 0, done)
				results <- err
			})
		}
		wg.Wait()
		close(results)
		won := 0
		for err := range results {
			switch {
			case err == nil:
				won++
			case !errors.Is(err, store.ErrConflict):
				t.Errorf("loser got %v, want ErrConflict", err)
			}
		}
		if won != 1 {
			t.Fatalf("%d FinishStep calls succeeded, want 1", won)
		}
		if st := must(e.s.Job(ctx, c.Job.ID)).ok(t).Steps[0]; st.State != store.StepDone || st.Attempts != 1 {
			t.Errorf("step %+v", st)
		}
	})

	t.Run("ConcurrentAppendsChainGaplessly", func(t *testing.T) {
		e := open(t, fresh)
		const writers, each = 4, 5
		var wg sync.WaitGroup
		errs := make(chan error, writers*each)
		for range writers {
			wg.Go(func() {
				for range each {
					if _, err := e.s.AppendAudit(ctx, store.AuditRecord{Actor: "w", Operation: "put-key"}); err != nil {
						errs <- err
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		sum := must(e.s.VerifyAudit(ctx)).ok(t)
		if sum.Entries != writers*each {
			t.Errorf("VerifyAudit: %d entries, want %d", sum.Entries, writers*each)
		}
	})

	t.Run("FailingWritesAmongConcurrent_OthersCommit", func(t *testing.T) {
		e := open(t, fresh)
		const writers = 8
		var wg sync.WaitGroup
		errs := make([]error, writers)
		for i := range writers {
			wg.Go(func() {
				j := sampleJob([]byte{byte(i + 1)})
				if i%2 == 1 {
					j.CampaignID = "no-such-campaign" // a foreign key violation
				}
				_, errs[i] = e.s.CreateJob(ctx, j)
			})
		}
		wg.Wait()
		for i, err := range errs {
			if i%2 == 1 {
				wantErr(t, "CreateJob in an unknown campaign", err, store.ErrInvalid)
			} else {
				wantErr(t, "CreateJob", err, nil)
			}
		}
		if js := must(e.s.ListJobs(ctx, store.JobFilter{})).ok(t); len(js) != writers/2 {
			t.Fatalf("%d jobs stored, want %d", len(js), writers/2)
		}
	})
}
