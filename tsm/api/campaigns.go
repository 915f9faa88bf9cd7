package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/cardhost/cardhost/tsm"
	"github.com/cardhost/cardhost/tsm/jobs"
	"github.com/cardhost/cardhost/tsm/store"
)

// maxCampaignCards bounds the cards of one campaign.
const maxCampaignCards = 100000

// CampaignRequest is the body of POST /v1/campaigns: a provisioning plan
// and the cards, either listed by CIN or selected from the inventory
// (Select; an empty object selects every card).
type CampaignRequest struct {
	Name        string         `json:"name"`
	Plan        jobs.Provision `json:"plan"`
	Cards       []hexb         `json:"cards,omitempty"`
	Select      *CardSelection `json:"select,omitempty"`
	Concurrency int            `json:"concurrency,omitempty"`
}

// CardSelection selects inventory cards; empty fields match all.
type CardSelection struct {
	IIN        hexb `json:"iin,omitempty"`
	CPLCSerial hexb `json:"cplc_serial,omitempty"`
}

// createCampaign: POST /v1/campaigns.
func (h *Handler) createCampaign(w http.ResponseWriter, r *http.Request) error {
	var req CampaignRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	if req.Concurrency == 0 {
		req.Concurrency = 8
	}
	switch {
	case req.Name == "":
		return errorf(http.StatusUnprocessableEntity, codeInvalid, "name: required")
	case req.Concurrency < 1 || req.Concurrency > 1000:
		return errorf(http.StatusUnprocessableEntity, codeInvalid, "concurrency: want 1 to 1000")
	case (len(req.Cards) == 0) == (req.Select == nil):
		return errorf(http.StatusUnprocessableEntity, codeInvalid, "give either cards (a list of CINs) or select")
	}
	if err := req.Plan.Validate(); err != nil {
		return errorf(http.StatusUnprocessableEntity, codeInvalid, "plan: %v", err)
	}
	if err := h.checkPackage(r, req.Plan); err != nil {
		return err
	}
	cards, err := h.campaignCards(r, req)
	if err != nil {
		return err
	}
	c, err := h.svc.CreateCampaign(r.Context(), caller(r).actor(), tsm.CampaignRequest{Name: req.Name, Plan: req.Plan,
		Cards: cards, Concurrency: req.Concurrency})
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/v1/campaigns/"+c.ID)
	v, err := h.campaignView(r, c, maxLimit)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, v)
}

// checkPackage makes a plan naming a package version not in the catalog a
// 422 now rather than a failed job per card later.
func (h *Handler) checkPackage(r *http.Request, p jobs.Provision) error {
	ps, err := h.svc.Packages(r.Context())
	if err != nil {
		return err
	}
	for _, pk := range ps {
		if bytes.Equal(pk.AID, p.Package) && pk.Version == p.Version {
			return nil
		}
	}
	return errorf(http.StatusUnprocessableEntity, codeInvalid, "plan: package %X version %s is not in the catalog", []byte(p.Package), p.Version)
}

// campaignCards returns the CINs of the request: the list, checked for
// duplicates, or the inventory cards the selection matches.
func (h *Handler) campaignCards(r *http.Request, req CampaignRequest) ([][]byte, error) {
	var out [][]byte
	if req.Select == nil {
		if len(req.Cards) > maxCampaignCards {
			return nil, errorf(http.StatusUnprocessableEntity, codeInvalid, "cards: at most %d", maxCampaignCards)
		}
		seen := map[string]bool{}
		for _, c := range req.Cards {
			if len(c) == 0 || len(c) > 64 || seen[string(c)] {
				return nil, errorf(http.StatusUnprocessableEntity, codeInvalid, "cards: empty, too long or repeated CIN %X", []byte(c))
			}
			seen[string(c)] = true
			out = append(out, c)
		}
		return out, nil
	}
	f := store.CardFilter{IIN: req.Select.IIN, CPLCSerial: req.Select.CPLCSerial, Limit: maxLimit}
	for {
		cs, err := h.svc.Cards(r.Context(), f)
		if err != nil {
			return nil, err
		}
		for _, c := range cs {
			out = append(out, c.CIN)
		}
		if len(out) > maxCampaignCards {
			return nil, errorf(http.StatusUnprocessableEntity, codeInvalid, "select: more than %d cards", maxCampaignCards)
		}
		if len(cs) < maxLimit {
			break
		}
		f.AfterCIN = cs[len(cs)-1].CIN
	}
	if len(out) == 0 {
		return nil, errorf(http.StatusUnprocessableEntity, codeInvalid, "select: no card in the inventory matches")
	}
	return out, nil
}

// CampaignView is a campaign with its progress and per-card outcome.
type CampaignView struct {
	ID          string          `json:"id"`
	Name        string          `json:"name"`
	Plan        string          `json:"plan"`
	Selection   json.RawMessage `json:"selection"`
	Concurrency int             `json:"concurrency"`
	CreatedAt   *time.Time      `json:"created_at"`
	Counts      map[string]int  `json:"counts"`
	Total       int             `json:"total"`
	Finished    bool            `json:"finished"`
	// Cards lists at most the limit's first jobs, oldest first;
	// CardsTruncated says more exist.
	Cards          []CardOutcome `json:"cards"`
	CardsTruncated bool          `json:"cards_truncated"`
}

// CardOutcome is one card's job in a campaign; a failed job names its
// failed step and error.
type CardOutcome struct {
	CardCIN    hexb   `json:"card_cin,omitempty"`
	JobID      string `json:"job_id"`
	State      string `json:"state"`
	FailedStep string `json:"failed_step,omitempty"`
	Error      string `json:"error,omitempty"`
}

// maxFailureDetails bounds the failed jobs whose steps one view reads.
const maxFailureDetails = 100

// getCampaign: GET /v1/campaigns/{id}?limit= (per-card outcomes, default
// 1000).
func (h *Handler) getCampaign(w http.ResponseWriter, r *http.Request) error {
	limit, err := limitParam(r, maxLimit)
	if err != nil {
		return err
	}
	c, err := h.svc.Campaign(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	v, err := h.campaignView(r, c, limit)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, v)
}

func (h *Handler) campaignView(r *http.Request, c store.Campaign, limit int) (CampaignView, error) {
	v := CampaignView{ID: c.ID, Name: c.Name, Plan: c.Plan, Selection: rawOrNull(c.Selection), Concurrency: c.Concurrency,
		CreatedAt: timeOrNil(c.CreatedAt), Counts: map[string]int{}, Cards: []CardOutcome{}}
	for _, st := range jobStates {
		v.Counts[string(st)] = c.Counts[st]
		v.Total += c.Counts[st]
	}
	v.Finished = c.Counts[store.JobPending]+c.Counts[store.JobRunning] == 0
	js, err := h.svc.Jobs(r.Context(), store.JobFilter{CampaignID: c.ID, Limit: limit})
	if err != nil {
		return v, err
	}
	details := 0
	for _, j := range js {
		o := CardOutcome{CardCIN: j.CardCIN, JobID: j.ID, State: string(j.State)}
		if j.State == store.JobFailed && details < maxFailureDetails {
			details++
			if o.FailedStep, o.Error, err = h.failure(r, j.ID); err != nil {
				return v, err
			}
		}
		v.Cards = append(v.Cards, o)
	}
	v.CardsTruncated = len(js) < v.Total
	return v, nil
}

// failure returns the failed step of a job and its error.
func (h *Handler) failure(r *http.Request, id string) (string, string, error) {
	j, err := h.svc.Job(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return "", "", nil
	}
	if err != nil {
		return "", "", fmt.Errorf("reading job %s: %w", id, err)
	}
	for _, s := range j.Steps {
		if s.State == store.StepFailed {
			return s.Kind, s.Error, nil
		}
	}
	return "", "", nil
}
