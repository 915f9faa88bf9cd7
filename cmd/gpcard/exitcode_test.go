package main

import (
	"errors"
	"io/fs"
	"os"
	"testing"
)

// TestCardCommands_ExitCodes: a wrong command line exits 2 before touching
// the card; a card, reader or file failure exits 1.
func TestCardCommands_ExitCodes(t *testing.T) {
	c := newCLI(t)
	if err := os.WriteFile("corrupt.img", []byte("not a card image"), 0o600); err != nil {
		t.Fatal(err)
	}
	g := []string{"--reader", "sim:card.img"}
	at := func(args ...string) []string { return append(append([]string{}, g...), args...) }
	for _, tc := range []struct {
		name   string
		code   int
		args   []string
		stderr string
	}{
		{"info with args", exitUsage, at("info", "x"), "takes no arguments"},
		{"list with args", exitUsage, at("list", "x"), "takes no arguments"},
		{"install without CAP", exitUsage, at("install"), "exactly one CAP file"},
		{"install both only flags", exitUsage, at("install", "--load-only", "--install-only", "hello.cap"), "exclude each other"},
		{"install bad privilege", exitUsage, at("install", "--privs", "Superuser", "hello.cap"), "Superuser"},
		{"install bad applet AID", exitUsage, at("install", "--applet", "A0", "hello.cap"), "an AID has 5 to 16 bytes"},
		{"install bad params", exitUsage, at("install", "--params", "XY", "hello.cap"), "not hex"},
		{"install missing CAP", exitError, at("install", "nope.cap"), "nope.cap"},
		{"delete bad AID", exitUsage, at("delete", "hello"), "not hex"},
		{"delete not on card", exitError, at("delete", "A0000009990001"), "DELETE: 6A88"},
		{"put-key without keys", exitUsage, at("put-key", "--new-kvn", "01"), "needs the new keys"},
		{"put-key without kvn", exitUsage, at("put-key", "--new-key", keyV1), "--new-kvn: want a key version 01..7F"},
		{"put-key kvn too big", exitUsage, at("put-key", "--new-kvn", "80", "--new-key", keyV1), "--new-kvn"},
		{"put-key mixed master", exitUsage, at("put-key", "--new-kvn", "01", "--new-key", "emv:"+keyV1, "--new-key-enc", keyV2), "cannot be combined"},
		{"create-ssd bad privilege", exitUsage, at("create-ssd", ssdAID, "--privs", "Root"), "Root"},
		{"create-ssd scp without i", exitUsage, at("create-ssd", ssdAID, "--ssd-scp", "03"), "go together"},
		{"extradite without --to", exitUsage, at("extradite", helloApp), "needs --to"},
		{"lock without AID", exitUsage, at("lock"), "exactly one AID"},
		{"card-state unknown", exitUsage, at("card-state", "melt"), "want initialize"},
		{"card-state terminate unconfirmed", exitUsage, at("card-state", "terminate"), "--yes-really"},
		{"store-data bad format", exitUsage, at("store-data", "--format", "xml", "00"), "--format"},
		{"personalize bad DGI", exitUsage, at("personalize", purseApp, "01=00"), "4-digit hex ID"},
		{"apdu bad hex", exitUsage, at("apdu", "00A4ZZ"), "not hex"},
		{"apdu too short", exitUsage, at("apdu", "00A4"), "APDU"},
		{"bad --sec", exitUsage, at("--sec", "max", "list"), "--sec"},
		{"bad --scp", exitUsage, at("--scp", "04", "list"), "--scp"},
		{"bad --sd", exitUsage, at("--sd", "A0", "list"), "--sd"},
		{"bad key spec", exitUsage, at("--key", "rsa:00", "list"), "unknown key spec method"},
		{"sim without path", exitUsage, []string{"--reader", "sim:", "info"}, "needs a path"},
		{"corrupt image", exitError, []string{"--reader", "sim:corrupt.img", "info"}, "corrupt.img"},
		{"no such reader", exitError, []string{"--reader", "no such reader", "info"}, "no such reader"},
		{"sim serve no cards", exitUsage, []string{"sim", "serve", "--cards", "0"}, "--cards"},
		{"sim show missing", exitError, []string{"sim", "show", "none.img"}, "none.img"},
		{"sim new unknown profile", exitError, []string{"sim", "new", "--profile", "nosuch", "x.img"}, "nosuch"},
		{"sim unknown subcommand", exitUsage, []string{"sim", "boot"}, `unknown command "boot"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c.fails(tc.code, []string{tc.stderr}, tc.args...)
		})
	}
	// Usage errors happen before the card is touched: no image is made.
	c.fails(exitUsage, []string{"Bad"}, "--reader", "sim:untouched.img", "install", "--privs", "Bad", "hello.cap")
	if _, err := os.Stat("untouched.img"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a usage error created the card image (stat: %v)", err)
	}
}
