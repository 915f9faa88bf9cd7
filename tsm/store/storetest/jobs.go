package storetest

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/cardhost/cardhost/tsm/store"
)

// sampleJob is a three-step provisioning plan for card cin.
func sampleJob(cin []byte) store.NewJob {
	return store.NewJob{CardCIN: cin, Plan: "provision-ssd", Steps: []store.StepSpec{
		{Kind: "create-ssd", Params: json.RawMessage(`{"aid": "A000000151535001", "privileges": "800000"}`)},
		{Kind: "put-keys", Params: json.RawMessage(`{"kvn": 49, "key_label": "ssd-31"}`)},
		{Kind: "install"},
	}}
}

// claim claims the next job as worker, failing t if there is none.
func claim(t *testing.T, s store.Store, worker string) store.Claim {
	t.Helper()
	return must(s.ClaimJob(ctx, worker, time.Minute)).ok(t)
}

// done is a successful step result.
var done = store.StepResult{State: store.StepDone, Outcome: json.RawMessage(`{"sw": "9000"}`)}

func testJobs(t *testing.T, fresh Fresh) {
	t.Run("CreateValidation", func(t *testing.T) {
		e := open(t, fresh)
		tests := []struct {
			name   string
			mutate func(j *store.NewJob)
			want   error
		}{
			{"Valid", func(j *store.NewJob) {}, nil},
			{"SelectorInsteadOfCIN", func(j *store.NewJob) { j.CardCIN, j.Selector = nil, "terminal:pos-17" }, nil},
			{"NeitherCINNorSelector_Invalid", func(j *store.NewJob) { j.CardCIN = nil }, store.ErrInvalid},
			{"BothCINAndSelector_Invalid", func(j *store.NewJob) { j.Selector = "terminal:pos-17" }, store.ErrInvalid},
			{"NoSteps_Invalid", func(j *store.NewJob) { j.Steps = nil }, store.ErrInvalid},
			{"EmptyKind_Invalid", func(j *store.NewJob) { j.Steps[2].Kind = "" }, store.ErrInvalid},
			{"MalformedParams_Invalid", func(j *store.NewJob) { j.Steps[0].Params = json.RawMessage(`{"a":`) }, store.ErrInvalid},
			{"UnknownCampaign_Invalid", func(j *store.NewJob) { j.CampaignID = "nope" }, store.ErrInvalid},
			{"KeyInParams_SecretField", func(j *store.NewJob) {
				j.Steps[1].Params = json.RawMessage(`{"kvn": 49, "enc_key": "404142434445464748494A4B4C4D4E4F"}`)
			}, store.ErrSecretField},
			{"NestedKeysInParams_SecretField", func(j *store.NewJob) {
				j.Steps[1].Params = json.RawMessage(`{"set": [{"kid": 1}, {"DEK-Keys": ["00"]}]}`)
			}, store.ErrSecretField},
			{"PINInParams_SecretField", func(j *store.NewJob) { j.Steps[2].Params = json.RawMessage(`{"PIN": "1234"}`) }, store.ErrSecretField},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				j := sampleJob([]byte{1})
				tc.mutate(&j)
				_, err := e.s.CreateJob(ctx, j)
				wantErr(t, "CreateJob", err, tc.want)
			})
		}
	})

	t.Run("RunToCompletion", func(t *testing.T) {
		e := open(t, fresh)
		job := must(e.s.CreateJob(ctx, sampleJob([]byte{1}))).ok(t)
		if job.State != store.JobPending || len(job.Steps) != 3 || job.Steps[1].Kind != "put-keys" ||
			string(job.Steps[1].Params) != `{"kvn":49,"key_label":"ssd-31"}` {
			t.Fatalf("created job %+v", job)
		}
		c := claim(t, e.s, "w1")
		if c.Job.ID != job.ID || c.Job.State != store.JobRunning || c.Lease.Worker != "w1" {
			t.Fatalf("claim %+v", c)
		}
		_, err := e.s.StartStep(ctx, c.Lease, 1)
		wantErr(t, "StartStep(1) before step 0 is done", err, store.ErrConflict)
		_, err = e.s.FinishStep(ctx, c.Lease, 0, done)
		wantErr(t, "FinishStep(0) before it started", err, store.ErrConflict)
		for i := range 3 {
			e.clk.Advance(time.Second)
			st := must(e.s.StartStep(ctx, c.Lease, i)).ok(t)
			if st.State != store.StepRunning || st.Attempts != 1 || !st.StartedAt.Equal(e.clk.Now()) {
				t.Fatalf("started step %+v", st)
			}
			job = must(e.s.FinishStep(ctx, c.Lease, i, done)).ok(t)
		}
		if job.State != store.JobDone || job.Steps[2].State != store.StepDone ||
			string(job.Steps[2].Outcome) != `{"sw":"9000"}` {
			t.Fatalf("finished job %+v", job)
		}
		_, err = e.s.StartStep(ctx, c.Lease, 2)
		wantErr(t, "StartStep after the job is done", err, store.ErrLeaseLost)
		_, err = e.s.ClaimJob(ctx, "w2", time.Minute)
		wantErr(t, "ClaimJob with nothing queued", err, store.ErrNotFound)
	})

	t.Run("FailedStepFailsJob", func(t *testing.T) {
		e := open(t, fresh)
		must(e.s.CreateJob(ctx, sampleJob([]byte{1}))).ok(t)
		c := claim(t, e.s, "w1")
		must(e.s.StartStep(ctx, c.Lease, 0)).ok(t)
		_, err := e.s.FinishStep(ctx, c.Lease, 0, store.StepResult{State: store.StepPending})
		wantErr(t, "FinishStep with state pending", err, store.ErrInvalid)
		job := must(e.s.FinishStep(ctx, c.Lease, 0, store.StepResult{State: store.StepFailed,
			Error: "INSTALL [for install]: 6A80 incorrect data"})).ok(t)
		if job.State != store.JobFailed || job.Steps[0].Error == "" || job.Steps[1].State != store.StepPending {
			t.Fatalf("job %+v", job)
		}
	})

	t.Run("FinishWithAuditAppendsEntry", func(t *testing.T) {
		e := open(t, fresh)
		must(e.s.CreateJob(ctx, sampleJob([]byte{7}))).ok(t)
		c := claim(t, e.s, "w1")
		must(e.s.StartStep(ctx, c.Lease, 0)).ok(t)
		r := done
		r.Audit = &store.AuditRecord{Actor: "w1", CardCIN: []byte{7}, Operation: "create-ssd",
			Details: json.RawMessage(`{"job": "` + c.Lease.JobID + `"}`)}
		must(e.s.FinishStep(ctx, c.Lease, 0, r)).ok(t)
		log := must(e.s.AuditLog(ctx, store.AuditFilter{})).ok(t)
		if len(log) != 1 || log[0].Operation != "create-ssd" || log[0].CardCIN[0] != 7 {
			t.Fatalf("audit log %+v", log)
		}
	})

	t.Run("CancelJob", func(t *testing.T) {
		e := open(t, fresh)
		pending := must(e.s.CreateJob(ctx, sampleJob([]byte{1}))).ok(t)
		must(e.s.CreateJob(ctx, sampleJob([]byte{2}))).ok(t)
		wantErr(t, "CancelJob pending", e.s.CancelJob(ctx, pending.ID), nil)
		c := claim(t, e.s, "w1")
		if c.Job.ID == pending.ID {
			t.Fatal("claimed a cancelled job")
		}
		must(e.s.StartStep(ctx, c.Lease, 0)).ok(t)
		wantErr(t, "CancelJob running", e.s.CancelJob(ctx, c.Job.ID), nil)
		job := must(e.s.FinishStep(ctx, c.Lease, 0, done)).ok(t) // the card committed: recorded anyway
		if job.State != store.JobCancelled || job.Steps[0].State != store.StepDone {
			t.Fatalf("job after cancel %+v", job)
		}
		_, err := e.s.StartStep(ctx, c.Lease, 1)
		wantErr(t, "StartStep on a cancelled job", err, store.ErrConflict)
		wantErr(t, "CancelJob twice", e.s.CancelJob(ctx, pending.ID), store.ErrConflict)
		wantErr(t, "CancelJob unknown", e.s.CancelJob(ctx, "nope"), store.ErrNotFound)
		if js := must(e.s.ListJobs(ctx, store.JobFilter{State: store.JobCancelled})).ok(t); len(js) != 2 {
			t.Errorf("ListJobs(cancelled) = %d jobs, want 2", len(js))
		}
	})

	t.Run("SelectorJobBindsCard", func(t *testing.T) {
		e := open(t, fresh)
		j := sampleJob(nil)
		j.Selector = "terminal:pos-17"
		must(e.s.CreateJob(ctx, j)).ok(t)
		c := claim(t, e.s, "w1")
		wantErr(t, "SetJobCard", e.s.SetJobCard(ctx, c.Lease, []byte{5}), nil)
		wantErr(t, "SetJobCard same", e.s.SetJobCard(ctx, c.Lease, []byte{5}), nil)
		wantErr(t, "SetJobCard other card", e.s.SetJobCard(ctx, c.Lease, []byte{6}), store.ErrConflict)
		if js := must(e.s.ListJobs(ctx, store.JobFilter{CardCIN: []byte{5}})).ok(t); len(js) != 1 {
			t.Errorf("ListJobs(card 05) = %d jobs, want 1", len(js))
		}
	})

	t.Run("NotFound", func(t *testing.T) {
		e := open(t, fresh)
		_, err := e.s.Job(ctx, "nope")
		wantErr(t, "Job", err, store.ErrNotFound)
		must(e.s.CreateJob(ctx, sampleJob([]byte{1}))).ok(t)
		c := claim(t, e.s, "w1")
		_, err = e.s.StartStep(ctx, c.Lease, 3)
		wantErr(t, "StartStep past the plan", err, store.ErrNotFound)
	})
}

// testJobCounts checks JobCounts over the whole store: every state listed
// when empty, then one job in each state, campaign jobs included.
func testJobCounts(t *testing.T, fresh Fresh) {
	e := open(t, fresh)
	check := func(what string, want map[store.JobState]int) {
		t.Helper()
		got := must(e.s.JobCounts(ctx)).ok(t)
		if len(got) != len(want) {
			t.Fatalf("%s: JobCounts = %v, want %v", what, got, want)
		}
		for k, v := range want {
			if n, ok := got[k]; !ok || n != v {
				t.Errorf("%s: JobCounts[%s] = %d (present %v), want %d", what, k, n, ok, v)
			}
		}
	}
	check("empty store", map[store.JobState]int{store.JobPending: 0, store.JobRunning: 0, store.JobDone: 0,
		store.JobFailed: 0, store.JobCancelled: 0})

	camp := must(e.s.CreateCampaign(ctx, store.NewCampaign{Name: "c", Plan: "provision-ssd", Concurrency: 10})).ok(t)
	for i := byte(1); i <= 6; i++ {
		j := sampleJob([]byte{i})
		if i%2 == 0 {
			j.CampaignID = camp.ID
		}
		must(e.s.CreateJob(ctx, j)).ok(t)
	}
	// Three claimed jobs: one done, one failed, one left running; then one
	// of the three still pending is cancelled.
	c := claim(t, e.s, "w1")
	for i := range 3 {
		must(e.s.StartStep(ctx, c.Lease, i)).ok(t)
		must(e.s.FinishStep(ctx, c.Lease, i, done)).ok(t)
	}
	c = claim(t, e.s, "w1")
	must(e.s.StartStep(ctx, c.Lease, 0)).ok(t)
	must(e.s.FinishStep(ctx, c.Lease, 0, store.StepResult{State: store.StepFailed, Error: "6A84"})).ok(t)
	claim(t, e.s, "w1")
	pending := must(e.s.ListJobs(ctx, store.JobFilter{State: store.JobPending})).ok(t)
	if len(pending) != 3 {
		t.Fatalf("%d pending jobs, want 3", len(pending))
	}
	if err := e.s.CancelJob(ctx, pending[0].ID); err != nil {
		t.Fatal(err)
	}
	check("one job per state, two pending", map[store.JobState]int{store.JobPending: 2, store.JobRunning: 1, store.JobDone: 1,
		store.JobFailed: 1, store.JobCancelled: 1})
}
