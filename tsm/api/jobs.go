package api

import (
	"net/http"

	"github.com/cardhost/cardhost/tsm/store"
)

// jobStates are the states a job filter accepts.
var jobStates = []store.JobState{store.JobPending, store.JobRunning, store.JobDone, store.JobFailed, store.JobCancelled}

func parseJobState(s string) (store.JobState, error) {
	for _, st := range jobStates {
		if string(st) == s {
			return st, nil
		}
	}
	return "", errorf(http.StatusBadRequest, codeBadRequest, "state: want pending, running, done, failed or cancelled")
}

// listJobs: GET /v1/jobs?state=&campaign_id=&card_cin=&limit=, oldest
// first, without steps.
func (h *Handler) listJobs(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := store.JobFilter{CampaignID: q.Get("campaign_id")}
	var err error
	if s := q.Get("state"); s != "" {
		if f.State, err = parseJobState(s); err != nil {
			return err
		}
	}
	if f.CardCIN, err = hexParam("card_cin", q.Get("card_cin")); err != nil {
		return err
	}
	if f.Limit, err = limitParam(r, 100); err != nil {
		return err
	}
	js, err := h.svc.Jobs(r.Context(), f)
	if err != nil {
		return err
	}
	out := struct {
		Jobs []JobView `json:"jobs"`
	}{Jobs: []JobView{}}
	for _, j := range js {
		j.Steps = nil
		out.Jobs = append(out.Jobs, jobView(j))
	}
	return writeJSON(w, http.StatusOK, out)
}

// getJob: GET /v1/jobs/{id}, with steps.
func (h *Handler) getJob(w http.ResponseWriter, r *http.Request) error {
	j, err := h.svc.Job(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, jobView(j))
}
