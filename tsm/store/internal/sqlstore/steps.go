package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/cardhost/cardhost/tsm/store"
)

// StartStep implements store.Jobs.
func (s *Store) StartStep(ctx context.Context, l store.Lease, index int) (store.Step, error) {
	var st store.Step
	err := s.inTx(ctx, func(tx txn) error {
		jobState, _, err := s.checkLease(ctx, tx, l)
		if err != nil {
			return err
		}
		if jobState == store.JobCancelled {
			return fmt.Errorf("%w: job %s is cancelled", store.ErrConflict, l.JobID)
		}
		if err := s.startStep(ctx, tx, l.JobID, index, s.stamp()); err != nil {
			return err
		}
		st, err = scanStep(tx.QueryRowContext(ctx, `SELECT job_id, idx, kind, params, state, attempts, outcome,
			error, started_at, finished_at FROM job_steps WHERE job_id = $1 AND idx = $2`, l.JobID, index))
		return err
	})
	return st, err
}

// startStep marks step index of job running and counts an attempt, if it is
// pending or running and every earlier step is done (ErrConflict otherwise).
func (s *Store) startStep(ctx context.Context, tx txn, jobID string, index int, now int64) error {
	state, err := s.stepState(ctx, tx, jobID, index)
	if err != nil {
		return err
	}
	if state != store.StepPending && state != store.StepRunning {
		return fmt.Errorf("%w: job %s step %d is %s", store.ErrConflict, jobID, index, state)
	}
	var open int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM job_steps WHERE job_id = $1 AND idx < $2
		AND state <> 'done'`, jobID, index).Scan(&open); err != nil {
		return err
	}
	if open > 0 {
		return fmt.Errorf("%w: job %s step %d: an earlier step is not done", store.ErrConflict, jobID, index)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE job_steps SET state = 'running', attempts = attempts + 1,
		started_at = $3 WHERE job_id = $1 AND idx = $2`, jobID, index, now); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `UPDATE jobs SET updated_at = $2 WHERE id = $1`, jobID, now)
	return err
}

// FinishStep implements store.Jobs.
func (s *Store) FinishStep(ctx context.Context, l store.Lease, index int, r store.StepResult) (store.Job, error) {
	if err := r.Validate(); err != nil {
		return store.Job{}, err
	}
	var job store.Job
	err := s.inTx(ctx, func(tx txn) error {
		jobState, bound, err := s.checkLease(ctx, tx, l)
		if err != nil {
			return err
		}
		state, err := s.stepState(ctx, tx, l.JobID, index)
		if err != nil {
			return err
		}
		if state != store.StepRunning {
			return fmt.Errorf("%w: job %s step %d is %s, not running", store.ErrConflict, l.JobID, index, state)
		}
		if r.Card != nil && bound != hx(r.Card.CIN) {
			return fmt.Errorf("%w: job %s is not bound to card %X", store.ErrConflict, l.JobID, r.Card.CIN)
		}
		now := s.stamp()
		if _, err := tx.ExecContext(ctx, `UPDATE job_steps SET state = $3, outcome = $4, error = $5,
			finished_at = $6 WHERE job_id = $1 AND idx = $2`,
			l.JobID, index, string(r.State), compact(r.Outcome), r.Error, now); err != nil {
			return err
		}
		next, err := nextJobState(ctx, tx, l.JobID, jobState, r.State)
		if err != nil {
			return err
		}
		if next != jobState || next == store.JobCancelled { // the job ends here, and its lease
			if _, err := tx.ExecContext(ctx, `UPDATE jobs SET state = $2, updated_at = $3, lease_worker = NULL,
				lease_token = NULL, lease_expires = NULL WHERE id = $1`, l.JobID, string(next), now); err != nil {
				return err
			}
		} else if _, err := tx.ExecContext(ctx, `UPDATE jobs SET updated_at = $2 WHERE id = $1`, l.JobID, now); err != nil {
			return err
		}
		if r.Audit != nil {
			if _, err := s.appendAudit(ctx, tx, *r.Audit, now); err != nil {
				return err
			}
		}
		if r.Card != nil {
			if err := s.putCard(ctx, tx, *r.Card, now); err != nil {
				return err
			}
		}
		if r.StartNext && r.State == store.StepDone && next == jobState && next != store.JobCancelled {
			// Every step up to index is done now and the job goes on, so
			// step index+1 exists and is pending (or running, if a
			// StartStep came first): start it as StartStep would.
			if _, err := tx.ExecContext(ctx, `UPDATE job_steps SET state = 'running', attempts = attempts + 1,
				started_at = $3 WHERE job_id = $1 AND idx = $2 AND state IN ('pending', 'running')`,
				l.JobID, index+1, now); err != nil {
				return err
			}
		}
		job, err = loadJob(ctx, tx, l.JobID)
		return err
	})
	return job, err
}

// nextJobState is the job state after a step finished with result: failed
// after a failure, done once every step is done, otherwise unchanged.
func nextJobState(ctx context.Context, tx txn, jobID string, cur store.JobState, result store.StepState) (store.JobState, error) {
	if result == store.StepFailed {
		return store.JobFailed, nil
	}
	var open int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM job_steps WHERE job_id = $1 AND state <> 'done'`,
		jobID).Scan(&open); err != nil {
		return "", err
	}
	if open == 0 {
		return store.JobDone, nil
	}
	return cur, nil
}

// ReserveKeySlot implements store.Jobs.
func (s *Store) ReserveKeySlot(ctx context.Context, l store.Lease, slot store.KeySlot) (store.KeySlot, bool, error) {
	if err := slot.Validate(); err != nil {
		return store.KeySlot{}, false, err
	}
	slot.JobID = l.JobID
	created := false
	err := s.inTx(ctx, func(tx txn) error {
		_, bound, err := s.checkLease(ctx, tx, l)
		if err != nil {
			return err
		}
		if bound != hx(slot.CardCIN) {
			return fmt.Errorf("%w: job %s is not bound to card %X", store.ErrConflict, l.JobID, slot.CardCIN)
		}
		existing, err := scanKeySlot(tx.QueryRowContext(ctx, `SELECT `+keySlotColumns+` FROM key_slots
			WHERE job_id = $1 AND card_cin = $2 AND sd_aid = $3 AND kvn = $4`,
			l.JobID, hx(slot.CardCIN), hx(slot.SDAID), int(slot.KVN)))
		if err == nil {
			slot = existing
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		now := s.stamp()
		if _, err := tx.ExecContext(ctx, `INSERT INTO key_slots (job_id, card_cin, sd_aid, kvn, key_label, created_at)
			VALUES ($1, $2, $3, $4, $5, $6)`, l.JobID, hx(slot.CardCIN), hx(slot.SDAID), int(slot.KVN),
			slot.KeyLabel, now); err != nil {
			return err
		}
		slot.CreatedAt, created = micros(sql.NullInt64{Int64: now, Valid: true}), true
		return nil
	})
	if err != nil {
		return store.KeySlot{}, false, err
	}
	return slot, created, nil
}

// keySlotColumns are the columns scanKeySlot reads.
const keySlotColumns = `job_id, card_cin, sd_aid, kvn, key_label, created_at`

// scanKeySlot converts one key_slots row.
func scanKeySlot(r scanner) (store.KeySlot, error) {
	var k store.KeySlot
	var cin, sd string
	var kvn int
	var created sql.NullInt64
	if err := r.Scan(&k.JobID, &cin, &sd, &kvn, &k.KeyLabel, &created); err != nil {
		return k, err
	}
	k.KVN, k.CreatedAt = byte(kvn), micros(created)
	return k, unhxAll(cin, &k.CardCIN, sd, &k.SDAID)
}

// KeySlots implements store.Jobs.
func (s *Store) KeySlots(ctx context.Context, jobID string) ([]store.KeySlot, error) {
	return queryAll(ctx, s.db, scanKeySlot, `SELECT `+keySlotColumns+` FROM key_slots WHERE job_id = $1
		ORDER BY created_at, key_label`, jobID)
}
