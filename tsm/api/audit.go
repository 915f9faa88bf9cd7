package api

import (
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"

	"github.com/cardhost/cardhost/tsm/store"
)

// listAudit: GET /v1/audit?after=seq&limit=, oldest first.
func (h *Handler) listAudit(w http.ResponseWriter, r *http.Request) error {
	f := store.AuditFilter{}
	if s := r.URL.Query().Get("after"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			return errorf(http.StatusBadRequest, codeBadRequest, "after: want a sequence number ≥ 0")
		}
		f.AfterSeq = n
	}
	var err error
	if f.Limit, err = limitParam(r, 100); err != nil {
		return err
	}
	es, err := h.st.AuditLog(r.Context(), f)
	if err != nil {
		return err
	}
	out := struct {
		Entries   []AuditView `json:"entries"`
		NextAfter int64       `json:"next_after,omitempty"`
	}{Entries: []AuditView{}}
	for _, e := range es {
		out.Entries = append(out.Entries, AuditView{Seq: e.Seq, Time: e.Time.UTC(), Actor: e.Actor, CardCIN: e.CardCIN,
			Operation: e.Operation, Details: rawOrNull(e.Details), PrevHash: hex.EncodeToString(e.PrevHash[:]),
			Hash: hex.EncodeToString(e.Hash[:])})
	}
	if len(es) == f.Limit {
		out.NextAfter = es[len(es)-1].Seq
	}
	return writeJSON(w, http.StatusOK, out)
}

// VerifyResult is the body of POST /v1/audit/verify: OK with the number of
// entries and the head hash, or not OK naming the first bad row (seq 0: the
// chain head).
type VerifyResult struct {
	OK          bool   `json:"ok"`
	Entries     int64  `json:"entries,omitempty"`
	Head        string `json:"head,omitempty"`
	FirstBadSeq *int64 `json:"first_bad_seq,omitempty"`
	Reason      string `json:"reason,omitempty"`
}

// verifyAudit: POST /v1/audit/verify. A chain that does not verify is a
// successful request with ok false.
func (h *Handler) verifyAudit(w http.ResponseWriter, r *http.Request) error {
	sum, err := h.svc.VerifyAudit(r.Context())
	var ae *store.AuditError
	switch {
	case errors.As(err, &ae):
		h.log.WarnContext(r.Context(), "audit chain does not verify", "seq", ae.Seq, "reason", ae.Reason)
		return writeJSON(w, http.StatusOK, VerifyResult{FirstBadSeq: &ae.Seq, Reason: ae.Reason})
	case err != nil:
		return err
	}
	return writeJSON(w, http.StatusOK, VerifyResult{OK: true, Entries: sum.Entries, Head: hex.EncodeToString(sum.Head[:])})
}

// listTokens: GET /v1/tokens, names and roles only.
func (h *Handler) listTokens(w http.ResponseWriter, r *http.Request) error {
	ts, err := h.st.ListTokens(r.Context())
	if err != nil {
		return err
	}
	out := struct {
		Tokens []TokenView `json:"tokens"`
	}{Tokens: []TokenView{}}
	for _, t := range ts {
		out.Tokens = append(out.Tokens, TokenView{ID: t.ID, Name: t.Name, Role: t.Role, CreatedAt: timeOrNil(t.CreatedAt),
			RevokedAt: timeOrNil(t.RevokedAt)})
	}
	return writeJSON(w, http.StatusOK, out)
}
