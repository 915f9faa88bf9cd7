package storetest

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/cardhost/cardhost/tsm/store"
)

// appendSample appends n entries, one clock second apart.
func appendSample(t *testing.T, e env, n int) []store.AuditEntry {
	t.Helper()
	var out []store.AuditEntry
	for i := range n {
		e.clk.Advance(time.Second)
		out = append(out, must(e.s.AppendAudit(ctx, store.AuditRecord{Actor: "alice", CardCIN: []byte{byte(i)},
			Operation: "put-key", Details: json.RawMessage(`{ "kvn": 49, "kcvs": ["50451D"] }`)})).ok(t))
	}
	return out
}

// chainHash recomputes an entry hash from the documented encoding, written
// out here independently of store.AuditEntry.ChainHash.
func chainHash(e store.AuditEntry) [32]byte {
	b := []byte("cardhost-tsm-audit-v1")
	b = binary.BigEndian.AppendUint64(b, uint64(e.Seq))
	b = binary.BigEndian.AppendUint64(b, uint64(e.Time.UnixMicro()))
	for _, f := range []string{e.Actor, string(e.CardCIN), e.Operation, string(e.Details)} {
		b = binary.BigEndian.AppendUint32(b, uint32(len(f)))
		b = append(b, f...)
	}
	return sha256.Sum256(append(b, e.PrevHash[:]...))
}

func testAudit(t *testing.T, fresh Fresh) {
	t.Run("ChainAndList", func(t *testing.T) {
		e := open(t, fresh)
		if sum := must(e.s.VerifyAudit(ctx)).ok(t); sum.Entries != 0 {
			t.Fatalf("empty log verifies as %+v", sum)
		}
		entries := appendSample(t, e, 3)
		var prev [32]byte
		for i, en := range entries {
			if en.Seq != int64(i+1) || en.PrevHash != prev || en.Hash != chainHash(en) ||
				string(en.Details) != `{"kvn":49,"kcvs":["50451D"]}` {
				t.Fatalf("entry %d: %+v", i, en)
			}
			prev = en.Hash
		}
		sum := must(e.s.VerifyAudit(ctx)).ok(t)
		if sum.Entries != 3 || sum.Head != entries[2].Hash {
			t.Errorf("VerifyAudit = %+v", sum)
		}
		page := must(e.s.AuditLog(ctx, store.AuditFilter{AfterSeq: 1, Limit: 1})).ok(t)
		if len(page) != 1 || page[0].Seq != 2 || page[0].Hash != entries[1].Hash || !page[0].Time.Equal(entries[1].Time) {
			t.Errorf("AuditLog page %+v", page)
		}
	})

	t.Run("AppendValidation", func(t *testing.T) {
		e := open(t, fresh)
		for _, tc := range []struct {
			name string
			r    store.AuditRecord
			want error
		}{
			{"NoActor_Invalid", store.AuditRecord{Operation: "x"}, store.ErrInvalid},
			{"KeyInDetails_SecretField", store.AuditRecord{Actor: "a", Operation: "put-key",
				Details: json.RawMessage(`{"new_key": "404142434445464748494A4B4C4D4E4F"}`)}, store.ErrSecretField},
		} {
			_, err := e.s.AppendAudit(ctx, tc.r)
			wantErr(t, tc.name, err, tc.want)
		}
	})

	tamper := []struct {
		name    string
		stmts   []string
		wantSeq int64
	}{
		{"EditedDetails", []string{`UPDATE audit_log SET details = '{"kvn":50}' WHERE seq = 2`}, 2},
		{"EditedActor", []string{`UPDATE audit_log SET actor = 'mallory' WHERE seq = 3`}, 3},
		{"EditedTime", []string{`UPDATE audit_log SET at = at + 1 WHERE seq = 1`}, 1},
		{"EditedHash", []string{`UPDATE audit_log SET hash = '` + hexZeros + `' WHERE seq = 2`}, 2},
		{"DeletedMiddleRow", []string{`DELETE FROM audit_log WHERE seq = 2`}, 2},
		{"DeletedLastRow", []string{`DELETE FROM audit_log WHERE seq = 4`}, 4},
		{"CorruptHex", []string{`UPDATE audit_log SET prev_hash = 'zz' WHERE seq = 3`}, 3},
	}
	for _, tc := range tamper {
		t.Run("Tamper_"+tc.name+"_Detected", func(t *testing.T) {
			e := open(t, fresh)
			appendSample(t, e, 4)
			for _, q := range tc.stmts {
				exec(t, e.s, q)
			}
			_, err := e.s.VerifyAudit(ctx)
			var ae *store.AuditError
			if !errors.As(err, &ae) || !errors.Is(err, store.ErrTampered) {
				t.Fatalf("VerifyAudit = %v, want *AuditError", err)
			}
			if ae.Seq != tc.wantSeq {
				t.Errorf("first bad row %d (%s), want %d", ae.Seq, ae.Reason, tc.wantSeq)
			}
		})
	}

	t.Run("Tamper_RecomputedRow_DetectedAtNextRow", func(t *testing.T) {
		e := open(t, fresh)
		entries := appendSample(t, e, 3)
		forged := entries[1]
		forged.Actor = "mallory"
		forged.Hash = chainHash(forged)
		exec(t, e.s, `UPDATE audit_log SET actor = $1, hash = $2 WHERE seq = 2`, forged.Actor, hexUpper(forged.Hash[:]))
		var ae *store.AuditError
		if _, err := e.s.VerifyAudit(ctx); !errors.As(err, &ae) || ae.Seq != 3 {
			t.Fatalf("VerifyAudit = %v, want first bad row 3", err)
		}
	})
}

// hexZeros is a well-formed hash column that matches no row.
const hexZeros = "0000000000000000000000000000000000000000000000000000000000000000"

// hexUpper encodes b as the store does in TEXT columns.
func hexUpper(b []byte) string {
	const digits = "0123456789ABCDEF"
	out := make([]byte, 0, 2*len(b))
	for _, c := range b {
		out = append(out, digits[c>>4], digits[c&15])
	}
	return string(out)
}
