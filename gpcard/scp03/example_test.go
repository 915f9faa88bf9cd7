package scp03_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"

	"github.com/cardhost/cardhost/gpcard/keys"
	"github.com/cardhost/cardhost/gpcard/scp/scptest"
	"github.com/cardhost/cardhost/gpcard/scp03"
	"github.com/cardhost/cardhost/gpcard/secret"
	"github.com/skythen/apdu"
)

func unhex(s string) []byte { b, _ := hex.DecodeString(s); return b }

func Example() {
	// Card responses recorded in kaoh/globalplatform scp03Test.c delete_application.
	card := scptest.NewReplay(
		"00000000000000000000300370C40932A6FEFEAEB2E127185170F45FCA0000159000",
		"9000",
		"009000",
	)
	kp := keys.NewPlain(keys.KeySet{KVN: 0x30,
		ENC: secret.New(unhex("F995D0A069335C7DF42E590317FFEA6D")),
		MAC: secret.New(unhex("58563362EC5A4541ABCD32B34B1EAE7D")),
		DEK: secret.New(unhex("0A02A6D687406DCFA09DC70B3EDB7E38"))})
	s, err := scp03.Open(context.Background(), card, kp, scp03.Options{
		Level: scp03.CMAC | scp03.CDEC, Rand: bytes.NewReader(unhex("B2BDE1A2DC66BD56")), // pinned for the example
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close()
	// DELETE A00100015141434C and related objects, encrypted and MACed.
	r, err := s.Transmit(context.Background(), apdu.Capdu{Cla: 0x80, Ins: 0xE4, P2: 0x80, Data: unhex("4F08A00100015141434C")})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("i=%02X %X %02X%02X, max LOAD data %d\n", s.I(), r.Data, r.SW1, r.SW2, s.MaxCommandData())
	// Output: i=70 00 9000, max LOAD data 239
}
