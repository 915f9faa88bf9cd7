package main

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/cardhost/cardhost/reader"
	"github.com/cardhost/cardhost/sim/simtest"
)

// serveFleet runs "gpcard sim serve" for the private pcscd's readers in the
// background and returns the PC/SC reader names holding the cards once
// pcscd sees them, and a stop function returning serve's exit code.
func serveFleet(t *testing.T, c *cli, cards int) ([]string, func() int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var mu sync.Mutex
	srv := &cli{t: t, env: map[string]string{}}
	done := make(chan int, 1)
	go func() {
		a := srv.app(ctx)
		done <- a.run(ctx, []string{"sim", "serve", "--cards", strconv.Itoa(cards), "--dir", "fleet", "--vpcd-port", strconv.Itoa(daemon.Port(0))})
	}()
	names := waitForCards(t, cards)
	stopped := false
	stop := func() int {
		mu.Lock()
		defer mu.Unlock()
		if stopped {
			return exitOK
		}
		stopped = true
		cancel()
		code := <-done
		srv.mu.Lock()
		defer srv.mu.Unlock()
		if code != exitOK {
			t.Errorf("sim serve: exit %d\n%s\n%s", code, srv.out.String(), srv.errb.String())
		}
		contains(t, "sim serve stdout", srv.out.String(), "Serving fleet/card-000.img on vpcd 127.0.0.1:"+strconv.Itoa(daemon.Port(0)))
		return code
	}
	t.Cleanup(func() { stop() })
	return names, stop
}

// waitForCards waits until pcscd reports a card in each of the first n
// readers and returns their names.
func waitForCards(t *testing.T, n int) []string {
	t.Helper()
	pc, err := reader.NewContext()
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	names, err := simtest.ReaderNames(pc, daemon)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, name := range names[:n] {
		if err := pc.WaitForCard(ctx, name); err != nil {
			t.Fatalf("waiting for the card in %q: %v", name, err)
		}
	}
	return names[:n]
}

// TestPCSC_AcceptanceFlow runs every card command through pcscd and vpcd
// against two cards served by "gpcard sim serve" (the acceptance flow on
// the first, the other commands on the second), then works across a pcscd
// restart, and checks that the images keep their state after serving stops.
func TestPCSC_AcceptanceFlow(t *testing.T) {
	c := newCLI(t)
	names, stop := serveFleet(t, c, 2)

	res := c.ok("readers", "--json")
	var rs readersJSON
	if err := json.Unmarshal([]byte(res.out), &rs); err != nil {
		t.Fatal(err)
	}
	idx := slices.IndexFunc(rs.Readers, func(r readerJSON) bool { return r.Name == names[1] })
	if idx < 0 {
		t.Fatalf("readers does not list %q:\n%s", names[1], res.out)
	}
	contains(t, "readers", c.ok("readers").out, strconv.Itoa(idx)+": "+names[1])

	acceptanceFlow(t, c, names[0])
	// The second card, by index: untouched, still with its factory keys.
	contains(t, "info by index", c.ok("--reader", strconv.Itoa(idx), "info").out, "Reader: "+names[1], "(factory key)")

	otherFlow(t, c, names[1])

	// pcscd restarts: the cards reconnect by themselves.
	if err := daemon.Restart(); err != nil {
		t.Fatal(err)
	}
	waitForCards(t, 2)
	contains(t, "list after pcscd restart", c.ok("--reader", names[0], "--kvn", "01", "--key", keyV1, "list").out, "SSD: "+ssdAID)

	if code := stop(); code != exitOK {
		t.Fatalf("sim serve exit %d", code)
	}
	res = c.ok("sim", "show", "fleet/card-000.img")
	contains(t, "image after serving", res.out, "SD: "+ssdAID, "KVN 02 KID 3 type DES3")
	contains(t, "second image", c.ok("sim", "show", "fleet/card-001.img").out, "KVN FF KID 1", "Life cycle: TERMINATED")
}
