package hostsim

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/cardhost/cardhost/gpcard"
	"github.com/cardhost/cardhost/gpcard/command"
	"github.com/cardhost/cardhost/gpcard/keys"
	"github.com/cardhost/cardhost/gpcard/sw"
)

// Two secure channels live at the same time on two supplementary logical
// channels of one card (MANAGE CHANNEL, ISO/IEC 7816-4 §11.1.2): channel 1
// with the SSD loading a CAP, channel 2 with the ISD listing the registry
// between every LOAD block, and the basic channel's own session with the ISD
// in between too. Each session keeps its own MAC chain; closing channel 1
// leaves the others working. Misuse: a closed channel (host error; raw APDU
// 6881), closing the basic channel, a channel whose SD does not exist (the
// channel is given back), a re-selected channel without authentication.
func TestLogicalChannels_TwoSecureChannels(t *testing.T) {
	cases := []struct {
		k     transportKind
		v     variant
		level gpcard.Level
	}{
		{inProcess, variants[0], lvlMACDEC},  // SCP02 i=15
		{inProcess, variants[5], lvlRMACENC}, // SCP03 i=71, S16
		{viaPCSC, variants[4], lvlRMACENC},   // SCP03 i=70
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("%s/%s", tc.k, tc.v.name), func(t *testing.T) {
			if tc.k == viaPCSC {
				t.Parallel()
			}
			log := &traceLog{}
			defer log.checkNoKeys(t)
			p := tc.v.profile(t)
			_, raw := newCard(t, p, tc.k)
			tr := &countingTransport{Transport: raw}
			ctx := context.Background()
			c, err := gpcard.Connect(ctx, tr, gpcard.Options{Trace: log.trace})
			if err != nil {
				t.Fatal(err)
			}
			kp := keys.NewPlain(set(t, byte(p.KVN), factoryKeyHex), set(t, kvnSSD, ssdKeyHex))
			auth := gpcard.AuthOptions{Level: tc.level}
			if err := c.Authenticate(ctx, kp, auth); err != nil {
				t.Fatal(err)
			}
			if _, err := c.CreateSSD(ctx, gpcard.SSDOptions{AID: ssd1AID, Privileges: []string{"AuthorizedManagement"},
				InitialKeys: &gpcard.InitialKeys{Via: gpcard.ByStoreData, KVN: kvnSSD}}); err != nil {
				t.Fatal(err)
			}

			ch1, err := c.OpenChannel(ctx, ssd1AID)
			if err != nil {
				t.Fatal(err)
			}
			ch2, err := c.OpenChannel(ctx, nil) // the SD selected on c: the ISD
			if err != nil {
				t.Fatal(err)
			}
			if ch1.Channel() != 1 || ch2.Channel() != 2 || !bytes.Equal(ch2.SD(), isdAID) || !bytes.Equal(ch1.SD(), ssd1AID) {
				t.Fatalf("channels %d (%X), %d (%X)", ch1.Channel(), ch1.SD(), ch2.Channel(), ch2.SD())
			}
			if err := ch1.Authenticate(ctx, kp, gpcard.AuthOptions{KVN: kvnSSD, Level: tc.level}); err != nil {
				t.Fatal(err)
			}
			if err := ch2.Authenticate(ctx, kp, auth); err != nil {
				t.Fatal(err)
			}

			f := testCAP(t, []byte{0xD0, 0xD1, 0xD2, 0xD3, 0xD4, 0xC1}, 600)
			blocks := 0
			var inner error
			progress := func(sent, total int) {
				blocks++
				if inner != nil {
					return
				}
				if _, err := ch2.Registry(ctx, command.ScopeApps); err != nil {
					inner = fmt.Errorf("channel 2 between LOAD blocks: %w", err)
				} else if _, err := c.Registry(ctx, command.ScopeISD); err != nil {
					inner = fmt.Errorf("basic channel between LOAD blocks: %w", err)
				}
			}
			if _, err := ch1.InstallCAP(ctx, f, gpcard.InstallCAPOptions{Load: gpcard.LoadOptions{Progress: progress}}); err != nil || inner != nil || blocks < 2 {
				t.Fatalf("install on channel 1: %v; interleaved: %v; %d blocks", err, inner, blocks)
			}
			// On the wire every GP command carries its channel in CLA b2–b1:
			// 84 basic, 85 channel 1, 86 channel 2 (GPCS 2.3.1 Table 11-11).
			perChannel := map[byte]int{}
			for _, cmd := range tr.cmds {
				if cmd[0]&0x80 != 0 && cmd[0]&0x40 == 0 {
					perChannel[cmd[0]&0x03]++
				}
			}
			if perChannel[1] < blocks || perChannel[2] < blocks || perChannel[0] < blocks {
				t.Fatalf("GP commands per channel %v, want at least %d on each", perChannel, blocks)
			}
			reg, err := ch2.Registry(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if e := find(reg, f.Applets[0].AID); e == nil || !bytes.Equal(e.AssociatedSD, ssd1AID) {
				t.Fatalf("registry from channel 2:\n%s", reg)
			}

			if err := ch1.CloseChannel(ctx); err != nil {
				t.Fatal(err)
			}
			if err := ch1.CloseChannel(ctx); err != nil {
				t.Fatalf("second close: %v", err)
			}
			if _, err := ch1.Registry(ctx); !errors.Is(err, gpcard.ErrChannelClosed) && !errors.Is(err, gpcard.ErrNotAuthenticated) {
				t.Fatalf("closed channel: %v", err)
			}
			if _, err := ch1.Transmit(ctx, command.GetData(command.TagCardData)); !errors.Is(err, gpcard.ErrChannelClosed) {
				t.Fatalf("Transmit on a closed channel: %v", err)
			}
			if r := transmit(t, tr, hx(t, "81CA006600")); swOf(r) != 0x6881 {
				t.Fatalf("raw APDU on closed channel 1: %X, want 6881", r)
			}
			if _, err := ch2.Registry(ctx, command.ScopeISD); err != nil {
				t.Fatalf("channel 2 after closing 1: %v", err)
			}
			if err := c.CloseChannel(ctx); err == nil {
				t.Fatal("closing the basic channel accepted")
			}
			if _, err := c.OpenChannel(ctx, []byte{0xA0, 0x00, 0x00, 0x00, 0x99, 0x99}); !errors.Is(err, sw.ErrNotFound) {
				t.Fatalf("channel to a missing SD: %v, want 6A82", err)
			}
			ch3, err := c.OpenChannel(ctx, ssd1AID)
			if err != nil || ch3.Channel() != 1 {
				t.Fatalf("reopened channel %v: %v (channel 1 should be free again)", ch3.Channel(), err)
			}
			if _, err := ch3.Registry(ctx); !errors.Is(err, gpcard.ErrNotAuthenticated) {
				t.Fatalf("unauthenticated channel: %v", err)
			}
			if err := ch2.Select(ctx, isdAID); err != nil {
				t.Fatal(err)
			}
			if _, err := ch2.Registry(ctx); !errors.Is(err, gpcard.ErrNotAuthenticated) {
				t.Fatalf("re-selected channel 2 kept its session: %v", err)
			}
			if _, err := c.Registry(ctx, command.ScopeISD); err != nil {
				t.Fatalf("basic channel session after the others: %v", err)
			}
			for _, ch := range []*gpcard.Card{ch2, ch3} {
				if err := ch.CloseChannel(ctx); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}
