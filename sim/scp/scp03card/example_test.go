package scp03card_test

import (
	"encoding/hex"
	"fmt"

	"github.com/cardhost/cardhost/sim/scp/scp03card"
)

// A card manager answers INITIALIZE UPDATE and EXTERNAL AUTHENTICATE, then
// unwraps every later command and wraps its response (kaoh/globalplatform
// scp03Test.c, delete_application).
func Example() {
	h := func(s string) []byte { b, _ := hex.DecodeString(s); return b }
	ks := scp03card.KeySet{
		KVN: 0x30, I: 0x70, Counter: 0x14,
		ENC: h("F995D0A069335C7DF42E590317FFEA6D"),
		MAC: h("58563362EC5A4541ABCD32B34B1EAE7D"),
	}
	s := scp03card.New(scp03card.Options{})
	r := s.Begin(h("8050000008B2BDE1A2DC66BD5600"), ks, h("A000000151000000"))
	fmt.Printf("INITIALIZE UPDATE: %X (persist counter %06X)\n", r.Bytes(), r.Counter)
	a := s.ExternalAuthenticate(h("848203001059D54D932423D29F6313C970875F8C2F"))
	fmt.Printf("EXTERNAL AUTHENTICATE: %04X, level %02X\n", a.SW, byte(s.Level()))
	plain, status := s.Unwrap(h("84E400801829F06AEC3180B3EFE91FF662310B945DE0D5FE66AD67A5B6"))
	fmt.Printf("DELETE: %X %04X\n", plain, status)
	fmt.Printf("response: %X\n", s.Wrap(h("009000")))
	// Output:
	// INITIALIZE UPDATE: 00000000000000000000300370C40932A6FEFEAEB2E127185170F45FCA0000159000 (persist counter 000015)
	// EXTERNAL AUTHENTICATE: 9000, level 83
	// DELETE: 80E400800A4F08A00100015141434C 9000
	// response: 009000
}
