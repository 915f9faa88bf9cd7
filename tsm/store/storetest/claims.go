package storetest

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/cardhost/cardhost/tsm/store"
)

// testClaims covers the claim order across campaigns, claims by card, and
// the FinishStep extras a runner uses to save round trips (StartNext) and to
// write the inventory under its lease (Card).
func testClaims(t *testing.T, fresh Fresh) {
	t.Run("FullCampaignSkipped_OtherCampaignClaimed", func(t *testing.T) {
		e := open(t, fresh)
		full := must(e.s.CreateCampaign(ctx, store.NewCampaign{Name: "a", Plan: "p", Concurrency: 1})).ok(t)
		other := must(e.s.CreateCampaign(ctx, store.NewCampaign{Name: "b", Plan: "p", Concurrency: 1})).ok(t)
		for i := byte(1); i <= 3; i++ {
			j := sampleJob([]byte{i})
			j.CampaignID = full.ID
			must(e.s.CreateJob(ctx, j)).ok(t)
			e.clk.Advance(time.Microsecond)
		}
		j := sampleJob([]byte{9})
		j.CampaignID = other.ID
		last := must(e.s.CreateJob(ctx, j)).ok(t)
		if c := claim(t, e.s, "w1"); !bytes.Equal(c.Job.CardCIN, []byte{1}) {
			t.Fatalf("first claim got card %X, want the oldest job (card 01)", c.Job.CardCIN)
		}
		if c := claim(t, e.s, "w2"); c.Job.ID != last.ID {
			t.Fatalf("second claim got card %X, want card 09 of the campaign with room", c.Job.CardCIN)
		}
		_, err := e.s.ClaimJob(ctx, "w3", time.Minute)
		wantErr(t, "ClaimJob with both campaigns full", err, store.ErrNotFound)
	})

	t.Run("CreateJobs_ClaimedInSliceOrder", func(t *testing.T) {
		e := open(t, fresh)
		var js []store.NewJob
		for _, cin := range []byte{9, 3, 7, 1} {
			js = append(js, sampleJob([]byte{cin}))
		}
		ids := must(e.s.CreateJobs(ctx, js)).ok(t)
		if len(ids) != len(js) {
			t.Fatalf("%d IDs for %d jobs", len(ids), len(js))
		}
		for i, id := range ids {
			c := claim(t, e.s, "w")
			if c.Job.ID != id || !bytes.Equal(c.Job.CardCIN, js[i].CardCIN) || len(c.Job.Steps) != 3 {
				t.Fatalf("claim %d got card %X, want %X", i, c.Job.CardCIN, js[i].CardCIN)
			}
		}
	})

	t.Run("CreateJobs_OneInvalid_NoneStored", func(t *testing.T) {
		e := open(t, fresh)
		bad := sampleJob([]byte{2})
		bad.CampaignID = "no-such-campaign"
		_, err := e.s.CreateJobs(ctx, []store.NewJob{sampleJob([]byte{1}), bad})
		wantErr(t, "CreateJobs with an unknown campaign", err, store.ErrInvalid)
		_, err = e.s.CreateJobs(ctx, []store.NewJob{sampleJob([]byte{1}), {Plan: "p"}})
		wantErr(t, "CreateJobs with an invalid job", err, store.ErrInvalid)
		if js := must(e.s.ListJobs(ctx, store.JobFilter{})).ok(t); len(js) != 0 {
			t.Fatalf("%d jobs stored, want none", len(js))
		}
	})

	t.Run("ExpiredOlderJobBeforeNewerPending", func(t *testing.T) {
		e := open(t, fresh)
		first := must(e.s.CreateJob(ctx, sampleJob([]byte{1}))).ok(t)
		e.clk.Advance(time.Microsecond)
		must(e.s.CreateJob(ctx, sampleJob([]byte{2}))).ok(t)
		claim(t, e.s, "w1")
		e.clk.Advance(time.Minute + time.Microsecond)
		if c := claim(t, e.s, "w2"); c.Job.ID != first.ID {
			t.Fatalf("claimed card %X, want the older job whose lease expired", c.Job.CardCIN)
		}
	})

	t.Run("ForCard_ClaimsOnlyThatCard", func(t *testing.T) {
		e := open(t, fresh)
		must(e.s.CreateJob(ctx, sampleJob([]byte{1}))).ok(t)
		e.clk.Advance(time.Microsecond)
		want := must(e.s.CreateJob(ctx, sampleJob([]byte{2}))).ok(t)
		c := must(e.s.ClaimJobForCard(ctx, "station-1", time.Minute, []byte{2})).ok(t)
		if c.Job.ID != want.ID {
			t.Fatalf("claimed card %X, want 02", c.Job.CardCIN)
		}
		_, err := e.s.ClaimJobForCard(ctx, "station-2", time.Minute, []byte{2})
		wantErr(t, "ClaimJobForCard while the card's job is leased", err, store.ErrNotFound)
		_, err = e.s.ClaimJobForCard(ctx, "station-2", time.Minute, []byte{3})
		wantErr(t, "ClaimJobForCard for a card without a job", err, store.ErrNotFound)
		_, err = e.s.ClaimJobForCard(ctx, "station-2", time.Minute, nil)
		wantErr(t, "ClaimJobForCard without a CIN", err, store.ErrInvalid)
		// The card is pulled mid-step: the station gives the job back and
		// claims it again when the card returns.
		must(e.s.StartStep(ctx, c.Lease, 0)).ok(t)
		wantErr(t, "ReleaseLease", e.s.ReleaseLease(ctx, c.Lease), nil)
		c2 := must(e.s.ClaimJobForCard(ctx, "station-2", time.Minute, []byte{2})).ok(t)
		if c2.Job.ID != want.ID || c2.Job.Steps[0].State != store.StepRunning {
			t.Fatalf("reclaimed %+v", c2.Job)
		}
	})

	t.Run("StartNext_StartsTheNextStepOnly", func(t *testing.T) {
		e := open(t, fresh)
		must(e.s.CreateJob(ctx, sampleJob([]byte{1}))).ok(t)
		c := claim(t, e.s, "w1")
		must(e.s.StartStep(ctx, c.Lease, 0)).ok(t)
		next := done
		next.StartNext = true
		j := must(e.s.FinishStep(ctx, c.Lease, 0, next)).ok(t)
		if st := j.Steps[1]; st.State != store.StepRunning || st.Attempts != 1 || st.StartedAt.IsZero() {
			t.Fatalf("step 1 after FinishStep(StartNext) %+v, want running after 1 attempt", st)
		}
		if j.Steps[2].State != store.StepPending {
			t.Fatalf("step 2 %+v, want pending", j.Steps[2])
		}
		must(e.s.FinishStep(ctx, c.Lease, 1, next)).ok(t)
		j = must(e.s.FinishStep(ctx, c.Lease, 2, next)).ok(t)
		if j.State != store.JobDone {
			t.Fatalf("job %s after its last step, want done", j.State)
		}
	})

	t.Run("StartNext_NotAfterFailure", func(t *testing.T) {
		e := open(t, fresh)
		must(e.s.CreateJob(ctx, sampleJob([]byte{1}))).ok(t)
		c := claim(t, e.s, "w1")
		must(e.s.StartStep(ctx, c.Lease, 0)).ok(t)
		j := must(e.s.FinishStep(ctx, c.Lease, 0, store.StepResult{State: store.StepFailed, Error: "6A80", StartNext: true})).ok(t)
		if j.State != store.JobFailed || j.Steps[1].State != store.StepPending {
			t.Fatalf("job %s, step 1 %s; want failed, pending", j.State, j.Steps[1].State)
		}
	})

	t.Run("Card_StoredWithTheOutcome", func(t *testing.T) {
		e := open(t, fresh)
		card := sampleCard()
		must(e.s.CreateJob(ctx, sampleJob(card.CIN))).ok(t)
		c := claim(t, e.s, "w1")
		must(e.s.StartStep(ctx, c.Lease, 0)).ok(t)
		r := done
		r.Card = &card
		must(e.s.FinishStep(ctx, c.Lease, 0, r)).ok(t)
		assertCard(t, must(e.s.Card(ctx, card.CIN)).ok(t), card)
	})

	t.Run("Card_OtherCardThanTheJobs_Conflict", func(t *testing.T) {
		e := open(t, fresh)
		must(e.s.CreateJob(ctx, sampleJob([]byte{1}))).ok(t)
		c := claim(t, e.s, "w1")
		must(e.s.StartStep(ctx, c.Lease, 0)).ok(t)
		card := sampleCard()
		r := done
		r.Card = &card
		_, err := e.s.FinishStep(ctx, c.Lease, 0, r)
		wantErr(t, "FinishStep with another card's snapshot", err, store.ErrConflict)
		if j := must(e.s.Job(ctx, c.Job.ID)).ok(t); j.Steps[0].State != store.StepRunning {
			t.Fatalf("step 0 %s after the refused FinishStep, want running (nothing recorded)", j.Steps[0].State)
		}
	})

	t.Run("Card_StaleLease_InventoryUntouched", func(t *testing.T) {
		e := open(t, fresh)
		card := sampleCard()
		card.LifeCycle = 0x07
		must(e.s.CreateJob(ctx, sampleJob(card.CIN))).ok(t)
		c1 := claim(t, e.s, "w1")
		must(e.s.StartStep(ctx, c1.Lease, 0)).ok(t)
		e.clk.Advance(time.Minute + time.Microsecond)
		c2 := claim(t, e.s, "w2")
		must(e.s.StartStep(ctx, c2.Lease, 0)).ok(t)
		newer := sampleCard()
		newer.LifeCycle = 0x0F
		r := done
		r.Card = &newer
		must(e.s.FinishStep(ctx, c2.Lease, 0, r)).ok(t)
		// w1 stalled and wakes up with the snapshot it read first.
		r.Card = &card
		_, err := e.s.FinishStep(ctx, c1.Lease, 0, r)
		wantErr(t, "FinishStep with the stale lease", err, store.ErrLeaseLost)
		if got := must(e.s.Card(ctx, card.CIN)).ok(t); got.LifeCycle != 0x0F {
			t.Fatalf("inventory life cycle %02X, want the newer snapshot's 0F", got.LifeCycle)
		}
	})

	t.Run("Card_InvalidSnapshot_Invalid", func(t *testing.T) {
		r := done
		r.Card = &store.Card{}
		if err := r.Validate(); err == nil {
			t.Fatal("StepResult with a card without CIN validated")
		}
		r.Card, r.Outcome = nil, json.RawMessage(`{"sw": "9000"}`)
		wantErr(t, "Validate", r.Validate(), nil)
	})
}
