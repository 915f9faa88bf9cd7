package scp02card_test

import (
	"bytes"
	"encoding/hex"
	"fmt"

	"github.com/cardhost/cardhost/sim/scp/scp02card"
)

// A card manager answers INITIALIZE UPDATE and EXTERNAL AUTHENTICATE, then
// unwraps every later command (kaoh/globalplatform scp02Test.c,
// get_status_mac_only; the card challenge is pinned through Options.Rand).
func Example() {
	h := func(s string) []byte { b, _ := hex.DecodeString(s); return b }
	k := h("404142434445464748494A4B4C4D4E4F")
	ks := scp02card.KeySet{KVN: 0x01, I: 0x15, Counter: 0x069F, ENC: k, MAC: k, DEK: k}
	copy(ks.KDD[:], h("000074746E6E6E626262"))
	s := scp02card.New(scp02card.Options{Rand: bytes.NewReader(h("AA2A0591E733"))})
	r := s.Begin(h("8050000008D5AD539A60CA5E7200"), ks, h("A000000151000000"))
	fmt.Printf("INITIALIZE UPDATE: %X\n", r.Bytes())
	a := s.ExternalAuthenticate(h("84820100107C799B3C771DBAE6BEF49310977617BA"))
	fmt.Printf("EXTERNAL AUTHENTICATE: %04X, persist counter %04X\n", a.SW, a.Counter)
	plain, status := s.Unwrap(h("84F220020A4F00BB6E71C0EFCFCF0D00"))
	fmt.Printf("GET STATUS: %X %04X\n", plain, status)
	// Output:
	// INITIALIZE UPDATE: 000074746E6E6E6262620102069FAA2A0591E73367DD78794D04315E9000
	// EXTERNAL AUTHENTICATE: 9000, persist counter 06A0
	// GET STATUS: 80F22002024F0000 9000
}
