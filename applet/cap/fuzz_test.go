package cap

import (
	"bytes"
	"crypto"
	"testing"
)

// seedSpecs are writer outputs covering every form and format.
func seedSpecs() []Spec {
	lib := appletSpec(Version{2, 2})
	lib.Applets, lib.Export = nil, true
	custom := appletSpec(Version{2, 1})
	custom.Custom = []CustomComponent{{Tag: 0xDB, AID: pkgAID, Data: []byte{1, 2}}}
	ext := appletSpec(Version{2, 3})
	ext.Extended, ext.CAPAID, ext.Debug = true, mustHex("A0000006170010"), true
	res := appletSpec(Version{2, 3})
	res.StaticResources = 5
	return []Spec{appletSpec(Version{2, 1}), appletSpec(Version{2, 2}), lib, custom, ext, res}
}

// checkParsed checks invariants of any successfully parsed file: the load
// file (with Descriptor) is itself a valid IJC with the same load file.
func checkParsed(t *testing.T, f *File) {
	lfdb := f.LoadFileDataBlock(LoadOptions{IncludeDescriptor: true})
	g, err := ParseIJC("lfdb", lfdb)
	if err != nil {
		t.Fatalf("load file data block does not parse as IJC: %v", err)
	}
	if !bytes.Equal(g.LoadFileDataBlock(LoadOptions{IncludeDescriptor: true}), lfdb) {
		t.Fatal("load file changed when re-parsed")
	}
	if !bytes.Equal(g.LoadFileAID(), f.LoadFileAID()) {
		t.Fatal("load file AID changed when re-parsed")
	}
}

func FuzzParseCAP(f *testing.F) {
	for _, s := range seedSpecs() {
		b, err := Write(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if c, err := ParseCAP("fuzz.cap", data); err == nil {
			checkParsed(t, c)
		}
	})
}

func FuzzParseIJC(f *testing.F) {
	for _, s := range seedSpecs() {
		s.Form = FormIJC
		b, err := Write(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if c, err := ParseIJC("fuzz.ijc", data); err == nil {
			checkParsed(t, c)
		}
	})
}

// BenchmarkParseLoadFile parses a 64 KiB CAP (JAR) and builds its load file
// and SHA-256 hash.
func BenchmarkParseLoadFile(b *testing.B) {
	s := appletSpec(Version{2, 2})
	s.MethodSize = 65000
	s.Form = FormIJC
	raw, err := Write(s)
	if err != nil {
		b.Fatal(err)
	}
	s.Form = FormJAR
	jar, err := Write(s)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(len(raw)), "cap_bytes")
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		f, err := Parse("bench.cap", jar)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := f.LoadFileDataBlockHash(crypto.SHA256, LoadOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
