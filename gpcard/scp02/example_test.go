package scp02_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"

	"github.com/cardhost/cardhost/gpcard/keys"
	"github.com/cardhost/cardhost/gpcard/scp/scptest"
	"github.com/cardhost/cardhost/gpcard/scp02"
	"github.com/skythen/apdu"
)

func unhex(s string) []byte { b, _ := hex.DecodeString(s); return b }

func Example() {
	// Card responses recorded in kaoh/globalplatform scp02Test.c get_status_mac_only.
	card := scptest.NewReplay(
		"000074746E6E6E6262620102069FAA2A0591E73367DD78794D04315E9000",
		"9000",
		"E30D4F07D0D1D2D3D4D5019F7001019000",
	)
	spec, _ := keys.ParseSpec("default")
	s, err := scp02.Open(context.Background(), card, spec.Provider(0), scp02.Options{
		I: 0x15, Level: scp02.CMAC, Rand: bytes.NewReader(unhex("D5AD539A60CA5E72")), // pinned for the example
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close()
	// GET STATUS for load files; the session adds CLA 04 and the C-MAC.
	r, err := s.Transmit(context.Background(), apdu.Capdu{Cla: 0x80, Ins: 0xF2, P1: 0x20, P2: 0x02, Data: []byte{0x4F, 0x00}, Ne: 256})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%X %02X%02X, max LOAD data %d\n", r.Data, r.SW1, r.SW2, s.MaxCommandData())
	// Output: E30D4F07D0D1D2D3D4D5019F700101 9000, max LOAD data 247
}
