package scp02card

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDeps_NoHostCode enforces the simulator rule of DESIGN.md: the card side
// may use the leaf packages gpcrypto and sw, never host protocol code.
func TestDeps_NoHostCode(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, p := range strings.Fields(string(out)) {
		if strings.Contains(p, "/cardhost/gpcard/") && !strings.HasSuffix(p, "/gpcard/gpcrypto") && !strings.HasSuffix(p, "/gpcard/sw") {
			t.Errorf("imports host package %s", p)
		}
	}
}
