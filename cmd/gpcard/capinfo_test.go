package main

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/cardhost/cardhost/applet/cap"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func unhex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

// helloSpec is the CAP used by the golden tests and the README example.
func helloSpec() cap.Spec {
	return cap.Spec{
		Format:     cap.Version{Major: 2, Minor: 2},
		Packages:   []cap.Package{{AID: unhex("A000000617000100"), Version: cap.Version{Major: 1, Minor: 0}, Name: "com/example/hello"}},
		Applets:    []cap.Applet{{AID: unhex("A00000061700010001"), InstallMethodOffset: 1}},
		Imports:    []cap.Import{{AID: unhex("A0000000620001"), Version: cap.Version{Major: 1, Minor: 0}}, {AID: unhex("A0000000620101"), Version: cap.Version{Major: 1, Minor: 6}}},
		MethodSize: 120,
	}
}

// inDir writes files into a fresh directory and makes it the working
// directory, so outputs name files without a temporary path.
func inDir(t *testing.T, files map[string]cap.Spec) {
	dir := t.TempDir()
	for name, s := range files {
		b, err := cap.Write(s)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(dir)
}

func runCLI(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}

// golden compares got with testdata/name under the package directory root.
func golden(t *testing.T, root, name, got string) {
	t.Helper()
	path := filepath.Join(root, "testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading golden file (run with -update to create): %v", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s:\n got:\n%s\nwant:\n%s", name, got, want)
	}
}

func TestCapInfo_Golden(t *testing.T) {
	root, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	lib := helloSpec()
	lib.Applets, lib.Export = nil, true
	inDir(t, map[string]cap.Spec{"hello.cap": helloSpec(), "lib.cap": lib})
	for _, tc := range []struct{ golden, file, json string }{
		{"cap_info.golden", "hello.cap", ""},
		{"cap_info_json.golden", "hello.cap", "--json"},
		{"cap_info_lib_json.golden", "lib.cap", "--json"},
	} {
		args := []string{"cap", "info", tc.file}
		if tc.json != "" {
			args = append(args, tc.json)
		}
		code, out, errOut := runCLI(args...)
		if code != exitOK || errOut != "" {
			t.Fatalf("%v: exit %d, stderr %q", args, code, errOut)
		}
		golden(t, root, tc.golden, out)
	}
}

func TestCapInfo_JSONFields(t *testing.T) {
	inDir(t, map[string]cap.Spec{"hello.cap": helloSpec()})
	code, out, _ := runCLI("cap", "info", "--json", "hello.cap")
	if code != exitOK {
		t.Fatalf("exit %d", code)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]any{
		"cap_version":      "2.2",
		"package_aid":      "A000000617000100",
		"package_version":  "1.0",
		"package_name":     "com/example/hello",
		"applets":          []any{map[string]any{"aid": "A00000061700010001"}},
		"imports":          []any{map[string]any{"aid": "A0000000620001", "version": "1.0"}, map[string]any{"aid": "A0000000620101", "version": "1.6"}},
		"javacard_version": "3.0.5",
	} {
		if !reflect.DeepEqual(m[k], want) {
			t.Errorf("%s = %v, want %v", k, m[k], want)
		}
	}
	// Header 3+36, Directory 3+33, Import 3+21, Applet 3+13, Class 3+2,
	// Method 3+120, StaticField 3+10, ConstantPool 3+2, RefLocation 3+4.
	if got := m["load_file_size"]; got != float64(39+36+24+16+5+123+13+5+7) {
		t.Errorf("load_file_size = %v", got)
	}
	if s, _ := m["load_file_sha256"].(string); len(s) != 64 || strings.ToLower(s) != s {
		t.Errorf("load_file_sha256 = %q, want 64 lower-case hex digits", s)
	}
}

func TestCLI_ExitCodes(t *testing.T) {
	inDir(t, map[string]cap.Spec{"hello.cap": helloSpec()})
	if err := os.WriteFile("bad.cap", []byte("PK\x03\x04not a zip"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"ok", []string{"cap", "info", "hello.cap"}, exitOK, ""},
		{"help", []string{"--help"}, exitOK, ""},
		{"missing file", []string{"cap", "info", "nope.cap"}, exitError, "nope.cap"},
		{"invalid CAP", []string{"cap", "info", "bad.cap"}, exitError, "bad.cap: not a ZIP/JAR archive"},
		{"no command", nil, exitUsage, "needs a subcommand"},
		{"cap without subcommand", []string{"cap"}, exitUsage, "needs a subcommand"},
		{"unknown command", []string{"frobnicate"}, exitUsage, `unknown command "frobnicate"`},
		{"unknown cap subcommand", []string{"cap", "list"}, exitUsage, `unknown command "list"`},
		{"no file", []string{"cap", "info"}, exitUsage, "exactly one FILE, got 0"},
		{"two files", []string{"cap", "info", "a", "b"}, exitUsage, "exactly one FILE, got 2"},
		{"unknown flag", []string{"cap", "info", "--xml", "hello.cap"}, exitUsage, "unknown flag: --xml"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errOut := runCLI(tc.args...)
			if code != tc.code || !strings.Contains(errOut, tc.stderr) {
				t.Fatalf("exit %d, stderr %q; want %d and %q", code, errOut, tc.code, tc.stderr)
			}
		})
	}
}
