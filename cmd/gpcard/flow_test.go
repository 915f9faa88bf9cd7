package main

import (
	"testing"
)

// acceptanceFlow runs the flows of the issue against the card that r
// (a --reader value) names, which must be fresh from the default profile:
// install a CAP made by the CAP writer, list it, add key sets and use old
// and new ones, a replace with a wrong DEK, an SSD with Authorized
// Management receiving a package with its own keys, delete with --related.
func acceptanceFlow(t *testing.T, c *cli, r string) {
	g := []string{"--reader", r}
	at := func(args ...string) []string { return append(append([]string{}, g...), args...) }
	v1 := []string{"--kvn", "01", "--key", keyV1}

	res := c.ok(at("install", "hello.cap")...)
	contains(t, "install", res.out, "hello.cap loaded: com/example/hello "+helloPkg+" into "+isdAID, "Installed "+helloApp)
	res = c.ok(at("list")...)
	contains(t, "list", res.out, "APP: "+helloApp+" (SELECTABLE)", "PKG: "+helloPkg+" (LOADED)", "     Applet:   "+helloApp)

	// Key set 01 takes over from the factory set FF; 02 is added next to it.
	res = c.ok(at("put-key", "--new-kvn", "01", "--new-key", keyV1)...)
	contains(t, "put-key 01", res.out, "Key set 01 (3DES) on "+isdAID)
	contains(t, "put-key 01 notice", res.stderr, "PUT KEY: adding key set 01")
	res = c.ok(at(append(v1, "put-key", "--new-kvn", "02", "--new-key", keyV2)...)...)
	contains(t, "put-key 02", res.out, "Key set 02 (3DES)", "ENC (KID 1)", "DEK (KID 3)")
	c.ok(at("--kvn", "02", "--key", keyV2, "list")...)
	c.ok(at(append(v1, "list")...)...)

	// A replace whose keys are wrapped under the wrong DEK: the card's KCV
	// of what it decrypted differs, and nothing changes.
	c.fails(exitError, []string{"PUT KEY: 6982", "hint: the card computed a different key check value: the key was encrypted with the wrong DEK"},
		at(append(v1, "--key-dek", keyBad, "put-key", "--replace", "02", "--new-kvn", "03", "--new-key", keyV3)...)...)
	c.ok(at("--kvn", "02", "--key", keyV2, "list")...)

	// delete: a package with instances needs --related.
	c.fails(exitError, []string{"DELETE: 6985", "hint: instances or dependent packages still present, use --related"},
		at(append(v1, "delete", helloPkg)...)...)
	res = c.ok(at(append(v1, "delete", "--related", helloPkg)...)...)
	contains(t, "delete", res.out, "Deleted "+helloPkg+" and related objects")

	// An SSD with Authorized Management and its own keys, then a package
	// loaded and installed into it with those keys.
	res = c.ok(at(append(v1, "create-ssd", ssdAID, "--privs", "AuthorizedManagement", "--ssd-key", keySSD)...)...)
	contains(t, "create-ssd", res.out, "SSD: "+ssdAID, "Privs:    SecurityDomain, AuthorizedManagement", "Key set 01 (3DES) on "+ssdAID)
	res = c.ok(at("--sd", ssdAID, "--kvn", "01", "--key", keySSD, "install", "hello.cap")...)
	contains(t, "install into SSD", res.out, "loaded: com/example/hello "+helloPkg+" into "+ssdAID)
	res = c.ok(at(append(v1, "list")...)...)
	contains(t, "list after SSD install", res.out, "SSD: "+ssdAID+" (SELECTABLE)",
		"APP: "+helloApp+" (SELECTABLE)\n     Parent:   "+ssdAID, "PKG: "+helloPkg+" (LOADED)\n     Parent:   "+ssdAID)
	c.ok(at("--sd", ssdAID, "--kvn", "01", "--key", keySSD, "delete", "--related", helloPkg)...)
}
