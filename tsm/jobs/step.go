package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"

	"github.com/cardhost/cardhost/tsm/store"
)

// outcome is what a step records: JSON without secrets (AIDs, KVNs, KCVs).
type outcome map[string]any

// kind is one step kind: probe says whether the card already shows the
// step's change in the snapshot read at the start of the run (nil: not
// committed); run makes the change.
type kind struct {
	probe func(ctx context.Context, e *cardEnv, params json.RawMessage) (outcome, error)
	run   func(ctx context.Context, e *cardEnv, params json.RawMessage) (outcome, error)
}

var kinds = map[string]kind{
	KindCreateSSD:   {probeCreateSSD, runCreateSSD},
	KindPutSSDKeys:  {probePutKeys, runPutKeys},
	KindLoad:        {probeLoad, runLoad},
	KindInstall:     {probeInstall, runInstall},
	KindPersonalise: {probePersonalise, runPersonalise},
}

// step runs one step and reports whether it is done. first marks the first
// step not done in this run, the only one that can have been interrupted:
// it is probed before anything is sent, so a committed change is recorded,
// never repeated. Later steps were started by the previous step's
// FinishStep, in the same transaction as its outcome.
func (e *cardEnv) step(ctx context.Context, st store.Step, first bool, log *slog.Logger) (bool, error) {
	k, ok := kinds[st.Kind]
	if !ok {
		return false, e.fail(ctx, st, fmt.Errorf("unknown step kind %q", st.Kind), log)
	}
	if first {
		out, err := k.probe(ctx, e, st.Params)
		if err != nil {
			return false, e.failUnlessInterrupted(ctx, st, err, log)
		}
		if out != nil {
			out["found_on_card"] = true
			log.Info("step found committed on the card", "attempts", st.Attempts)
			return e.finish(ctx, st, out)
		}
		if st.State == store.StepRunning && st.Attempts >= e.r.cfg.MaxAttempts {
			return false, e.fail(ctx, st, fmt.Errorf("gave up after %d attempts", st.Attempts), log)
		}
	}
	if !e.started || st.State != store.StepRunning {
		if _, err := e.r.cfg.Store.StartStep(ctx, e.lease, st.Index); err != nil {
			return false, fmt.Errorf("starting step %d: %w", st.Index, err)
		}
		st.State = store.StepRunning
	}
	e.started = false
	log.Debug("step started")
	out, err := k.run(ctx, e, st.Params)
	if err != nil {
		return false, e.failUnlessInterrupted(ctx, st, err, log)
	}
	return e.finish(ctx, st, out)
}

// finish records a done step with its audit entry and starts the next one
// in the same transaction; the last step also stores the inventory.
func (e *cardEnv) finish(ctx context.Context, st store.Step, out outcome) (bool, error) {
	if st.State == store.StepPending {
		if _, err := e.r.cfg.Store.StartStep(ctx, e.lease, st.Index); err != nil {
			return false, fmt.Errorf("starting step %d: %w", st.Index, err)
		}
	}
	raw, err := json.Marshal(out)
	if err != nil {
		return false, fmt.Errorf("encoding the outcome of step %d: %w", st.Index, err)
	}
	details, err := json.Marshal(map[string]any{"job_id": e.job.ID, "step": st.Index, "outcome": json.RawMessage(raw)})
	if err != nil {
		return false, fmt.Errorf("encoding the audit entry of step %d: %w", st.Index, err)
	}
	res := store.StepResult{State: store.StepDone, Outcome: raw, StartNext: true,
		Audit: &store.AuditRecord{Actor: e.r.cfg.Worker, CardCIN: e.job.CardCIN, Operation: st.Kind, Details: details}}
	if st.Index == len(e.job.Steps)-1 { // store the final inventory as the job becomes done
		res.Card = &e.snap.Card
	}
	job, err := e.r.cfg.Store.FinishStep(ctx, e.lease, st.Index, res)
	if err != nil {
		return false, fmt.Errorf("recording step %d: %w", st.Index, err)
	}
	e.job = job
	e.started = st.Index+1 < len(job.Steps) && job.Steps[st.Index+1].State == store.StepRunning
	return true, nil
}

// failUnlessInterrupted records a failed step, unless the card went away or
// the lease is gone: then the step stays as it is and the job resumable.
func (e *cardEnv) failUnlessInterrupted(ctx context.Context, st store.Step, err error, log *slog.Logger) error {
	if isInterruption(ctx, err) || errors.Is(err, store.ErrLeaseLost) || errors.Is(err, errRenew) {
		log.Info("step interrupted", "err", err)
		return err
	}
	return e.fail(ctx, st, err, log)
}

// fail records a failed step (starting it first if needed); the job fails.
// The run's snapshot is stored with it: what the card held at the start of
// the run plus what the steps before changed.
func (e *cardEnv) fail(ctx context.Context, st store.Step, cause error, log *slog.Logger) error {
	log.Warn("step failed", "err", cause)
	if st.State == store.StepPending {
		if _, err := e.r.cfg.Store.StartStep(ctx, e.lease, st.Index); err != nil {
			return fmt.Errorf("starting step %d: %w", st.Index, err)
		}
	}
	res := store.StepResult{State: store.StepFailed, Error: cause.Error()}
	if e.bound {
		res.Card = &e.snap.Card
	}
	job, err := e.r.cfg.Store.FinishStep(ctx, e.lease, st.Index, res)
	if err != nil {
		return fmt.Errorf("recording the failure of step %d (%v): %w", st.Index, cause, err)
	}
	e.job = job
	return nil
}

// failFirst fails the first step not done with cause.
func (e *cardEnv) failFirst(ctx context.Context, cause error, log *slog.Logger) error {
	for _, st := range e.job.Steps {
		if st.State != store.StepDone {
			return e.fail(ctx, st, cause, log)
		}
	}
	return nil
}
