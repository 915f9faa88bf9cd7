package storetest

import (
	"testing"
	"time"

	"github.com/cardhost/cardhost/tsm/store"
)

func testLeases(t *testing.T, fresh Fresh) {
	t.Run("CrashedWorkerResumedAfterExpiry", func(t *testing.T) {
		e := open(t, fresh)
		must(e.s.CreateJob(ctx, sampleJob([]byte{1}))).ok(t)
		c1 := claim(t, e.s, "w1")
		must(e.s.StartStep(ctx, c1.Lease, 0)).ok(t)
		// w1 dies here: step 0 is running, its outcome unknown.
		_, err := e.s.ClaimJob(ctx, "w2", time.Minute)
		wantErr(t, "ClaimJob while w1's lease is live", err, store.ErrNotFound)
		e.clk.Advance(time.Minute + time.Microsecond)
		c2 := claim(t, e.s, "w2")
		if c2.Job.ID != c1.Job.ID || c2.Lease.Token == c1.Lease.Token {
			t.Fatalf("resume claim %+v", c2)
		}
		if st := c2.Job.Steps[0]; st.State != store.StepRunning || st.Attempts != 1 {
			t.Fatalf("resumed step %+v, want running after 1 attempt", st)
		}
		_, err = e.s.FinishStep(ctx, c1.Lease, 0, done)
		wantErr(t, "FinishStep with the stale lease", err, store.ErrLeaseLost)
		wantErr(t, "ReleaseLease with the stale lease", e.s.ReleaseLease(ctx, c1.Lease), store.ErrLeaseLost)
		// w2 probed the card: the step did not commit, so it runs it again.
		if st := must(e.s.StartStep(ctx, c2.Lease, 0)).ok(t); st.Attempts != 2 {
			t.Fatalf("retried step %+v, want 2 attempts", st)
		}
		must(e.s.FinishStep(ctx, c2.Lease, 0, done)).ok(t)
	})

	t.Run("RenewKeepsOthersOut", func(t *testing.T) {
		e := open(t, fresh)
		must(e.s.CreateJob(ctx, sampleJob([]byte{1}))).ok(t)
		c := claim(t, e.s, "w1")
		e.clk.Advance(50 * time.Second)
		l := must(e.s.RenewLease(ctx, c.Lease, time.Minute)).ok(t)
		if !l.Expires.Equal(e.clk.Now().Add(time.Minute)) {
			t.Fatalf("renewed lease expires %v", l.Expires)
		}
		e.clk.Advance(50 * time.Second)
		_, err := e.s.ClaimJob(ctx, "w2", time.Minute)
		wantErr(t, "ClaimJob while the renewed lease is live", err, store.ErrNotFound)
	})

	t.Run("ReleaseLetsOthersClaimAtOnce", func(t *testing.T) {
		e := open(t, fresh)
		must(e.s.CreateJob(ctx, sampleJob([]byte{1}))).ok(t)
		c := claim(t, e.s, "w1")
		wantErr(t, "ReleaseLease", e.s.ReleaseLease(ctx, c.Lease), nil)
		if c2 := claim(t, e.s, "w2"); c2.Job.ID != c.Job.ID {
			t.Fatalf("claimed %s, want %s", c2.Job.ID, c.Job.ID)
		}
		_, err := e.s.RenewLease(ctx, c.Lease, time.Minute)
		wantErr(t, "RenewLease after release", err, store.ErrLeaseLost)
	})

	t.Run("ClaimValidation", func(t *testing.T) {
		e := open(t, fresh)
		_, err := e.s.ClaimJob(ctx, "", time.Minute)
		wantErr(t, "ClaimJob without worker", err, store.ErrInvalid)
		_, err = e.s.ClaimJob(ctx, "w1", 0)
		wantErr(t, "ClaimJob without ttl", err, store.ErrInvalid)
		_, err = e.s.StartStep(ctx, store.Lease{JobID: "nope", Token: "x"}, 0)
		wantErr(t, "StartStep on unknown job", err, store.ErrNotFound)
	})
}

func testKeySlots(t *testing.T, fresh Fresh) {
	e := open(t, fresh)
	j := sampleJob(nil)
	j.Selector = "terminal:pos-1"
	must(e.s.CreateJob(ctx, j)).ok(t)
	c := claim(t, e.s, "w1")
	cin := []byte{0x45, 1}
	slot := store.KeySlot{CardCIN: cin, SDAID: ssdAID, KVN: 0x31, KeyLabel: "card-4501/ssd/31/a"}

	_, _, err := e.s.ReserveKeySlot(ctx, c.Lease, slot)
	wantErr(t, "ReserveKeySlot before the job is bound to the card", err, store.ErrConflict)
	wantErr(t, "SetJobCard", e.s.SetJobCard(ctx, c.Lease, cin), nil)

	got, created := must2(e.s.ReserveKeySlot(ctx, c.Lease, slot)).ok(t)
	if !created || got.JobID != c.Job.ID || got.KeyLabel != slot.KeyLabel || !got.CreatedAt.Equal(t0) {
		t.Fatalf("first reservation %+v created=%v", got, created)
	}
	// The worker crashes after reserving (and perhaps generating); the next
	// worker proposes a new label for the same slot and must get the old one.
	e.clk.Advance(2 * time.Minute)
	c2 := claim(t, e.s, "w2")
	retry := slot
	retry.KeyLabel = "card-4501/ssd/31/b"
	got, created = must2(e.s.ReserveKeySlot(ctx, c2.Lease, retry)).ok(t)
	if created || got.KeyLabel != slot.KeyLabel {
		t.Fatalf("resumed reservation %+v created=%v, want the first label", got, created)
	}

	tests := []struct {
		name string
		slot store.KeySlot
		want error
	}{
		{"LabelOfAnotherSlot_Conflict", store.KeySlot{CardCIN: cin, SDAID: ssdAID, KVN: 0x32, KeyLabel: slot.KeyLabel}, store.ErrConflict},
		{"OtherCard_Conflict", store.KeySlot{CardCIN: []byte{9}, SDAID: ssdAID, KVN: 0x31, KeyLabel: "x"}, store.ErrConflict},
		{"NoLabel_Invalid", store.KeySlot{CardCIN: cin, SDAID: ssdAID, KVN: 0x33}, store.ErrInvalid},
		{"SecondSlot", store.KeySlot{CardCIN: cin, SDAID: isdAID, KVN: 0x30, KeyLabel: "card-4501/isd/30"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := e.s.ReserveKeySlot(ctx, c2.Lease, tc.slot)
			wantErr(t, "ReserveKeySlot", err, tc.want)
		})
	}
	_, _, err = e.s.ReserveKeySlot(ctx, c.Lease, slot)
	wantErr(t, "ReserveKeySlot with the stale lease", err, store.ErrLeaseLost)

	slots := must(e.s.KeySlots(ctx, c.Job.ID)).ok(t)
	if len(slots) != 2 || slots[0].KeyLabel != slot.KeyLabel || slots[1].KVN != 0x30 {
		t.Fatalf("KeySlots = %+v", slots)
	}
}

// result2 is a call's two values and error, checked by ok.
type result2[A, B any] struct {
	a   A
	b   B
	err error
}

// must2 captures a call's results: must2(s.ReserveKeySlot(…)).ok(t).
func must2[A, B any](a A, b B, err error) result2[A, B] { return result2[A, B]{a, b, err} }

// ok fails t if the call failed and returns its values.
func (r result2[A, B]) ok(t *testing.T) (A, B) {
	t.Helper()
	if r.err != nil {
		t.Fatal(r.err)
	}
	return r.a, r.b
}
