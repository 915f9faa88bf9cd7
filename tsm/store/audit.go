package store

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"time"
)

// Audit is the append-only, hash-chained log of card-changing operations.
type Audit interface {
	// AppendAudit appends one entry; appends are serialised, so sequence
	// numbers are gapless from 1 and each entry chains to its predecessor.
	AppendAudit(ctx context.Context, r AuditRecord) (AuditEntry, error)
	// AuditLog lists entries with Seq > f.AfterSeq, oldest first.
	AuditLog(ctx context.Context, f AuditFilter) ([]AuditEntry, error)
	// VerifyAudit walks the whole chain, recomputing every hash, and checks
	// the chain head. It returns the number of entries and the head hash, or
	// an *AuditError (matching ErrTampered) naming the first bad row.
	VerifyAudit(ctx context.Context) (AuditSummary, error)
}

// AuditRecord is what a caller appends. Details must not contain secrets
// (ErrSecretField); name keys by KVN and KCV.
type AuditRecord struct {
	Actor     string // operator name, token name or worker ID; required
	CardCIN   []byte // the card changed, if any
	Operation string // e.g. "put-key", "install"; required
	Details   json.RawMessage
}

// AuditEntry is a stored audit row. Details is stored compacted, exactly as
// hashed.
type AuditEntry struct {
	Seq       int64
	Time      time.Time // microsecond precision
	Actor     string
	CardCIN   []byte
	Operation string
	Details   json.RawMessage
	PrevHash  [32]byte // Hash of entry Seq-1; zero for Seq 1
	Hash      [32]byte // ChainHash of this entry
}

// AuditFilter pages through the audit log.
type AuditFilter struct {
	AfterSeq int64
	Limit    int // at most this many (0: 100; capped at 1000)
}

// AuditSummary is the result of a successful VerifyAudit.
type AuditSummary struct {
	Entries int64
	Head    [32]byte // hash of the last entry; zero for an empty log
}

// auditDomain separates audit hashes from any other SHA-256 use.
const auditDomain = "cardhost-tsm-audit-v1"

// ChainHash returns the hash that chains e: SHA-256 over the domain string
// "cardhost-tsm-audit-v1" followed by Seq (8 bytes big-endian), Time as Unix
// microseconds (8 bytes big-endian, two's complement), Actor, CardCIN,
// Operation, Details (each as a 4-byte big-endian length then the bytes) and
// PrevHash (32 bytes). e.Hash itself is not an input.
func (e AuditEntry) ChainHash() [32]byte {
	h := sha256.New()
	b := make([]byte, 0, 256)
	b = append(b, auditDomain...)
	b = binary.BigEndian.AppendUint64(b, uint64(e.Seq))
	b = binary.BigEndian.AppendUint64(b, uint64(e.Time.UnixMicro()))
	for _, f := range [][]byte{[]byte(e.Actor), e.CardCIN, []byte(e.Operation), e.Details} {
		b = binary.BigEndian.AppendUint32(b, uint32(len(f)))
		b = append(b, f...)
	}
	b = append(b, e.PrevHash[:]...)
	h.Write(b)
	var out [32]byte
	h.Sum(out[:0])
	return out
}

// Validate checks that r can be appended.
func (r AuditRecord) Validate() error {
	if r.Actor == "" || r.Operation == "" {
		return invalidf("audit record needs actor and operation")
	}
	return wrapf(CheckJSON(r.Details), "audit details")
}
