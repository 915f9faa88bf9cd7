package cap

import (
	"encoding/hex"
	"strings"
	"testing"
)

// hx decodes hex with optional spaces; it fails the test on bad input.
func hx(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

// mustHex is hx for package-level fixtures.
func mustHex(s string) []byte {
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		panic(err)
	}
	return b
}

var (
	importLang      = Import{AID: mustHex("A0000000620001"), Version: Version{1, 0}}
	importFramework = Import{AID: mustHex("A0000000620101"), Version: Version{1, 6}}
	pkgAID          = mustHex("A000000617000100")
	appletAID       = mustHex("A00000061700010001")
)

// appletSpec is a compact CAP with one applet in the given format.
func appletSpec(format Version) Spec {
	s := Spec{
		Format:     format,
		Packages:   []Package{{AID: pkgAID, Version: Version{1, 0}}},
		Applets:    []Applet{{AID: appletAID, InstallMethodOffset: 1}},
		Imports:    []Import{importLang, importFramework},
		MethodSize: 40,
	}
	if format.Minor >= 2 {
		s.Packages[0].Name = "com/example/hello"
	}
	return s
}

// writeSpec writes s or fails the test.
func writeSpec(t testing.TB, s Spec) []byte {
	t.Helper()
	b, err := Write(s)
	if err != nil {
		t.Fatalf("Write: %v", err)
	}
	return b
}
