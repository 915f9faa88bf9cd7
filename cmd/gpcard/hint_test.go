package main

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/cardhost/cardhost/gpcard/sw"
)

// TestSim_FailureHints: refusals by the card name the command, the status
// word, its meaning and a hint.
func TestSim_FailureHints(t *testing.T) {
	c := newCLI(t)
	g := []string{"--reader", "sim:card.img"}
	at := func(args ...string) []string { return append(append([]string{}, g...), args...) }
	c.fails(exitError, []string{"INSTALL [for install and make selectable]: 6A80 incorrect values in command data",
		"hint: the card rejects these privileges/parameters"}, at("create-ssd", ssdAID, "--ssd-scp", "03", "--ssd-i", "99")...)
	c.fails(exitError, []string{"INITIALIZE UPDATE: 6A88", "hint: the card has no key set with this key version number"}, at("--kvn", "05", "list")...)
	c.ok(at("install", "hello.cap")...)
	c.fails(exitError, []string{"INSTALL [for load]: 6985"}, at("install", "hello.cap")...)
	c.ok(at("install", "--force", "hello.cap")...)
}

// TestReport_InitializeUpdate6982 checks the advice printed when the card
// refuses INITIALIZE UPDATE with 6982 (wrong keys or key version), a
// refusal the simulator only gives to a blocked security domain.
func TestReport_InitializeUpdate6982(t *testing.T) {
	var out, errb bytes.Buffer
	a := &app{stdout: &out, stderr: &errb}
	a.g.json = true
	a.report(fmt.Errorf("scp02: %w", &sw.StatusError{Command: "INITIALIZE UPDATE", SW: 0x6982}), exitError)
	contains(t, "stderr", errb.String(), "gpcard: scp02: INITIALIZE UPDATE: 6982 security status not satisfied\n",
		"hint: wrong keys or key version — do not retry blindly, the card counts failed authentications\n")
	contains(t, "stdout", out.String(), `"sw": "6982"`, `"command": "INITIALIZE UPDATE"`, `"exit_code": 1`)
}
