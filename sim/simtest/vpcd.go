package simtest

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/cardhost/cardhost/reader"
	"github.com/cardhost/cardhost/sim"
	"github.com/cardhost/cardhost/sim/vpcd"
	"github.com/cardhost/cardhost/test/pcscdtest"
)

// Bounds of the waits for pcscd to see a card arrive or leave. pcscd polls
// vpcd readers about every 0.4 s; these leave room for a loaded machine.
const (
	insertTimeout = 20 * time.Second
	removeTimeout = 10 * time.Second
)

// ServeVPCD inserts cards[r] into vpcd reader r of d and waits until pcscd
// reports every card present. It returns the PC/SC reader names, names[r]
// holding cards[r]. On cleanup the cards are removed and ServeVPCD waits
// until pcscd reports the readers empty, so the next test finds them as a
// fresh test would.
//
// The process must already talk to d: call d.Setenv() in TestMain before the
// first PC/SC call (libpcsclite reads the socket path once per process);
// otherwise, or with more cards than d has readers, the test fails.
func ServeVPCD(t testing.TB, d *pcscdtest.Daemon, cards ...*sim.Card) []string {
	t.Helper()
	if got := os.Getenv("PCSCLITE_CSOCK_NAME"); got != d.Socket() {
		t.Fatalf("simtest: this process talks to pcscd at %q, not %q: call Daemon.Setenv in TestMain", got, d.Socket())
	}
	if len(cards) > d.Readers() {
		t.Fatalf("simtest: %d cards for %d readers", len(cards), d.Readers())
	}
	pc, err := reader.NewContext()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	names, err := ReaderNames(pc, d)
	if err != nil {
		t.Fatal(err)
	}
	names = names[:len(cards)]
	for r, card := range cards {
		slot := vpcd.Insert(context.Background(), d.Addr(r), card)
		t.Cleanup(func() {
			if err := slot.Remove(); err != nil {
				t.Errorf("simtest: card in %q: %v", names[r], err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), removeTimeout)
			defer cancel()
			if err := pc.WaitForRemoval(ctx, names[r]); err != nil {
				t.Errorf("simtest: removal of the card in %q not seen: %v", names[r], err)
			}
		})
	}
	ctx, cancel := context.WithTimeout(context.Background(), insertTimeout)
	defer cancel()
	for _, name := range names {
		if err := pc.WaitForCard(ctx, name); err != nil {
			t.Fatalf("simtest: waiting for the card in %q: %v", name, err)
		}
	}
	return names
}

// ReaderNames returns the PC/SC names of d's readers in reader order, as pc
// lists them.
func ReaderNames(pc *reader.Context, d *pcscdtest.Daemon) ([]string, error) {
	all, err := pc.Readers()
	if err != nil {
		return nil, err
	}
	names := make([]string, d.Readers())
	for r := range names {
		if names[r], err = d.Name(all, r); err != nil {
			return nil, err
		}
	}
	return names, nil
}
