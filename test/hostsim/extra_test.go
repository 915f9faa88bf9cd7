package hostsim

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/cardhost/cardhost/gpcard"
	"github.com/cardhost/cardhost/gpcard/keys"
)

// An SSD receiving two AES-256 key sets through the ISD needs more than one
// STORE DATA block; the host cuts the DGI stream at the block size
// (command.StoreData) and the card completes a DGI cut across blocks
// (sim/storedata.go; disagreement found here, fixed on the card side).
func TestCreateSSD_KeysAcrossStoreDataBlocks(t *testing.T) {
	for _, k := range []transportKind{inProcess, viaPCSC} {
		t.Run(k.String(), func(t *testing.T) {
			p := scp03(0x70)(t)
			big := factoryKeyHex + factoryKeyHex // AES-256 ISD keys
			p.Keys.ENC, p.Keys.MAC, p.Keys.DEK = hx(t, big), hx(t, big), hx(t, big)
			card, tr := newCard(t, p, k)
			ct := &countingTransport{Transport: tr}
			log := &traceLog{}
			defer log.checkNoKeys(t)
			ctx := context.Background()
			kp := keys.NewPlain(set(t, byte(p.KVN), big), set(t, kvnSSD, ssdKeyHex+ssdKeyHex), set(t, kvnSSD2, ssd2KeyHex+ssd2KeyHex))
			c, err := gpcard.Connect(ctx, ct, gpcard.Options{Trace: log.trace})
			if err != nil {
				t.Fatal(err)
			}
			if err := c.Authenticate(ctx, kp, gpcard.AuthOptions{Level: lvlRMACENC}); err != nil {
				t.Fatal(err)
			}
			var refs []keys.KeyRef
			for _, kvn := range []byte{kvnSSD, kvnSSD2} {
				for kid := byte(1); kid <= 3; kid++ {
					refs = append(refs, keys.KeyRef{KVN: kvn, KID: kid})
				}
			}
			mark := ct.n()
			res, err := c.CreateSSD(ctx, gpcard.SSDOptions{AID: ssd1AID, Privileges: []string{"AuthorizedManagement"},
				InitialKeys: &gpcard.InitialKeys{Via: gpcard.ByStoreData, KVN: kvnSSD, Keys: refs}})
			if err != nil {
				log.add(err.Error())
				t.Fatalf("CreateSSD: %v (INS %X)", err, ct.since(mark))
			}
			if got := ct.since(mark); !bytes.Equal(got, []byte{0xE6, 0xE6, 0xE2, 0xE2}) {
				t.Errorf("sent INS %X, want INSTALL, INSTALL [for personalization] and two STORE DATA", got)
			}
			d := card.Snapshot().App(ssd1AID).Domain
			if len(d.KeySets) != 2 || d.KeySet(kvnSSD) == nil || d.KeySet(kvnSSD2) == nil || len(res.Keys.KCV) != 6 {
				t.Fatalf("SSD key sets %v, result %+v", d.KeySets, res.Keys)
			}
			for _, kvn := range []byte{kvnSSD, kvnSSD2} {
				if err := c.Select(ctx, ssd1AID); err != nil {
					t.Fatal(err)
				}
				if err := c.Authenticate(ctx, kp, gpcard.AuthOptions{KVN: kvn, Level: lvlRMACENC}); err != nil {
					t.Fatalf("authenticate to the SSD with KVN %02X: %v", kvn, err)
				}
			}
		})
	}
}

// A registry larger than one GET STATUS response comes in pages (6310, then
// P2 03, GPCS 2.3.1 §11.4.2) that the host follows, at every level
// (R-MAC and R-ENC included, where the card must leave room for them).
func TestRegistry_Paging(t *testing.T) {
	for _, v := range variants {
		level := v.levels[len(v.levels)-1]
		t.Run(fmt.Sprintf("%s/L%02X", v.name, byte(level)), func(t *testing.T) {
			p := v.profile(t)
			_, tr := newCard(t, p, inProcess)
			ct := &countingTransport{Transport: tr}
			ctx := context.Background()
			c, err := gpcard.Connect(ctx, ct, gpcard.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if err := c.Authenticate(ctx, keysProvider(t, 0, factoryKeyHex), gpcard.AuthOptions{Level: level}); err != nil {
				t.Fatal(err)
			}
			f := testCAP(t, []byte{0xD0, 0xD1, 0xD2, 0xD3, 0xD4, 0x0B}, 100)
			if _, err := c.InstallCAP(ctx, f, gpcard.InstallCAPOptions{}); err != nil {
				t.Fatal(err)
			}
			const extra = 20
			for i := 0; i < extra; i++ {
				aid := append(bytes.Clone(f.Applets[0].AID), 0x10, byte(i))
				if err := c.Install(ctx, gpcard.InstallOptions{LoadFile: f.LoadFileAID(), Module: f.Applets[0].AID, AID: aid}); err != nil {
					t.Fatal(err)
				}
			}
			mark := ct.n()
			reg, err := c.Registry(ctx, gpcard.DefaultScopes[1])
			if err != nil {
				t.Fatal(err)
			}
			if len(reg) != extra+1 {
				t.Fatalf("registry lists %d applications, want %d:\n%s", len(reg), extra+1, reg)
			}
			if n := ct.n() - mark; n < 2 {
				t.Errorf("registry of %d entries in %d GET STATUS, want continuation pages", len(reg), n)
			}
		})
	}
}
