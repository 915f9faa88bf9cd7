package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/cardhost/cardhost/tsm/store"
)

// fullCampaigns lists the campaigns holding as many live leases ($1 = now)
// as their concurrency allows. Only leased jobs are running ones (a claim
// makes a job running), so it reads the running jobs alone, through the
// jobs_claim index, however many jobs are queued.
const fullCampaigns = `SELECT r.campaign_id FROM jobs r WHERE r.state = 'running' AND r.lease_token IS NOT NULL
	AND r.lease_expires >= $1 AND r.campaign_id IS NOT NULL GROUP BY r.campaign_id
	HAVING COUNT(*) >= (SELECT c.concurrency FROM campaigns c WHERE c.id = r.campaign_id)`

// claimQueues are the two halves of the queue, each read in claim order
// through the jobs_claim index (state, created_at, id) and stopping at its
// first row: pending jobs, and running jobs whose lease is free or expired
// (resumable). {{card}} restricts them to one card ($2).
var claimQueues = []string{
	`SELECT j.id, j.campaign_id, j.created_at FROM jobs j WHERE j.state = 'pending'{{card}}
		AND (j.campaign_id IS NULL OR j.campaign_id NOT IN (` + fullCampaigns + `))
		ORDER BY j.state, j.created_at, j.id LIMIT 1`,
	`SELECT j.id, j.campaign_id, j.created_at FROM jobs j WHERE j.state = 'running'{{card}}
		AND (j.lease_token IS NULL OR j.lease_expires < $1)
		AND (j.campaign_id IS NULL OR j.campaign_id NOT IN (` + fullCampaigns + `))
		ORDER BY j.state, j.created_at, j.id LIMIT 1`,
}

// ClaimJob implements store.Jobs.
func (s *Store) ClaimJob(ctx context.Context, worker string, ttl time.Duration) (store.Claim, error) {
	return s.claim(ctx, worker, ttl, nil)
}

// ClaimJobForCard implements store.Jobs.
func (s *Store) ClaimJobForCard(ctx context.Context, worker string, ttl time.Duration, cin []byte) (store.Claim, error) {
	if len(cin) == 0 || len(cin) > 64 {
		return store.Claim{}, fmt.Errorf("%w: card CIN must be 1..64 bytes", store.ErrInvalid)
	}
	return s.claim(ctx, worker, ttl, cin)
}

// claim leases the oldest runnable job, of card cin if not nil.
func (s *Store) claim(ctx context.Context, worker string, ttl time.Duration, cin []byte) (store.Claim, error) {
	if worker == "" || ttl <= 0 {
		return store.Claim{}, fmt.Errorf("%w: claim needs a worker and a positive ttl", store.ErrInvalid)
	}
	token, err := s.newID()
	if err != nil {
		return store.Claim{}, err
	}
	now := s.stamp()
	l := store.Lease{Worker: worker, Token: token, Expires: time.UnixMicro(now + ttl.Microseconds()).UTC()}
	args, card := []any{now}, ""
	if cin != nil {
		args, card = append(args, hx(cin)), " AND j.card_cin = $2"
	}
	var job store.Job
	err = s.inTx(ctx, func(tx txn) error {
		var (
			campaign sql.NullString
			created  int64
			found    bool
		)
		for _, q := range claimQueues {
			var id string
			var c sql.NullString
			var at int64
			err := tx.QueryRowContext(ctx, strings.Replace(q, "{{card}}", card, 1)+s.d.SkipLocked, args...).Scan(&id, &c, &at)
			if errors.Is(err, sql.ErrNoRows) {
				continue
			}
			if err != nil {
				return err
			}
			if !found || at < created || (at == created && id < l.JobID) {
				l.JobID, campaign, created, found = id, c, at, true
			}
		}
		if !found {
			return fmt.Errorf("%w: no runnable job", store.ErrNotFound)
		}
		// The queue queries saw only campaigns with room; where writers run
		// concurrently (row locks), another instance may have claimed
		// since, so lock the campaign and count again.
		if campaign.Valid && s.d.LockRows != "" {
			if err := s.campaignRoom(ctx, tx, campaign.String, l.JobID, now); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE jobs SET state = 'running', lease_worker = $2, lease_token = $3,
			lease_expires = $4, updated_at = $5 WHERE id = $1`,
			l.JobID, worker, token, l.Expires.UnixMicro(), now); err != nil {
			return err
		}
		job, err = loadJob(ctx, tx, l.JobID)
		return err
	})
	if err != nil {
		return store.Claim{}, err
	}
	return store.Claim{Job: job, Lease: l}, nil
}

// campaignRoom locks the campaign row, so claims within one campaign are
// serialised across instances, and checks that one more job may run.
func (s *Store) campaignRoom(ctx context.Context, tx txn, campaign, jobID string, now int64) error {
	var limit, leased int
	if err := tx.QueryRowContext(ctx, `SELECT concurrency FROM campaigns WHERE id = $1`+s.d.LockRows,
		campaign).Scan(&limit); err != nil {
		return err
	}
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM jobs WHERE campaign_id = $1
		AND state = 'running' AND lease_token IS NOT NULL AND lease_expires >= $2 AND id <> $3`,
		campaign, now, jobID).Scan(&leased); err != nil {
		return err
	}
	if leased >= limit {
		return fmt.Errorf("%w: campaign %s is at its concurrency limit", store.ErrNotFound, campaign)
	}
	return nil
}

// checkLease locks the job row and checks that l is its current lease. It
// returns the job state and the bound card CIN (hex, "" if none).
func (s *Store) checkLease(ctx context.Context, tx txn, l store.Lease) (store.JobState, string, error) {
	var token, cin sql.NullString
	var state string
	err := tx.QueryRowContext(ctx, `SELECT lease_token, state, card_cin FROM jobs WHERE id = $1`+s.d.LockRows,
		l.JobID).Scan(&token, &state, &cin)
	if err != nil {
		return "", "", notFound(err, "job "+l.JobID)
	}
	if !token.Valid || l.Token == "" || token.String != l.Token {
		return "", "", fmt.Errorf("%w: job %s", store.ErrLeaseLost, l.JobID)
	}
	return store.JobState(state), cin.String, nil
}

// RenewLease implements store.Jobs.
func (s *Store) RenewLease(ctx context.Context, l store.Lease, ttl time.Duration) (store.Lease, error) {
	if ttl <= 0 {
		return l, fmt.Errorf("%w: lease ttl must be positive", store.ErrInvalid)
	}
	now := s.stamp()
	err := s.inTx(ctx, func(tx txn) error {
		if _, _, err := s.checkLease(ctx, tx, l); err != nil {
			return err
		}
		l.Expires = time.UnixMicro(now + ttl.Microseconds()).UTC()
		_, err := tx.ExecContext(ctx, `UPDATE jobs SET lease_expires = $2 WHERE id = $1`, l.JobID, l.Expires.UnixMicro())
		return err
	})
	return l, err
}

// ReleaseLease implements store.Jobs.
func (s *Store) ReleaseLease(ctx context.Context, l store.Lease) error {
	return s.inTx(ctx, func(tx txn) error {
		if _, _, err := s.checkLease(ctx, tx, l); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE jobs SET lease_worker = NULL, lease_token = NULL, lease_expires = NULL,
			updated_at = $2 WHERE id = $1`, l.JobID, s.stamp())
		return err
	})
}

// SetJobCard implements store.Jobs.
func (s *Store) SetJobCard(ctx context.Context, l store.Lease, cin []byte) error {
	if len(cin) == 0 || len(cin) > 64 {
		return fmt.Errorf("%w: card CIN must be 1..64 bytes", store.ErrInvalid)
	}
	return s.inTx(ctx, func(tx txn) error {
		_, bound, err := s.checkLease(ctx, tx, l)
		if err != nil {
			return err
		}
		if bound != "" && bound != hx(cin) {
			return fmt.Errorf("%w: job %s is bound to card %s", store.ErrConflict, l.JobID, bound)
		}
		_, err = tx.ExecContext(ctx, `UPDATE jobs SET card_cin = $2, updated_at = $3 WHERE id = $1`,
			l.JobID, hx(cin), s.stamp())
		return err
	})
}

// stepState locks and reads the state of one step.
func (s *Store) stepState(ctx context.Context, tx txn, jobID string, index int) (store.StepState, error) {
	var state string
	err := tx.QueryRowContext(ctx, `SELECT state FROM job_steps WHERE job_id = $1 AND idx = $2`+s.d.LockRows,
		jobID, index).Scan(&state)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("%w: job %s step %d", store.ErrNotFound, jobID, index)
	}
	return store.StepState(state), err
}
