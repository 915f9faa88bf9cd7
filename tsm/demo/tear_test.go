package demo_test

import (
	"testing"

	"github.com/cardhost/cardhost/tsm/demo"
)

// TestCampaign_TornCards_ResumeWithoutRepeating cuts power on every card
// once, before or after (committed, answer lost) the n-th APDU of its job,
// for every n a job sends: each job must resume by probing the card, finish,
// and audit every step exactly once, with KCVs matching the inventory.
func TestCampaign_TornCards_ResumeWithoutRepeating(t *testing.T) {
	const n = 64
	e := openEnv(t, demo.Config{Cards: n})
	for i, cin := range e.Fleet.CINs() {
		c := e.Fleet.Card(cin)
		at := i/2 + 1 // APDUs 1..32 of the job
		if i%2 == 0 {
			c.TearBefore(at)
		} else {
			c.TearAfter(at)
		}
	}
	runCampaign(t, e, 4)
	verifyProvisioned(t, e)
}
