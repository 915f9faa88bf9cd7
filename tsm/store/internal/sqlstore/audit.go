package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/cardhost/cardhost/tsm/store"
)

// AppendAudit implements store.Audit.
func (s *Store) AppendAudit(ctx context.Context, r store.AuditRecord) (store.AuditEntry, error) {
	if err := r.Validate(); err != nil {
		return store.AuditEntry{}, err
	}
	var e store.AuditEntry
	err := s.inTx(ctx, func(tx txn) error {
		var err error
		e, err = s.appendAudit(ctx, tx, r, s.stamp())
		return err
	})
	return e, err
}

// appendAudit appends r in tx. Bumping the single-row head first takes its
// row lock (PostgreSQL) or runs under the one writer (SQLite), so appends are
// serialised and sequence numbers gapless.
func (s *Store) appendAudit(ctx context.Context, tx txn, r store.AuditRecord, now int64) (store.AuditEntry, error) {
	e := store.AuditEntry{Time: time.UnixMicro(now).UTC(), Actor: r.Actor, CardCIN: r.CardCIN,
		Operation: r.Operation, Details: rawJSON(compact(r.Details))}
	var prev string
	if err := tx.QueryRowContext(ctx, `UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash`).
		Scan(&e.Seq, &prev); err != nil {
		return e, fmt.Errorf("advancing audit head: %w", err)
	}
	if err := decodeHash(prev, &e.PrevHash); err != nil {
		return e, err
	}
	e.Hash = e.ChainHash()
	if _, err := tx.ExecContext(ctx, `INSERT INTO audit_log (seq, at, actor, card_cin, operation, details,
		prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, e.Seq, now, e.Actor, hx(e.CardCIN), e.Operation,
		string(e.Details), hashText(e.PrevHash), hx(e.Hash[:])); err != nil {
		return e, err
	}
	_, err := tx.ExecContext(ctx, `UPDATE audit_head SET hash = $1 WHERE id = 1`, hx(e.Hash[:]))
	return e, err
}

// hashText encodes a chain hash; the zero hash (no predecessor) is "".
func hashText(h [32]byte) string {
	if h == ([32]byte{}) {
		return ""
	}
	return hx(h[:])
}

// decodeHash reads a hash written by hashText.
func decodeHash(s string, h *[32]byte) error {
	b, err := unhx(s)
	if err != nil || (len(b) != 0 && len(b) != len(h)) {
		return fmt.Errorf("store: corrupt audit hash %q", s)
	}
	*h = [32]byte{}
	copy(h[:], b)
	return nil
}

// auditColumns are the columns scanAudit reads.
const auditColumns = `seq, at, actor, card_cin, operation, details, prev_hash, hash`

// scanAudit converts one audit_log row.
func scanAudit(r scanner) (store.AuditEntry, error) {
	var e store.AuditEntry
	var at int64
	var cin, details, prev, hash string
	if err := r.Scan(&e.Seq, &at, &e.Actor, &cin, &e.Operation, &details, &prev, &hash); err != nil {
		return e, err
	}
	e.Time, e.Details = time.UnixMicro(at).UTC(), rawJSON(details)
	if err := decodeHash(prev, &e.PrevHash); err != nil {
		return e, err
	}
	if err := decodeHash(hash, &e.Hash); err != nil {
		return e, err
	}
	return e, unhxAll(cin, &e.CardCIN)
}

// AuditLog implements store.Audit.
func (s *Store) AuditLog(ctx context.Context, f store.AuditFilter) ([]store.AuditEntry, error) {
	return queryAll(ctx, s.db, scanAudit, `SELECT `+auditColumns+` FROM audit_log WHERE seq > $1
		ORDER BY seq LIMIT $2`, f.AfterSeq, limit(f.Limit))
}

// VerifyAudit implements store.Audit. It streams the log in one read
// transaction, so a concurrent append does not make it fail.
func (s *Store) VerifyAudit(ctx context.Context) (store.AuditSummary, error) {
	var sum store.AuditSummary
	err := s.readTx(ctx, func(tx txn) error {
		var headSeq int64
		var headHash string
		if err := tx.QueryRowContext(ctx, `SELECT seq, hash FROM audit_head WHERE id = 1`).
			Scan(&headSeq, &headHash); err != nil {
			return fmt.Errorf("reading audit head: %w", err)
		}
		rows, err := tx.QueryContext(ctx, `SELECT `+auditColumns+` FROM audit_log ORDER BY seq`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			e, err := scanAudit(rows)
			if err != nil {
				return &store.AuditError{Seq: sum.Entries + 1, Reason: err.Error()}
			}
			if err := checkLink(e, sum); err != nil {
				return err
			}
			sum.Entries, sum.Head = e.Seq, e.Hash
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if headSeq != sum.Entries || headHash != hashText(sum.Head) {
			return &store.AuditError{Seq: headSeq, Reason: fmt.Sprintf(
				"chain head names seq %d, log ends at seq %d with another hash", headSeq, sum.Entries)}
		}
		return nil
	})
	return sum, err
}

// checkLink checks that e follows the verified prefix summarised by sum and
// that its stored hash is its chain hash.
func checkLink(e store.AuditEntry, sum store.AuditSummary) error {
	switch {
	case e.Seq != sum.Entries+1:
		return &store.AuditError{Seq: sum.Entries + 1, Reason: fmt.Sprintf("missing; next row is seq %d", e.Seq)}
	case e.PrevHash != sum.Head:
		return &store.AuditError{Seq: e.Seq, Reason: "previous-hash link broken"}
	case e.Hash != e.ChainHash():
		return &store.AuditError{Seq: e.Seq, Reason: "hash mismatch"}
	}
	return nil
}
