package main

import (
	"slices"
	"strings"
	"testing"
)

// TestTrace_NoKeyLeak runs every command at the most verbose trace level
// (-dd: APDU trace and debug log) with distinctive keys, from flags and from
// the environment, including failures and malformed keys, and fails if any
// test key's hex appears in stdout or stderr, in either case.
func TestTrace_NoKeyLeak(t *testing.T) {
	c := newCLI(t)
	c.env["CARDHOST_TRACE"] = "2"
	g := []string{"--reader", "sim:card.img", "-dd"}
	v1 := append(append([]string{}, g...), "--kvn", "01", "--key-enc", keyV1, "--key-mac", keyV1, "--key-dek", keyV1)
	runs := []struct {
		code int
		args []string
	}{
		{exitOK, append(g, "info")},
		{exitOK, append(g, "install", "--privs", "CardReset", "hello.cap")},
		{exitOK, append(g, "put-key", "--new-kvn", "01", "--new-key-enc", keyV1, "--new-key-mac", keyV1, "--new-key-dek", keyV1)},
		{exitOK, append(v1, "put-key", "--new-kvn", "02", "--new-key", keyV2)},
		{exitError, append(v1, "--key-dek", keyBad, "put-key", "--replace", "02", "--new-kvn", "03", "--new-key", keyV3)},
		{exitError, append(g, "--key", keyBad, "list")},
		{exitUsage, append(g, "--key", keyV1+"0", "list")},
		{exitUsage, append(g, "--key-enc", keyV1[:30], "list")},
		{exitUsage, append(g, "put-key", "--new-kvn", "03", "--new-key", "emv:"+keyV3+"00")},
		{exitOK, append(v1, "list")},
		{exitOK, append(v1, "create-ssd", ssdAID, "--privs", "AuthorizedManagement", "--allow-to", "--ssd-key", keySSD)},
		{exitOK, append(g, "--sd", ssdAID, "--key", keySSD, "list")},
		{exitOK, append(v1, "extradite", helloApp, "--to", ssdAID)},
		{exitOK, append(v1, "lock", helloApp)},
		{exitOK, append(v1, "unlock", helloApp)},
		{exitError, append(v1, "delete", helloPkg)},
		{exitOK, append(v1, "delete", "--related", helloPkg)},
		{exitOK, append(v1, "install", "purse.cap")},
		{exitOK, append(v1, "personalize", purseApp, "8101="+keyV3, "0101=000F4240", "0102=0978", "0103=0102")},
		{exitOK, append(v1, "store-data", "--format", "ber", "4205", "1122334455")},
		{exitOK, append(v1, "apdu", "--secure", "80CA00E000")},
		{exitOK, append(g, "apdu", "00A4040000")},
		{exitOK, append(v1, "card-state", "secure")},
		{exitOK, append(g, "sim", "show", "card.img")},
		{exitOK, append(g, "sim", "show", "--json", "card.img")},
		{exitOK, append(g, "--json", "--sd", ssdAID, "--key", keySSD, "info")},
	}
	for _, r := range runs {
		res := c.run(r.args...)
		if res.code != r.code {
			t.Fatalf("%v: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", r.args, res.code, r.code, res.out, res.stderr)
		}
		if r.code == exitOK && !slices.Contains(r.args, "sim") && (!strings.Contains(res.stderr, ">> ") || !strings.Contains(res.stderr, "level=DEBUG")) {
			t.Errorf("%v: no APDU trace or debug log on stderr:\n%s", r.args, res.stderr)
		}
		for _, k := range testKeys {
			for _, form := range []string{k, strings.ToLower(k)} {
				if strings.Contains(res.out, form) || strings.Contains(res.stderr, form) {
					t.Errorf("%v: key %s… appears in the output", r.args, k[:6])
				}
			}
		}
	}
}
