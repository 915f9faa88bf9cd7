package gpcard_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"

	"github.com/cardhost/cardhost/gpcard"
	"github.com/cardhost/cardhost/gpcard/command"
	"github.com/cardhost/cardhost/gpcard/keys"
	"github.com/cardhost/cardhost/gpcard/scp/scptest"
)

// Open a secure channel and list the load files. The card is a replay of
// recorded answers: an ISD announcing SCP02 i=15, then the kaoh/globalplatform
// scp02Test.c get_status_mac_only session (default keys 40..4F).
func Example() {
	card := scptest.NewReplay(
		"6F288408A000000151000000A51C731606072A864886FC6B01640B06092A864886FC6B0402159F6501FF9000",
		"000074746E6E6E6262620102069FAA2A0591E73367DD78794D04315E9000",
		"9000",
		"E30D4F07A00000000353509F700101E30D4F07D0D1D2D3D4D5019F7001019000",
	)
	host, _ := hex.DecodeString("D5AD539A60CA5E72") // pinned host challenge
	ctx := context.Background()
	c, err := gpcard.Connect(ctx, card, gpcard.Options{Rand: bytes.NewReader(host)})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()
	spec, _ := keys.ParseSpec("default")
	if err := c.Authenticate(ctx, spec.Provider(0), gpcard.AuthOptions{}); err != nil {
		fmt.Println(err)
		return
	}
	reg, err := c.Registry(ctx, command.ScopeLoadFiles)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(reg)
	// Output:
	// PKG: A0000000035350 (LOADED)
	//
	// PKG: D0D1D2D3D4D501 (LOADED)
}
