package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
)

// maxGroup bounds how many queued write transactions one database
// transaction takes.
const maxGroup = 64

// group is the queue of write transactions waiting for a group commit.
type group struct {
	mu      sync.Mutex
	queue   []*groupWrite
	leading bool // a caller is running the queue
}

// groupWrite is one caller's write transaction in the queue.
type groupWrite struct {
	ctx  context.Context
	fn   func(tx txn) error
	err  error
	done chan struct{}
}

// groupCommit runs fn as part of a group commit. The caller that finds no
// group under way leads: it takes the queue (its own fn included), runs each
// fn in one database transaction inside a savepoint that is rolled back if
// the fn fails, commits once, reports to every caller, and goes on while
// writes keep arriving. A fn therefore sees the writes of the fns before it
// in the group, exactly as if the transactions had run one after another,
// and its changes are kept if and only if it returns nil and the commit
// succeeds. A caller always waits for its own fn to have run: a cancelled
// ctx makes the fn's statements fail (and be rolled back) rather than leave
// a write that might still commit after the caller gave up.
func (s *Store) groupCommit(ctx context.Context, fn func(tx txn) error) error {
	w := &groupWrite{ctx: ctx, fn: fn, done: make(chan struct{})}
	g := &s.group
	g.mu.Lock()
	g.queue = append(g.queue, w)
	if g.leading {
		g.mu.Unlock()
		<-w.done
		return w.err
	}
	g.leading = true
	for {
		batch := g.queue[:min(len(g.queue), maxGroup)]
		g.queue = g.queue[len(batch):]
		if len(batch) == 0 {
			g.leading = false
			g.mu.Unlock()
			break
		}
		g.mu.Unlock()
		s.runGroup(batch)
		g.mu.Lock()
	}
	<-w.done
	return w.err
}

// runGroup runs batch in one database transaction and closes every done.
func (s *Store) runGroup(batch []*groupWrite) {
	defer func() {
		for _, w := range batch {
			close(w.done)
		}
	}()
	// The transaction outlives any one caller's context; each fn's
	// statements run under its own.
	tx, err := s.db.BeginTx(context.WithoutCancel(batch[0].ctx), nil)
	if err != nil {
		for _, w := range batch {
			w.err = err
		}
		return
	}
	t := txn{tx, s}
	ok := 0
	for _, w := range batch {
		if err := w.ctx.Err(); err != nil {
			w.err = err
			continue
		}
		if _, err := tx.ExecContext(w.ctx, `SAVEPOINT write`); err != nil {
			w.err = err
			continue
		}
		w.err = w.fn(t)
		if w.err != nil {
			if rerr := rollbackTo(tx); rerr != nil {
				// The transaction is unusable: nothing of it commits.
				tx.Rollback()
				for _, o := range batch {
					if o.err == nil {
						o.err = fmt.Errorf("group commit: %w (after %v)", rerr, w.err)
					}
				}
				return
			}
			continue
		}
		if _, err := tx.ExecContext(context.WithoutCancel(w.ctx), `RELEASE write`); err != nil {
			tx.Rollback()
			for _, o := range batch {
				if o.err == nil {
					o.err = fmt.Errorf("group commit: %w", err)
				}
			}
			return
		}
		ok++
	}
	if ok == 0 {
		tx.Rollback()
		return
	}
	if err := tx.Commit(); err != nil {
		for _, w := range batch {
			if w.err == nil {
				w.err = err
			}
		}
	}
}

// rollbackTo undoes the writes of the fn that failed and ends its savepoint.
func rollbackTo(tx *sql.Tx) error {
	ctx := context.Background()
	if _, err := tx.ExecContext(ctx, `ROLLBACK TO write`); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `RELEASE write`)
	return err
}
