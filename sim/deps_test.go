package sim

import (
	"os/exec"
	"strings"
	"testing"
)

// TestNoHostDependencies fails if any simulator package depends on host-side
// code: the simulator stands in for an independent card.
func TestNoHostDependencies(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "github.com/cardhost/cardhost/sim/...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	forbidden := []string{"gpcard", "gpcard/command", "gpcard/scp02", "gpcard/scp03", "gpcard/keys", "gpcard/secret", "tsm"}
	for _, dep := range strings.Fields(string(out)) {
		rel, ok := strings.CutPrefix(dep, "github.com/cardhost/cardhost/")
		if !ok {
			continue
		}
		for _, f := range forbidden {
			if rel == f || strings.HasPrefix(rel, f+"/") && f != "gpcard" {
				t.Errorf("simulator depends on host package %s", dep)
			}
		}
	}
}
