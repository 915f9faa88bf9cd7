package gpcard

import (
	"context"
	"errors"
	"testing"

	"github.com/cardhost/cardhost/gpcard/command"
	"github.com/cardhost/cardhost/gpcard/scp/scptest"
	"github.com/cardhost/cardhost/gpcard/sw"
)

// MANAGE CHANNEL open/close (ISO/IEC 7816-4 §11.1.2) on the basic channel;
// the channel's commands carry its number in CLA (01, 81; from channel 4
// on 40–4F, C0–CF; GPCS 2.3.1 Table 11-11).
func TestOpenChannel_Transcript(t *testing.T) {
	sc := scptest.New(t,
		scptest.Step{Name: "SELECT ISD", WantCAPDU: "00A4040000", Reply: fciHex(t, isdHex, 3, 0x70, nil)},
		scptest.Step{Name: "MANAGE CHANNEL open", WantCAPDU: "0070000001", Reply: "01 9000"},
		scptest.Step{Name: "SELECT ISD on 1", WantCAPDU: "01A4040008" + isdHex + "00", Reply: fciHex(t, isdHex, 3, 0x70, nil)},
		scptest.Step{Name: "GET DATA 66 on 1", WantCAPDU: "81CA006600", Reply: "6A88"},
		scptest.Step{Name: "MANAGE CHANNEL close 1", WantCAPDU: "00708001", Reply: "9000"},
		scptest.Step{Name: "MANAGE CHANNEL open", WantCAPDU: "0070000001", Reply: "05 9000"},
		scptest.Step{Name: "SELECT missing on 5", WantCAPDU: "41A4040006A0000000999900", Reply: "6A82"},
		scptest.Step{Name: "MANAGE CHANNEL close 5", WantCAPDU: "00708005", Reply: "9000"},
		scptest.Step{Name: "MANAGE CHANNEL open refused", WantCAPDU: "0070000001", Reply: "6A81"},
	)
	ctx := context.Background()
	c, err := Connect(ctx, sc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ch, err := c.OpenChannel(ctx, nil)
	if err != nil || ch.Channel() != 1 {
		t.Fatalf("OpenChannel: %v", err)
	}
	if r, err := ch.Transmit(ctx, command.GetData(command.TagCardData)); err != nil || r.SW1 != 0x6A {
		t.Fatalf("GET DATA on channel 1: %v", err)
	}
	if err := ch.CloseChannel(ctx); err != nil {
		t.Fatal(err)
	}
	if err := ch.Select(ctx, scptest.Hex(t, isdHex)); !errors.Is(err, ErrChannelClosed) {
		t.Fatalf("SELECT on a closed channel: %v", err)
	}
	if _, err := c.OpenChannel(ctx, scptest.Hex(t, "A00000009999")); !errors.Is(err, sw.ErrNotFound) {
		t.Fatalf("channel to a missing SD: %v", err)
	}
	if _, err := c.OpenChannel(ctx, nil); err == nil {
		t.Fatal("refused MANAGE CHANNEL accepted")
	}
	if err := c.CloseChannel(ctx); err == nil {
		t.Fatal("closing the basic channel accepted")
	}
}
