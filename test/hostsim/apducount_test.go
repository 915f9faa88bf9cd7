package hostsim

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/cardhost/cardhost/applet/cap"
	"github.com/cardhost/cardhost/gpcard"
)

// The CLI-critical path, counted at the transport from a fresh card:
// Connect + Authenticate + InstallCAP cost exactly 1 SELECT, INITIALIZE
// UPDATE and EXTERNAL AUTHENTICATE, 1 INSTALL [for load], ceil(load file /
// block) LOAD and 1 INSTALL [for install and make selectable] — no GET DATA
// (the FCI carries the card recognition data), no GET STATUS, no retry.
func TestInstallCAP_APDUCount(t *testing.T) {
	f := testCAP(t, []byte{0xD0, 0xD1, 0xD2, 0xD3, 0xD4, 0x0C}, 3000)
	payload := len(f.LoadFile(cap.LoadOptions{}))
	for _, k := range []transportKind{inProcess, viaPCSC} {
		for _, v := range variants {
			for _, level := range v.levels {
				t.Run(fmt.Sprintf("%s/%s/L%02X", k, v.name, byte(level)), func(t *testing.T) {
					if k == viaPCSC {
						t.Parallel()
					}
					p := v.profile(t)
					_, tr := newCard(t, p, k)
					ct := &countingTransport{Transport: tr}
					ctx := context.Background()
					c, err := gpcard.Connect(ctx, ct, gpcard.Options{})
					if err != nil {
						t.Fatal(err)
					}
					if err := c.Authenticate(ctx, keysProvider(t, 0, factoryKeyHex), gpcard.AuthOptions{Level: level}); err != nil {
						t.Fatal(err)
					}
					res, err := c.InstallCAP(ctx, f, gpcard.InstallCAPOptions{})
					if err != nil {
						t.Fatal(err)
					}
					block := expectedBlock(p, level)
					n := (payload + block - 1) / block
					want := append([]byte{0xA4, 0x50, 0x82, 0xE6}, bytes.Repeat([]byte{0xE8}, n)...)
					want = append(want, 0xE6)
					if got := ct.since(0); !bytes.Equal(got, want) {
						t.Fatalf("sent INS %X (%d APDUs), want %X (%d)", got, len(got), want, len(want))
					}
					if res.Blocks != n || res.BlockSize != block {
						t.Errorf("result %+v, want %d blocks of %d", res, n, block)
					}
					counts.add(fmt.Sprintf("connect+auth+InstallCAP (%d-byte load file)", payload), fmt.Sprintf("block %d", block), len(want))
				})
			}
		}
	}
}
