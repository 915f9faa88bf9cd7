package store

import (
	"context"
	"encoding/json"
	"time"
)

// Jobs holds jobs (a persisted plan of steps for one card), their key-slot
// reservations and campaigns.
//
// A worker runs a job like this: ClaimJob takes a lease on the next runnable
// job; for each step, StartStep marks it running (counting the attempt) before
// any APDU is sent, and FinishStep records its outcome before the next step may
// start. A worker that dies leaves its step running; once the lease expires
// another worker claims the job, sees the running step and its attempt count,
// probes the card to learn whether the step committed, and either finishes it
// or starts it again. Before generating a key, a worker reserves its slot with
// ReserveKeySlot; a resumed job gets the same label back and reuses the key.
//
// Every call that changes a claimed job takes the Lease; a stale lease gets
// ErrLeaseLost. On PostgreSQL, claims use SELECT … FOR UPDATE SKIP LOCKED, so
// several TSM instances can share the queue; SQLite serialises writers.
type Jobs interface {
	// CreateJob stores a job with its steps, all pending.
	CreateJob(ctx context.Context, j NewJob) (Job, error)
	// CreateJobs stores several jobs, all or none, as if by CreateJob one
	// after another in slice order (claims take them in that order), and
	// returns their IDs. It is how a campaign's jobs are created: one
	// transaction instead of one per card.
	CreateJobs(ctx context.Context, js []NewJob) ([]string, error)
	// Job returns a job with its steps, or ErrNotFound.
	Job(ctx context.Context, id string) (Job, error)
	// ListJobs lists jobs (without steps) matching f, oldest first.
	ListJobs(ctx context.Context, f JobFilter) ([]Job, error)
	// CancelJob stops a pending or running job: no further step starts; a
	// step already running may still record its outcome. Cancelling a
	// finished job is ErrConflict.
	CancelJob(ctx context.Context, id string) error

	// ClaimJob leases the oldest runnable job to worker for ttl: a pending
	// job, or a running one whose lease has expired. It respects campaign
	// concurrency. It returns ErrNotFound when no job is ready; under
	// contention between instances it may return ErrNotFound while a job is
	// still queued, so callers poll. Its cost does not grow with the number
	// of queued jobs.
	ClaimJob(ctx context.Context, worker string, ttl time.Duration) (Claim, error)
	// ClaimJobForCard is ClaimJob restricted to the jobs bound to card cin,
	// for an executor that has the card in front of it (a reader station):
	// it leases the card's oldest runnable job, pending or resumable, within
	// its campaign's concurrency, or returns ErrNotFound.
	ClaimJobForCard(ctx context.Context, worker string, ttl time.Duration, cin []byte) (Claim, error)
	// RenewLease extends a lease by ttl from now.
	RenewLease(ctx context.Context, l Lease, ttl time.Duration) (Lease, error)
	// ReleaseLease gives a job back without finishing it (e.g. the terminal
	// went away); another worker may claim it at once.
	ReleaseLease(ctx context.Context, l Lease) error
	// SetJobCard binds a job created with a selector to the card found.
	// Binding a different CIN than one already bound is ErrConflict.
	SetJobCard(ctx context.Context, l Lease, cin []byte) error
	// StartStep marks step index running and counts an attempt. The step must
	// be the first step not done, pending or (when resuming) running, and the
	// job must not be cancelled; otherwise ErrConflict.
	StartStep(ctx context.Context, l Lease, index int) (Step, error)
	// FinishStep records the outcome of a running step (ErrConflict if it is
	// not running) and, in the same transaction, appends r.Audit to the audit
	// log, stores r.Card as the card's inventory snapshot and starts the next
	// step (r.StartNext), each if set. The job becomes done after its last
	// step, failed after a failed step; either way the lease ends. It returns
	// the updated job.
	FinishStep(ctx context.Context, l Lease, index int, r StepResult) (Job, error)
	// ReserveKeySlot records that job l.JobID will put the key set s.KVN into
	// SD s.SDAID of card s.CardCIN, held in the keystore under s.KeyLabel,
	// before the key is generated. If the job already reserved that slot it
	// returns the earlier reservation and created=false: reuse its label. A
	// label already used for another slot is ErrConflict.
	ReserveKeySlot(ctx context.Context, l Lease, s KeySlot) (slot KeySlot, created bool, err error)
	// KeySlots lists the slots a job reserved, ordered by reservation time,
	// then label.
	KeySlots(ctx context.Context, jobID string) ([]KeySlot, error)

	// CreateCampaign stores a campaign; its jobs are created with CreateJob
	// and NewJob.CampaignID.
	CreateCampaign(ctx context.Context, c NewCampaign) (Campaign, error)
	// Campaign returns a campaign with its job counts, or ErrNotFound.
	Campaign(ctx context.Context, id string) (Campaign, error)
	// JobCounts returns how many jobs of the whole store (campaign or not)
	// are in each state; every state has an entry, zero included. The
	// counts are read in one transaction.
	JobCounts(ctx context.Context) (map[JobState]int, error)
}

// JobState is the state of a job. The zero value is unset.
type JobState string

// Job states.
const (
	JobPending   JobState = "pending"   // no step started yet
	JobRunning   JobState = "running"   // claimed at least once, not finished
	JobDone      JobState = "done"      // every step done
	JobFailed    JobState = "failed"    // a step failed
	JobCancelled JobState = "cancelled" // stopped by an operator
)

// StepState is the state of a step. The zero value is unset.
type StepState string

// Step states.
const (
	StepPending StepState = "pending"
	StepRunning StepState = "running" // started; outcome not yet recorded
	StepDone    StepState = "done"
	StepFailed  StepState = "failed"
)

// NewJob is what CreateJob needs. Either CardCIN or Selector is set.
type NewJob struct {
	CampaignID string     // optional; must name a stored campaign
	CardCIN    []byte     // the target card, if known
	Selector   string     // how to find the card when its CIN is not yet known, e.g. a terminal ID
	Plan       string     // plan name, e.g. "provision-ssd"
	Steps      []StepSpec // at least one
}

// StepSpec is one planned step. Params must not contain secrets; member names
// that look like key material are refused (ErrSecretField).
type StepSpec struct {
	Kind   string          // e.g. "create-ssd", "put-keys", "load", "install", "personalise"
	Params json.RawMessage // JSON object or null
}

// Job is a stored job. Steps is filled by Job and by FinishStep, not by ListJobs.
type Job struct {
	ID         string
	CampaignID string
	CardCIN    []byte
	Selector   string
	Plan       string
	State      JobState
	Steps      []Step
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Step is a stored step.
type Step struct {
	JobID      string
	Index      int // 0-based position in the plan
	Kind       string
	Params     json.RawMessage
	State      StepState
	Attempts   int             // times StartStep ran
	Outcome    json.RawMessage // what FinishStep recorded (null until then)
	Error      string          // failure text, empty unless failed
	StartedAt  time.Time       // last StartStep, zero if never started
	FinishedAt time.Time       // FinishStep, zero until then
}

// StepResult is what FinishStep records.
type StepResult struct {
	State   StepState       // StepDone or StepFailed
	Outcome json.RawMessage // JSON without secrets (e.g. KVN and KCVs put)
	Error   string          // for StepFailed
	Audit   *AuditRecord    // optional audit entry for the card change
	// Card, if set, is stored as the inventory snapshot of the job's card
	// (as PutCard does, KCVs kept the same way) in the same transaction as
	// the outcome. Writing the inventory under the lease means a worker
	// that lost its lease cannot overwrite a newer snapshot with an older
	// one. Its CIN must be the card the job is bound to (ErrConflict).
	Card *Card
	// StartNext, for a done step of a job that goes on, also marks the next
	// step running and counts its attempt, as StartStep would, in the same
	// transaction: the worker may send the next step's commands as soon as
	// FinishStep returns. It is ignored after the last step, after a failed
	// step and for a cancelled job.
	StartNext bool
}

// Lease is a worker's hold on a claimed job. Token is a fencing token: only
// the most recent claim's token is accepted. An expired lease still works
// until another worker claims the job; workers renew well before Expires.
type Lease struct {
	JobID   string
	Worker  string
	Token   string
	Expires time.Time
}

// Claim is what ClaimJob returns: the job with its steps and the lease.
type Claim struct {
	Job   Job
	Lease Lease
}

// JobFilter selects jobs. Zero fields match everything.
type JobFilter struct {
	CampaignID string
	CardCIN    []byte
	State      JobState
	Limit      int // at most this many (0: 100; capped at 1000)
}

// KeySlot is a key-slot reservation: which keystore label holds the key set
// a job puts into (card, SD, KVN). It holds no key material.
type KeySlot struct {
	JobID     string // set by the store from the lease
	CardCIN   []byte
	SDAID     []byte
	KVN       byte
	KeyLabel  string
	CreatedAt time.Time
}

// NewCampaign is what CreateCampaign needs.
type NewCampaign struct {
	Name        string
	Plan        string
	Selection   json.RawMessage // which cards, as JSON (no secrets)
	Concurrency int             // jobs of this campaign leased at once, at least 1
}

// Campaign is a stored campaign with the counts of its jobs by state.
type Campaign struct {
	ID          string
	Name        string
	Plan        string
	Selection   json.RawMessage
	Concurrency int
	Counts      map[JobState]int // filled by Campaign
	CreatedAt   time.Time
}

// Validate checks that j can be stored.
func (j NewJob) Validate() error {
	if (len(j.CardCIN) == 0) == (j.Selector == "") {
		return invalidf("job needs exactly one of card CIN and selector")
	}
	if len(j.CardCIN) > 64 {
		return invalidf("job card CIN longer than 64 bytes")
	}
	if j.Plan == "" || len(j.Steps) == 0 {
		return invalidf("job needs a plan and at least one step")
	}
	for i, s := range j.Steps {
		if s.Kind == "" {
			return invalidf("step %d: empty kind", i)
		}
		if err := CheckJSON(s.Params); err != nil {
			return wrapf(err, "step %d params", i)
		}
	}
	return nil
}

// Validate checks that r can be recorded.
func (r StepResult) Validate() error {
	if r.State != StepDone && r.State != StepFailed {
		return invalidf("step result state must be done or failed, not %q", r.State)
	}
	if err := CheckJSON(r.Outcome); err != nil {
		return wrapf(err, "step outcome")
	}
	if r.Audit != nil {
		if err := r.Audit.Validate(); err != nil {
			return err
		}
	}
	if r.Card != nil {
		return r.Card.Validate()
	}
	return nil
}

// Validate checks that s can be reserved.
func (s KeySlot) Validate() error {
	if len(s.CardCIN) == 0 || len(s.SDAID) == 0 || s.KeyLabel == "" {
		return invalidf("key slot needs card CIN, SD AID and key label")
	}
	return nil
}

// Validate checks that c can be stored.
func (c NewCampaign) Validate() error {
	if c.Name == "" || c.Plan == "" {
		return invalidf("campaign needs a name and a plan")
	}
	if c.Concurrency < 1 {
		return invalidf("campaign %q: concurrency must be at least 1", c.Name)
	}
	return wrapf(CheckJSON(c.Selection), "campaign selection")
}
