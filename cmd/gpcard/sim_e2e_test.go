package main

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

func TestSim_AcceptanceFlow(t *testing.T) {
	c := newCLI(t)
	acceptanceFlow(t, c, "sim:card.img")
}

// TestSim_OtherCommands runs the commands the acceptance flow does not:
// extradite, lock/unlock, store-data, personalize, apdu, card-state, sim.
func TestSim_OtherCommands(t *testing.T) {
	c := newCLI(t)
	res := c.ok("sim", "new", "card.img")
	contains(t, "sim new", res.out, "Card image: card.img", "SD: "+isdAID+" SCP02 i=15", "KVN FF KID 1 type DES3 length 16 KCV 8BAF47")
	c.fails(exitError, []string{"card.img"}, "sim", "new", "card.img")
	contains(t, "sim purse-cap", c.ok("sim", "purse-cap", "p2.cap").out, "Wrote p2.cap", "package "+pursePkg+", applet "+purseApp)
	if a, b := readFile(t, "p2.cap"), readFile(t, "purse.cap"); !bytes.Equal(a, b) {
		t.Error("sim purse-cap wrote a different CAP file than payment.CAP")
	}
	otherFlow(t, c, "sim:card.img")
	contains(t, "sim show", c.ok("sim", "show", "card.img").out, "Life cycle: TERMINATED")
}

// otherFlow runs extradite, lock, unlock, store-data, personalize, apdu
// and card-state (ending with terminate) on the fresh card r names.
func otherFlow(t *testing.T, c *cli, r string) {
	g := []string{"--reader", r}
	at := func(args ...string) []string { return append(append([]string{}, g...), args...) }
	c.ok(at("install", "hello.cap")...)
	c.ok(at("create-ssd", ssdAID, "--allow-to")...)
	res := c.ok(at("extradite", helloApp, "--to", ssdAID)...)
	contains(t, "extradite", res.out, helloApp+" is now associated with "+ssdAID)
	contains(t, "list after extradite", c.ok(at("list")...).out, "APP: "+helloApp+" (SELECTABLE)\n     Parent:   "+ssdAID)

	res = c.ok(at("lock", helloApp)...)
	contains(t, "lock", res.out, helloApp+" LOCKED")
	contains(t, "lock notice", res.stderr, "Locking "+helloApp)
	contains(t, "list after lock", c.ok(at("list")...).out, "APP: "+helloApp+" (LOCKED)")
	c.ok(at("unlock", helloApp)...)
	contains(t, "list after unlock", c.ok(at("list")...).out, "APP: "+helloApp+" (SELECTABLE)")

	// STORE DATA to the ISD: BER-TLV 42 sets the IIN, which info shows.
	res = c.ok(at("store-data", "--format", "ber", "4205", "1122334455")...)
	contains(t, "store-data", res.out, "STORE DATA: 7 bytes to "+isdAID)
	contains(t, "info after store-data", c.ok(at("info")...).out, "IIN: 1122334455")

	// The e-purse: load, install, personalise, then a plain APDU to it.
	// install's options: --to associates the package with the SSD, then
	// load only and install a second instance with parameters.
	res = c.ok(at("install", "--to", ssdAID, "purse.cap")...)
	contains(t, "install --to", res.out, "loaded: com/cardhost/payment "+pursePkg+" into "+ssdAID)
	contains(t, "list after --to", c.ok(at("list")...).out, "PKG: "+pursePkg+" (LOADED)\n     Parent:   "+ssdAID)
	res = c.ok(at("install", "--force", "--load-only", "purse.cap")...)
	contains(t, "--load-only", res.out, "Deleted earlier copy of "+pursePkg, "loaded: com/cardhost/payment")
	if strings.Contains(res.out, "Installed") {
		t.Errorf("--load-only installed:\n%s", res.out)
	}
	res = c.ok(at("install", "--install-only", "--instance", pursePkg+"FF01", "--params", "810103", "--privs", "cardreset", "purse.cap")...)
	contains(t, "--install-only", res.out, "Installed "+pursePkg+"FF01 (applet "+purseApp+" from "+pursePkg+")", "Privs:    CardReset")
	c.ok(at("install", "--install-only", "purse.cap")...)
	res = c.ok(at("personalize", purseApp, "8101=00112233445566778899AABBCCDDEEFF", "0101=000F4240", "0102=0978", "0103=0102")...)
	contains(t, "personalize", res.out, "Personalised "+purseApp+" with DGI 8101, 0101, 0102, 0103")
	res = c.ok(at("apdu", "00A4040008"+purseApp, "805C000006")...)
	contains(t, "apdu", res.out, "<< 6F0DA50B8003312E30810101820103 9000 (success)", "<< 000000000978 9000 (success)")
	res = c.ok(at("apdu", "--secure", "80CA004500")...)
	contains(t, "apdu --secure", res.out, "<< 45080000000000000001 9000 (")
	c.fails(exitError, []string{"APDU 1: 6A82"}, at("apdu", "00A4040005A000000999")...)

	for _, st := range []struct{ arg, want string }{{"initialize", "INITIALIZED"}, {"secure", "SECURED"}, {"lock", "CARD_LOCKED"}, {"unlock", "SECURED"}} {
		res = c.ok(at("card-state", st.arg)...)
		contains(t, "card-state "+st.arg, res.out, "Card life cycle: "+st.want)
		contains(t, "card-state notice", res.stderr, "Setting the card life cycle to "+st.want)
	}
	c.fails(exitUsage, []string{"--yes-really"}, at("card-state", "terminate")...)
	c.ok(at("card-state", "terminate", "--yes-really")...)
}

// TestSim_AuthFailure: wrong keys give the warning; the host stops at the
// card cryptogram, before EXTERNAL AUTHENTICATE, so the card counts nothing.
func TestSim_AuthFailure(t *testing.T) {
	c := newCLI(t)
	c.fails(exitError, []string{"card cryptogram mismatch", "do not retry"}, "--reader", "sim:card.img", "--key", keyV1, "list")
	contains(t, "sim show", c.ok("sim", "show", "card.img").out, "0 failed authentications")
}

func readFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
