package main

import (
	"encoding/hex"
	"strings"
	"testing"

	"github.com/cardhost/cardhost/applet/payment"
)

// personalize --encrypt sends the named DGIs encrypted under the session
// DEK (the simulator's default profile is SCP02 i=15: session DEK,
// 3DES-ECB); the card decrypts for the purse, so a CREDIT authorised with
// the real key succeeds. A value that is not a multiple of 8 bytes, or a
// bad identifier, is refused.
func TestPersonalize_Encrypt(t *testing.T) {
	const purseKey = "0F1E2D3C4B5A69788796A5B4C3D2E1F0"
	c := newCLI(t)
	g := []string{"--reader", "sim:card.img"}
	at := func(args ...string) []string { return append(append([]string{}, g...), args...) }
	c.ok("sim", "new", "card.img")
	c.ok(at("install", "purse.cap")...)
	c.fails(exitError, []string{"multiple of the cipher block"}, at("personalize", "--encrypt", "0103", purseApp, "0103=010203")...)
	c.fails(exitUsage, []string{"--encrypt"}, at("personalize", "--encrypt", "81", purseApp, "8101="+purseKey)...)
	res := c.ok(at("--json", "personalize", "--encrypt", "8101", purseApp, "8101="+purseKey, "0101=000F4240", "0102=0978", "0103=0102")...)
	if !strings.Contains(res.out, `"encrypted": [`) || !strings.Contains(res.out, `"8101"`) {
		t.Errorf("personalize --json:\n%s", res.out)
	}
	credit, err := payment.CreditAPDU(unhex(purseKey), 1000, 1, []byte{0x01, 0x02})
	if err != nil {
		t.Fatal(err)
	}
	res = c.ok(at("apdu", "00A4040008"+purseApp, strings.ToUpper(hex.EncodeToString(credit)))...)
	contains(t, "CREDIT", res.out, "<< 000003E8 9000 (success)")
	if strings.Contains(strings.ToUpper(res.out+res.stderr), purseKey) {
		t.Error("the purse key appears in the output")
	}
}
