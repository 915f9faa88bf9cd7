package main

import (
	"context"
	"strings"
	"testing"
)

// TestProgress_TerminalOnly: the LOAD progress bar is drawn on a terminal,
// and neither without one nor with --json.
func TestProgress_TerminalOnly(t *testing.T) {
	c := newCLI(t)
	for _, tc := range []struct {
		terminal, json bool
		want           bool
	}{{true, false, true}, {true, true, false}, {false, false, false}} {
		args := []string{"--reader", "sim:card.img", "install", "--force", "big.cap"}
		if tc.json {
			args = append(args, "--json")
		}
		c.out.Reset()
		c.errb.Reset()
		a := c.app(context.Background())
		a.terminal = tc.terminal
		if code := a.run(context.Background(), args); code != exitOK {
			t.Fatalf("%v: exit %d\n%s", args, code, c.errb.String())
		}
		if got := strings.Contains(c.errb.String(), "LOAD") && strings.Contains(c.errb.String(), "%"); got != tc.want {
			t.Errorf("terminal %v, json %v: progress bar shown %v, want %v; stderr:\n%q", tc.terminal, tc.json, got, tc.want, c.errb.String())
		}
	}
}
