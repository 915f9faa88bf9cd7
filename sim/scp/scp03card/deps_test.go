package scp03card

import (
	"testing"

	"github.com/cardhost/cardhost/sim/scp/internal/scptest"
)

// TestDeps_NoHostCode enforces the simulator rule of DESIGN.md: the card side
// may use the leaf packages gpcrypto and sw, never host protocol code.
func TestDeps_NoHostCode(t *testing.T) { scptest.CheckNoHostCode(t) }
