package main

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// TestEnv_FlagsOverrideEnvironment: every global flag has a CARDHOST_
// variable; a flag on the command line wins.
func TestEnv_FlagsOverrideEnvironment(t *testing.T) {
	c := newCLI(t)
	c.ok("--reader", "sim:card.img", "put-key", "--new-kvn", "01", "--new-key", keyV1)

	c.env["CARDHOST_READER"] = "sim:card.img"
	c.env["CARDHOST_KEY"] = keyV1
	c.env["CARDHOST_KVN"] = "01"
	c.env["CARDHOST_JSON"] = "true"
	c.env["CARDHOST_TRACE"] = "1"
	res := c.ok("list")
	var l listJSON
	if err := json.Unmarshal([]byte(res.out), &l); err != nil || l.SD != isdAID {
		t.Errorf("list from the environment: %v, %+v\n%s", err, l, res.out)
	}
	contains(t, "trace from CARDHOST_TRACE", res.stderr, ">> 00A4040000", ">> 8050010008")

	// Flags override: a wrong key in the environment, the right one on the
	// command line; a missing image in the environment, the real one given.
	c.env["CARDHOST_KEY"] = keyBad
	c.env["CARDHOST_READER"] = "sim:" + os.DevNull + "/none.img"
	c.ok("--reader", "sim:card.img", "--key", keyV1, "list")
	c.env["CARDHOST_KEY_ENC"], c.env["CARDHOST_KEY_MAC"], c.env["CARDHOST_KEY_DEK"] = keyV1, keyV1, keyV1
	c.ok("--reader", "sim:card.img", "list") // single-key variables override CARDHOST_KEY

	c.env = map[string]string{"CARDHOST_READER": "sim:card.img", "CARDHOST_SEC": "enc", "CARDHOST_KEY": keyV1}
	contains(t, "CARDHOST_SEC", c.ok("-d", "list").stderr, ">> 8482030010")
	c.env["CARDHOST_SCP"] = "03"
	c.fails(exitError, nil, "list") // the card speaks SCP02 only with these keys
	c.env["CARDHOST_SCP"] = "02"
	c.env["CARDHOST_SCP_I"] = "15"
	c.env["CARDHOST_SD"] = isdAID
	c.ok("list")

	c.env["CARDHOST_KVN"] = "zz"
	c.fails(exitUsage, []string{"--kvn \"zz\": want one byte in hex", "note: --kvn was taken from the environment variable CARDHOST_KVN"}, "list")
	c.env["CARDHOST_KVN"] = ""
	c.env["CARDHOST_KEY"] = keyV1 + "0"
	res = c.fails(exitUsage, []string{"--key"}, "list")
	if strings.Contains(res.stderr, keyV1) {
		t.Error("a malformed key from the environment is echoed")
	}
}
