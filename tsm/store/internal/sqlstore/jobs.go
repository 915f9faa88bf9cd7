package sqlstore

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/cardhost/cardhost/tsm/store"
)

// CreateJob implements store.Jobs.
func (s *Store) CreateJob(ctx context.Context, j store.NewJob) (store.Job, error) {
	if err := j.Validate(); err != nil {
		return store.Job{}, err
	}
	id, err := s.newID()
	if err != nil {
		return store.Job{}, err
	}
	var job store.Job
	err = s.inTx(ctx, func(tx txn) error {
		if err := insertJob(ctx, tx, id, j, s.stamp()); err != nil {
			return err
		}
		job, err = loadJob(ctx, tx, id)
		return err
	})
	if err != nil {
		return store.Job{}, fmt.Errorf("creating job: %w", err)
	}
	return job, nil
}

// CreateJobs implements store.Jobs. The jobs get creation times one
// microsecond apart, so claims take them in slice order.
func (s *Store) CreateJobs(ctx context.Context, js []store.NewJob) ([]string, error) {
	ids := make([]string, len(js))
	for i, j := range js {
		if err := j.Validate(); err != nil {
			return nil, fmt.Errorf("job %d: %w", i, err)
		}
		id, err := s.newID()
		if err != nil {
			return nil, err
		}
		ids[i] = id
	}
	err := s.inTx(ctx, func(tx txn) error {
		now := s.stamp()
		for i, j := range js {
			if err := insertJob(ctx, tx, ids[i], j, now+int64(i)); err != nil {
				return fmt.Errorf("job %d: %w", i, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("creating jobs: %w", err)
	}
	return ids, nil
}

// insertJob inserts the validated job j with its steps as id, created at now.
func insertJob(ctx context.Context, tx txn, id string, j store.NewJob, now int64) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO jobs (id, campaign_id, card_cin, selector, plan, state,
		created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 'pending', $6, $6)`,
		id, nullString(j.CampaignID), nullString(hx(j.CardCIN)), j.Selector, j.Plan, now); err != nil {
		return err
	}
	for i, st := range j.Steps {
		if _, err := tx.ExecContext(ctx, `INSERT INTO job_steps (job_id, idx, kind, params, state)
			VALUES ($1, $2, $3, $4, 'pending')`, id, i, st.Kind, compact(st.Params)); err != nil {
			return err
		}
	}
	return nil
}

// nullString stores "" as NULL.
func nullString(v string) sql.NullString { return sql.NullString{String: v, Valid: v != ""} }

// compact returns raw without insignificant white space, or "" for an empty
// document. raw has been validated by store.CheckJSON.
func compact(raw json.RawMessage) string {
	var b bytes.Buffer
	if len(raw) == 0 || json.Compact(&b, raw) != nil {
		return ""
	}
	return b.String()
}

// rawJSON turns a stored document back into json.RawMessage (nil for "").
func rawJSON(s string) json.RawMessage {
	if s == "" {
		return nil
	}
	return json.RawMessage(s)
}

// Job implements store.Jobs.
func (s *Store) Job(ctx context.Context, id string) (store.Job, error) {
	var j store.Job
	err := s.readTx(ctx, func(tx txn) error {
		var err error
		j, err = loadJob(ctx, tx, id)
		return err
	})
	return j, err
}

// jobColumns are the columns scanJob reads.
const jobColumns = `id, campaign_id, card_cin, selector, plan, state, created_at, updated_at`

// loadJob reads one job with its steps.
func loadJob(ctx context.Context, q querier, id string) (store.Job, error) {
	j, err := scanJob(q.QueryRowContext(ctx, `SELECT `+jobColumns+` FROM jobs WHERE id = $1`, id))
	if err != nil {
		return j, notFound(err, "job "+id)
	}
	j.Steps, err = queryAll(ctx, q, scanStep, `SELECT job_id, idx, kind, params, state, attempts, outcome, error,
		started_at, finished_at FROM job_steps WHERE job_id = $1 ORDER BY idx`, id)
	return j, err
}

// scanJob converts one jobs row.
func scanJob(r scanner) (store.Job, error) {
	var j store.Job
	var campaign, cin sql.NullString
	var state string
	var created, updated sql.NullInt64
	if err := r.Scan(&j.ID, &campaign, &cin, &j.Selector, &j.Plan, &state, &created, &updated); err != nil {
		return j, err
	}
	j.CampaignID, j.State, j.CreatedAt, j.UpdatedAt = campaign.String, store.JobState(state), micros(created), micros(updated)
	return j, unhxAll(cin.String, &j.CardCIN)
}

// scanStep converts one job_steps row.
func scanStep(r scanner) (store.Step, error) {
	var st store.Step
	var params, state, outcome string
	var started, finished sql.NullInt64
	if err := r.Scan(&st.JobID, &st.Index, &st.Kind, &params, &state, &st.Attempts, &outcome, &st.Error,
		&started, &finished); err != nil {
		return st, err
	}
	st.Params, st.State, st.Outcome = rawJSON(params), store.StepState(state), rawJSON(outcome)
	st.StartedAt, st.FinishedAt = micros(started), micros(finished)
	return st, nil
}

// ListJobs implements store.Jobs.
func (s *Store) ListJobs(ctx context.Context, f store.JobFilter) ([]store.Job, error) {
	return queryAll(ctx, s.db, scanJob, `SELECT `+jobColumns+` FROM jobs
		WHERE ($1 = '' OR campaign_id = $1) AND ($2 = '' OR card_cin = $2) AND ($3 = '' OR state = $3)
		ORDER BY created_at, id LIMIT $4`, f.CampaignID, hx(f.CardCIN), string(f.State), limit(f.Limit))
}

// CancelJob implements store.Jobs.
func (s *Store) CancelJob(ctx context.Context, id string) error {
	return s.inTx(ctx, func(tx txn) error {
		var state string
		if err := tx.QueryRowContext(ctx, `SELECT state FROM jobs WHERE id = $1`+s.d.LockRows, id).Scan(&state); err != nil {
			return notFound(err, "job "+id)
		}
		if state != string(store.JobPending) && state != string(store.JobRunning) {
			return fmt.Errorf("%w: job %s is %s", store.ErrConflict, id, state)
		}
		_, err := tx.ExecContext(ctx, `UPDATE jobs SET state = 'cancelled', updated_at = $2 WHERE id = $1`, id, s.stamp())
		return err
	})
}

// CreateCampaign implements store.Jobs.
func (s *Store) CreateCampaign(ctx context.Context, c store.NewCampaign) (store.Campaign, error) {
	if err := c.Validate(); err != nil {
		return store.Campaign{}, err
	}
	id, err := s.newID()
	if err != nil {
		return store.Campaign{}, err
	}
	if _, err := s.db.ExecContext(ctx, `INSERT INTO campaigns (id, name, plan, selection, concurrency, created_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, id, c.Name, c.Plan, compact(c.Selection), c.Concurrency, s.stamp()); err != nil {
		return store.Campaign{}, fmt.Errorf("creating campaign: %w", s.wrap(err))
	}
	return s.Campaign(ctx, id)
}

// JobCounts implements store.Jobs. The jobs_claim index (state, …) covers
// the count.
func (s *Store) JobCounts(ctx context.Context) (map[store.JobState]int, error) {
	out := map[store.JobState]int{store.JobPending: 0, store.JobRunning: 0, store.JobDone: 0,
		store.JobFailed: 0, store.JobCancelled: 0}
	err := s.readTx(ctx, func(tx txn) error {
		type count struct {
			state string
			n     int
		}
		counts, err := queryAll(ctx, tx, func(r scanner) (count, error) {
			var c count
			return c, r.Scan(&c.state, &c.n)
		}, `SELECT state, COUNT(*) FROM jobs GROUP BY state`)
		for _, n := range counts {
			out[store.JobState(n.state)] = n.n
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Campaign implements store.Jobs.
func (s *Store) Campaign(ctx context.Context, id string) (store.Campaign, error) {
	var c store.Campaign
	err := s.readTx(ctx, func(tx txn) error {
		var sel string
		var created sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT id, name, plan, selection, concurrency, created_at
			FROM campaigns WHERE id = $1`, id).Scan(&c.ID, &c.Name, &c.Plan, &sel, &c.Concurrency, &created); err != nil {
			return notFound(err, "campaign "+id)
		}
		c.Selection, c.CreatedAt = rawJSON(sel), micros(created)
		c.Counts = map[store.JobState]int{store.JobPending: 0, store.JobRunning: 0, store.JobDone: 0,
			store.JobFailed: 0, store.JobCancelled: 0}
		type count struct {
			state string
			n     int
		}
		counts, err := queryAll(ctx, tx, func(r scanner) (count, error) {
			var c count
			return c, r.Scan(&c.state, &c.n)
		}, `SELECT state, COUNT(*) FROM jobs WHERE campaign_id = $1 GROUP BY state`, id)
		for _, n := range counts {
			c.Counts[store.JobState(n.state)] = n.n
		}
		return err
	})
	return c, err
}
