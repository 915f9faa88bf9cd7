package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/cardhost/cardhost/tsm/api"
)

// TestErrors_StatusAndCode checks the JSON error responses: unknown
// endpoints, wrong methods, records that do not exist, requests that do not
// parse and requests that parse but are unacceptable.
func TestErrors_StatusAndCode(t *testing.T) {
	e := newEnv(t, 2)
	op := e.tokens[api.RoleOperator]
	plan, _ := json.Marshal(e.demo.Plan)
	cin := fmt.Sprintf("%X", e.demo.Fleet.CINs()[0])
	campaign := func(extra string) []byte {
		return []byte(`{"name":"x","plan":` + string(plan) + `,` + extra + `}`)
	}
	for _, c := range []struct {
		name, method, path, ct string
		body                   []byte
		status                 int
		code                   string
	}{
		{"unknown endpoint", "GET", "/v2/nothing", "", nil, 404, "not_found"},
		{"unknown card", "GET", "/v1/cards/CA7D0000000000FF", "", nil, 404, "not_found"},
		{"unknown job", "GET", "/v1/jobs/0123", "", nil, 404, "not_found"},
		{"unknown campaign", "GET", "/v1/campaigns/0123", "", nil, 404, "not_found"},
		{"method", "DELETE", "/v1/cards", "", nil, 405, "method_not_allowed"},
		{"bad hex", "GET", "/v1/cards/XYZ", "", nil, 400, "bad_request"},
		{"bad state", "GET", "/v1/jobs?state=sleeping", "", nil, 400, "bad_request"},
		{"bad limit", "GET", "/v1/jobs?limit=-1", "", nil, 400, "bad_request"},
		{"malformed JSON", "POST", "/v1/campaigns", "application/json", []byte(`{"name":`), 400, "bad_request"},
		{"unknown member", "POST", "/v1/campaigns", "application/json", campaign(`"cards":["` + cin + `"],"key":"00"`), 400, "bad_request"},
		{"trailing data", "POST", "/v1/campaigns", "application/json", []byte(`{} {}`), 400, "bad_request"},
		{"not JSON", "POST", "/v1/campaigns", "text/plain", []byte(`{}`), 415, "unsupported_media_type"},
		{"no cards", "POST", "/v1/campaigns", "application/json", campaign(`"concurrency":2`), 422, "invalid"},
		{"cards and select", "POST", "/v1/campaigns", "application/json", campaign(`"cards":["` + cin + `"],"select":{}`), 422, "invalid"},
		{"repeated card", "POST", "/v1/campaigns", "application/json", campaign(`"cards":["` + cin + `","` + cin + `"]`), 422, "invalid"},
		{"empty inventory", "POST", "/v1/campaigns", "application/json", campaign(`"select":{}`), 422, "invalid"},
		{"bad plan", "POST", "/v1/campaigns", "application/json", []byte(`{"name":"x","plan":{"ssd_aid":"A0"},"cards":["` + cin + `"]}`), 422, "invalid"},
		{"unknown package", "POST", "/v1/campaigns", "application/json", []byte(`{"name":"x","cards":["` + cin + `"],"plan":` +
			string(mustJSON(t, withVersion(e, 9))) + `}`), 422, "invalid"},
	} {
		status, hdr, body := e.do(c.method, c.path, op, c.ct, c.body)
		wantError(t, c.name, status, body, c.status, c.code)
		if c.status == 405 && hdr.Get("Allow") != "GET" {
			t.Errorf("%s: Allow %q", c.name, hdr.Get("Allow"))
		}
	}
	// Nothing above created a campaign.
	var jl struct{ Jobs []api.JobView }
	e.call("GET", "/v1/jobs", api.RoleAuditor, nil, http.StatusOK, &jl)
	if len(jl.Jobs) != 0 {
		t.Errorf("jobs after refused requests: %+v", jl.Jobs)
	}
	// A selection from the inventory works once the cards are known.
	e.runJobs(1)
	var c api.CampaignView
	e.call("POST", "/v1/campaigns", api.RoleAdmin, map[string]any{"name": "first", "plan": e.demo.Plan,
		"cards": []string{cin}}, http.StatusCreated, &c)
	waitFor(t, "the first campaign", func() bool {
		e.call("GET", "/v1/campaigns/"+c.ID, api.RoleOperator, nil, http.StatusOK, &c)
		return c.Finished
	})
	e.call("POST", "/v1/campaigns", api.RoleOperator, map[string]any{"name": "all known", "plan": e.demo.Plan,
		"select": map[string]any{}}, http.StatusCreated, &c)
	if c.Total != 1 || len(c.Cards) != 1 || c.Cards[0].CardCIN.String() != cin {
		t.Errorf("campaign over the inventory: total %d cards %+v", c.Total, c.Cards)
	}
}

func mustJSON(t *testing.T, v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// withVersion returns the demo plan naming another package version.
func withVersion(e *env, major byte) any {
	p := e.demo.Plan
	p.Version.Major = major
	return p
}
