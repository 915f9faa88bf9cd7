package simtest_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/cardhost/cardhost/reader"
	"github.com/cardhost/cardhost/sim"
	"github.com/cardhost/cardhost/sim/simtest"
)

func TestServeVPCD_CardsSeenThroughPCSCD(t *testing.T) {
	a, _ := simtest.NewCard(t)
	b, _ := simtest.NewCard(t, simtest.WithProfileName("gp231-scp03-i70"))
	var names []string
	t.Run("served", func(t *testing.T) {
		names = simtest.ServeVPCD(t, daemon, a, b)
		if len(names) != 2 || !strings.HasSuffix(names[0], daemon.ReaderSlot(0)) || !strings.HasSuffix(names[1], daemon.ReaderSlot(1)) {
			t.Fatalf("reader names %q", names)
		}
		pc, err := reader.NewContext()
		if err != nil {
			t.Fatal(err)
		}
		defer pc.Close()
		for r, card := range []*sim.Card{a, b} {
			p, err := pc.Connect(context.Background(), names[r], reader.ConnectOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(p.ATR(), card.ATR()) {
				t.Errorf("reader %d: ATR %X, want the card's %X", r, p.ATR(), card.ATR())
			}
			got := transmit(t, p, "80CA9F7F00")
			p.Close()
			if !bytes.HasPrefix(got, []byte{0x9F, 0x7F, 0x2A}) || !bytes.HasSuffix(got, []byte{0x90, 0x00}) {
				t.Errorf("reader %d: GET DATA CPLC = %X", r, got)
			}
		}
		// Card r is in reader r: the SCP03 card answers INITIALIZE UPDATE with SCP 03.
		p, err := pc.Connect(context.Background(), names[1], reader.ConnectOptions{})
		if err != nil {
			t.Fatal(err)
		}
		defer p.Close()
		if r := transmit(t, p, "80500000080102030405060708"); len(r) < 12 || r[11] != 0x03 {
			t.Errorf("INITIALIZE UPDATE in reader 1 = %X, want the SCP03 card", r)
		}
	})
	// Cleanup removed both cards and waited for pcscd to see it.
	pc, err := reader.NewContext()
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	for _, n := range names {
		if _, err := pc.Connect(context.Background(), n, reader.ConnectOptions{}); !errors.Is(err, reader.ErrNoCard) {
			t.Errorf("connect to %q after cleanup: %v, want no card", n, err)
		}
	}
}

func TestServeVPCD_TooManyCards_FailsTheTest(t *testing.T) {
	cards := make([]*sim.Card, daemon.Readers()+1)
	for i := range cards {
		cards[i], _ = simtest.NewCard(t)
	}
	if msg := fails(t, func(tb testing.TB) { simtest.ServeVPCD(tb, daemon, cards...) }); !strings.Contains(msg, "readers") {
		t.Fatalf("failure %q", msg)
	}
}

func TestServeVPCD_ProcessNotPointedAtDaemon_FailsTheTest(t *testing.T) {
	card, _ := simtest.NewCard(t)
	t.Setenv("PCSCLITE_CSOCK_NAME", "/run/elsewhere/pcscd.comm") // libpcsclite has read it already
	if msg := fails(t, func(tb testing.TB) { simtest.ServeVPCD(tb, daemon, card) }); !strings.Contains(msg, "Setenv") {
		t.Fatalf("failure %q", msg)
	}
}
