package main

import (
	"encoding/json"
	"path/filepath"
	"testing"
)

// TestCommands_Golden runs every card command on a fresh simulated card
// and compares the text of info and list and the JSON of every command
// with the files in testdata (refresh with go test -run Golden -update).
func TestCommands_Golden(t *testing.T) {
	root, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	c := newCLI(t)
	g := []string{"--reader", "sim:card.img"}
	steps := []struct {
		golden string // "" when only the exit code matters
		code   int
		args   []string
	}{
		{"sim_new_json.golden", exitOK, []string{"--json", "sim", "new", "card.img"}},
		{"info.golden", exitOK, append(g, "info")},
		{"info_json.golden", exitOK, append(g, "info", "--json")},
		{"install_json.golden", exitOK, append(g, "install", "--json", "--privs", "CardReset", "hello.cap")},
		{"list.golden", exitOK, append(g, "list")},
		{"list_json.golden", exitOK, append(g, "--json", "list")},
		{"error_json.golden", exitError, append(g, "--json", "delete", helloPkg)},
		{"put_key_json.golden", exitOK, append(g, "--json", "put-key", "--new-kvn", "01", "--new-key", keyV1)},
		{"create_ssd_json.golden", exitOK, append(g, "--json", "--kvn", "01", "--key", keyV1, "create-ssd", ssdAID, "--allow-to", "--ssd-key", keySSD)},
		{"extradite_json.golden", exitOK, append(g, "--json", "--key", keyV1, "extradite", helloApp, "--to", ssdAID)},
		{"lock_json.golden", exitOK, append(g, "--json", "--key", keyV1, "lock", helloApp)},
		{"unlock_json.golden", exitOK, append(g, "--json", "--key", keyV1, "unlock", helloApp)},
		{"delete_json.golden", exitOK, append(g, "--json", "--key", keyV1, "delete", "--related", helloPkg)},
		{"install_purse.golden", exitOK, append(g, "--key", keyV1, "install", "purse.cap")},
		{"personalize_json.golden", exitOK, append(g, "--json", "--key", keyV1, "personalize", purseApp, "8101=00112233445566778899AABBCCDDEEFF", "0101=000F4240", "0102=0978", "0103=0102")},
		{"apdu_json.golden", exitOK, append(g, "--json", "apdu", "00A4040008"+purseApp, "805C000006")},
		{"store_data_json.golden", exitOK, append(g, "--json", "--key", keyV1, "store-data", "--format", "ber", "4505", "0102030405")},
		{"card_state_json.golden", exitOK, append(g, "--json", "--key", keyV1, "card-state", "secure")},
		{"list_final.golden", exitOK, append(g, "--key", keyV1, "list")},
		{"sim_show.golden", exitOK, []string{"sim", "show", "card.img"}},
		{"sim_show_json.golden", exitOK, []string{"sim", "show", "--json", "card.img"}},
	}
	for _, s := range steps {
		r := c.run(s.args...)
		if r.code != s.code {
			t.Fatalf("%v: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", s.args, r.code, s.code, r.out, r.stderr)
		}
		golden(t, root, s.golden, r.out)
		if jsonArgs(s.args) && !json.Valid([]byte(r.out)) {
			t.Errorf("%v: stdout is not one JSON value:\n%s", s.args, r.out)
		}
	}
}

func jsonArgs(args []string) bool {
	for _, a := range args {
		if a == "--json" {
			return true
		}
	}
	return false
}
