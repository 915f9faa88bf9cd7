package api_test

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/cardhost/cardhost/gpcard/keys"
	"github.com/cardhost/cardhost/tsm/api"
	"github.com/cardhost/cardhost/tsm/jobs"
)

// TestCampaign_ThroughAPI_ProvisionsCards_NoKeysInResponsesOrLogs creates a
// campaign through the API, runs it on in-process simulated cards with the
// API's executor and debug logging, follows it through the API to the end,
// reads every view, checks the metrics and the audit chain, and fails if
// the hex of any test master key, any key diversified from them or any
// bearer token appears in a response body or a log line.
func TestCampaign_ThroughAPI_ProvisionsCards_NoKeysInResponsesOrLogs(t *testing.T) {
	for _, p := range []struct {
		profile string
		method  keys.Method
	}{{"gp231-scp03-i70", keys.KDF3}, {"gp231-scp02-i15", keys.EMV}} {
		t.Run(p.profile, func(t *testing.T) { testCampaign(t, p.profile, p.method) })
	}
}

func testCampaign(t *testing.T, profile string, method keys.Method) {
	const n = 4
	e := newEnvProfile(t, profile, n)
	steps := 4
	if e.demo.Plan.Purse != nil {
		steps = 5
	}
	cins := e.demo.Fleet.CINs()
	// One card refuses the SSD's creation: its job fails with 6A84.
	failing := cins[n-1]
	e.demo.Fleet.Card(failing).FailNext(0xE6, 0x6A84)
	e.runJobs(2)

	var cards []string
	for _, c := range cins {
		cards = append(cards, fmt.Sprintf("%X", c))
	}
	req := map[string]any{"name": "api test", "plan": e.demo.Plan, "cards": cards, "concurrency": 2}
	var created api.CampaignView
	e.call("POST", "/v1/campaigns", api.RoleOperator, req, http.StatusCreated, &created)
	// Workers already run: by the time POST answers, jobs may be in any state.
	counted := 0
	for _, k := range created.Counts {
		counted += k
	}
	if created.Total != n || counted != n {
		t.Fatalf("created campaign %+v", created)
	}
	var c api.CampaignView
	waitFor(t, "the campaign to finish", func() bool {
		e.call("GET", "/v1/campaigns/"+created.ID, api.RoleAuditor, nil, http.StatusOK, &c)
		return c.Finished
	})
	if c.Counts["done"] != n-1 || c.Counts["failed"] != 1 || len(c.Cards) != n || c.CardsTruncated {
		t.Fatalf("campaign at the end: %+v", c)
	}
	for _, o := range c.Cards {
		switch {
		case bytes.Equal(o.CardCIN, failing):
			if o.State != "failed" || o.FailedStep != jobs.KindCreateSSD || !strings.Contains(o.Error, "6A84") {
				t.Errorf("failing card outcome %+v", o)
			}
		case o.State != "done":
			t.Errorf("card %X: %+v", []byte(o.CardCIN), o)
		}
	}

	// Views of what the campaign did.
	var job api.JobView
	e.call("GET", "/v1/jobs/"+c.Cards[0].JobID, api.RoleOperator, nil, http.StatusOK, &job)
	if len(job.Steps) != steps || job.State != "done" {
		t.Errorf("job %+v", job)
	}
	var jl struct{ Jobs []api.JobView }
	e.call("GET", "/v1/jobs?state=failed&campaign_id="+c.ID, api.RoleAuditor, nil, http.StatusOK, &jl)
	if len(jl.Jobs) != 1 || !bytes.Equal(jl.Jobs[0].CardCIN, failing) || jl.Jobs[0].Steps != nil {
		t.Errorf("failed jobs %+v", jl.Jobs)
	}
	var card api.CardView
	e.call("GET", "/v1/cards/"+hex.EncodeToString(cins[0]), api.RoleAuditor, nil, http.StatusOK, &card)
	if !hasKeySet(card, e.demo.Plan.SSD, e.demo.Plan.KVN) {
		t.Errorf("card %X: no SSD key set %02X with KCVs in %+v", cins[0], e.demo.Plan.KVN, card.KeySets)
	}
	var cl struct {
		Cards     []api.CardView
		NextAfter string `json:"next_after"`
	}
	e.call("GET", "/v1/cards?limit=2", api.RoleOperator, nil, http.StatusOK, &cl)
	if len(cl.Cards) != 2 || cl.NextAfter == "" {
		t.Fatalf("first page %+v", cl)
	}
	next := cl.NextAfter
	cl.NextAfter = ""
	e.call("GET", "/v1/cards?limit=1000&after="+next, api.RoleOperator, nil, http.StatusOK, &cl)
	if len(cl.Cards) != n-2 || cl.NextAfter != "" {
		t.Errorf("second page: %d cards, next %q", len(cl.Cards), cl.NextAfter)
	}

	// The audit log through the API: paged, chained, verified.
	entries := auditEntries(e)
	var perCard = map[string]int{}
	for i, a := range entries {
		if a.Seq != int64(i+1) || (i > 0 && a.PrevHash != entries[i-1].Hash) {
			t.Fatalf("audit entry %d: %+v", i, a)
		}
		perCard[string(a.CardCIN)]++
	}
	if perCard[string(cins[0])] != steps || entries[0].Operation == "" {
		t.Errorf("audit entries per card %v", perCard)
	}
	var v api.VerifyResult
	e.call("POST", "/v1/audit/verify", api.RoleAuditor, nil, http.StatusOK, &v)
	if !v.OK || v.Entries != int64(len(entries)) || v.Head != entries[len(entries)-1].Hash {
		t.Errorf("verify %+v with %d entries", v, len(entries))
	}

	checkMetrics(t, e, n, steps == 5)
	scanForSecrets(t, e, method)
}

func hasKeySet(c api.CardView, sd []byte, kvn byte) bool {
	for _, ks := range c.KeySets {
		if bytes.Equal(ks.SDAID, sd) && ks.KVN == kvn && len(ks.Keys) == 3 {
			for _, k := range ks.Keys {
				if len(k.KCV) != 3 {
					return false
				}
			}
			return true
		}
	}
	return false
}

// auditEntries pages through GET /v1/audit three entries at a time.
func auditEntries(e *env) []api.AuditView {
	var all []api.AuditView
	after := int64(0)
	for {
		var page struct {
			Entries   []api.AuditView
			NextAfter int64 `json:"next_after"`
		}
		e.call("GET", fmt.Sprintf("/v1/audit?limit=3&after=%d", after), api.RoleAuditor, nil, http.StatusOK, &page)
		all = append(all, page.Entries...)
		if page.NextAfter == 0 {
			return all
		}
		after = page.NextAfter
	}
}

// checkMetrics scrapes /metrics and checks the job gauge, the APDU and
// status word counters and the step histogram.
func checkMetrics(t *testing.T, e *env, n int, personalised bool) {
	t.Helper()
	status, hdr, body := e.do("GET", "/metrics", "", "", nil)
	text := string(body)
	if status != http.StatusOK || !strings.HasPrefix(hdr.Get("Content-Type"), "text/plain") {
		t.Fatalf("/metrics: %d %s", status, hdr.Get("Content-Type"))
	}
	for _, want := range []string{
		fmt.Sprintf("cardhost_jobs{state=\"done\"} %d\n", n-1),
		"cardhost_jobs{state=\"failed\"} 1\n",
		"cardhost_jobs{state=\"pending\"} 0\n",
		"cardhost_card_errors_total{sw=\"6A84\"} 1\n",
		fmt.Sprintf("cardhost_step_duration_seconds_count{step=\"install\"} %d\n", n-1),
		fmt.Sprintf("cardhost_step_duration_seconds_count{step=\"create-ssd\"} %d\n", n),
		"cardhost_api_requests_total{code=\"201\",route=\"/v1/campaigns\"} 1\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	if p := fmt.Sprintf("cardhost_step_duration_seconds_count{step=\"personalise\"} %d\n", n-1); personalised && !strings.Contains(text, p) {
		t.Errorf("metrics lack %q", p)
	}
	var apdus float64
	if _, err := fmt.Sscanf(after(text, "\ncardhost_apdus_total "), "%g", &apdus); err != nil || apdus < float64(10*n) {
		t.Errorf("cardhost_apdus_total %v (%v)", apdus, err)
	}
}

func after(s, marker string) string {
	_, rest, _ := strings.Cut(s, marker)
	return rest
}

// scanForSecrets fails if a test key, a key diversified from one for any
// card, or a bearer token appears in the responses or the logs.
func scanForSecrets(t *testing.T, e *env, method keys.Method) {
	t.Helper()
	masters := []string{hexISD, hexSSDInitial, hexSSD, hexPurse}
	secrets := append([]string{}, masters...)
	for _, cin := range e.demo.Fleet.CINs() {
		kdd := e.demo.Fleet.Card(cin).Snapshot().KDD
		for _, m := range masters {
			ks, err := keys.Diversify(testKey(t, m), method, kdd)
			if err != nil {
				t.Fatal(err)
			}
			secrets = append(secrets, hex.EncodeToString(ks.ENC.Bytes()), hex.EncodeToString(ks.MAC.Bytes()), hex.EncodeToString(ks.DEK.Bytes()))
		}
	}
	logs := e.logs.String()
	if !strings.Contains(logs, "apdu") || !strings.Contains(logs, "http request") {
		t.Fatal("the debug log has no APDU trace or no access log")
	}
	e.mu.Lock()
	bodies := e.bodies.String()
	e.mu.Unlock()
	for name, hay := range map[string]string{"response bodies": bodies, "logs": logs} {
		low := strings.ToLower(hay)
		for _, s := range secrets {
			if strings.Contains(low, strings.ToLower(s)) {
				t.Errorf("%s contain key material (%d hex digits)", name, len(s))
			}
		}
		for role, tok := range e.tokens {
			if strings.Contains(hay, tok) || strings.Contains(hay, tok[len("chtsm_"):]) {
				t.Errorf("%s contain the %s token", name, role)
			}
		}
	}
}
