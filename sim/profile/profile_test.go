package profile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestEmbeddedProfilesValidate(t *testing.T) {
	want := map[string]struct{ scp, i, kvn byte }{
		"gp231-scp02-i15": {2, 0x15, 0xFF},
		"gp231-scp02-i55": {2, 0x55, 0x20},
		"gp231-scp03-i70": {3, 0x70, 0x30},
	}
	names := Names()
	if len(names) != len(want) {
		t.Fatalf("embedded profiles %v", names)
	}
	for _, n := range names {
		p, err := Embedded(n)
		if err != nil {
			t.Fatal(err)
		}
		w := want[n]
		if byte(p.SCP) != w.scp || byte(p.I) != w.i || byte(p.KVN) != w.kvn || p.Name != n {
			t.Errorf("%s: SCP %02X i %02X KVN %02X", n, p.SCP, p.I, p.KVN)
		}
	}
	if Default().Name != DefaultName {
		t.Fatal("Default is not DefaultName")
	}
	if _, err := Embedded("nope"); err == nil {
		t.Fatal("unknown embedded profile accepted")
	}
}

func TestLoad(t *testing.T) {
	b, err := embedded.ReadFile("profiles/" + DefaultName + ".json")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	good := filepath.Join(dir, "good.json")
	if err := os.WriteFile(good, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(good); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, from, to, wantErr string }{
		{"unknown field", `"name"`, `"nmae"`, "unknown field"},
		{"SCP02 with AES", `"DES3"`, `"AES"`, "key_type"},
		{"bad i hex", `"i": "15"`, `"i": "1"`, "hex"},
		{"short KDD", `"kdd": "00010203040506070809"`, `"kdd": "0001"`, "kdd"},
		{"bad CPLC field", `"ic_type": "0503"`, `"ic_type": "05"`, "cplc.ic_type"},
		{"bad life cycle", `"OP_READY"`, `"LOCKED"`, "life_cycle"},
		{"big block without extended", `"max_block": 255`, `"max_block": 1024`, "max_block"},
		{"zero limit", `"auth_failure_limit": 10`, `"auth_failure_limit": 0`, "auth_failure_limit"},
		{"SD bit missing", `"9AFE80"`, `"1AFE80"`, "isd_privileges"},
		{"bad version", `"version": "255.255"`, `"version": "1"`, "packages[0].version"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := string(b)
			if !strings.Contains(s, tt.from) {
				t.Fatalf("profile lacks %s", tt.from)
			}
			p := filepath.Join(dir, "bad.json")
			if err := os.WriteFile(p, []byte(strings.Replace(s, tt.from, tt.to, 1)), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := Load(p)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), p) {
				t.Fatalf("Load: %v, want error naming %q and the file", err, tt.wantErr)
			}
		})
	}
}

func TestCPLC_Bytes(t *testing.T) {
	b, err := CPLC{ICFabricator: Hex{0x47, 0x90}, ICSerialNumber: Hex{1, 2, 3, 4}}.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	if len(b) != 42 || b[0] != 0x47 || b[12] != 1 || b[15] != 4 {
		t.Fatalf("CPLC %X", b)
	}
}
