package cap

import (
	"bytes"
	"reflect"
	"testing"
)

func TestWriteParse_RoundTrip(t *testing.T) {
	lib := appletSpec(Version{2, 2})
	lib.Applets, lib.Export = nil, true

	custom := appletSpec(Version{2, 1})
	custom.Custom = []CustomComponent{{Tag: 0xDB, AID: mustHex("A00000006203050101"), Data: filler(953, 1)}}
	custom.FileNames = map[Tag]string{0xDB: "Debug.cap"}

	debug := appletSpec(Version{2, 2})
	debug.Debug, debug.IntSupport = true, true

	res := appletSpec(Version{2, 3})
	res.StaticResources = 300

	mixedCase := appletSpec(Version{2, 1})
	mixedCase.Dir = "AlgTest/JavaCard"
	mixedCase.FileNames = map[Tag]string{TagHeader: "HEADER.CAP", TagMethod: "method.Cap"}

	ext := Spec{
		Format: Version{2, 3}, Extended: true,
		CAPAID: mustHex("A0000006170010"), CAPVersion: Version{1, 0},
		Packages: []Package{
			{AID: mustHex("A0000006170002"), Version: Version{1, 2}, Name: "com.example.lib"},
			{Version: Version{1, 0}, Name: "com.example.app"}, // private: no AID
		},
		Applets:    []Applet{{AID: mustHex("A000000617000101"), InstallMethodOffset: 8}},
		Imports:    []Import{importLang, {AID: mustHex("A0000000620101"), Version: Version{1, 8}}},
		Export:     true,
		MethodSize: 70000, // more than a u2 size
		Debug:      true,
		Custom:     []CustomComponent{{Tag: 0x80, AID: mustHex("A000000617FF"), Data: []byte{1, 2, 3}}},
	}
	extIJC := ext
	extIJC.Form = FormIJC

	ijc := appletSpec(Version{2, 2})
	ijc.Form = FormIJC

	for _, tc := range []struct {
		name string
		spec Spec
	}{
		{"2.1 applet", appletSpec(Version{2, 1})},
		{"2.2 applet", appletSpec(Version{2, 2})},
		{"2.3 applet", appletSpec(Version{2, 3})},
		{"2.2 library", lib},
		{"2.1 custom 0xDB in Debug.cap", custom},
		{"2.2 debug and ACC_INT", debug},
		{"2.3 static resources", res},
		{"2.1 mixed-case names", mixedCase},
		{"2.2 IJC", ijc},
		{"extended", ext},
		{"extended IJC", extIJC},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := tc.spec
			f, err := Parse("rt.cap", writeSpec(t, s))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			wantForm := s.Form
			if wantForm == 0 {
				wantForm = FormJAR
			}
			wantFlags := Flags(0)
			if s.IntSupport {
				wantFlags |= FlagInt
			}
			if s.Export {
				wantFlags |= FlagExport
			}
			if len(s.Applets) > 0 {
				wantFlags |= FlagApplet
			}
			if s.Extended {
				wantFlags |= FlagExtended
			}
			check := func(what string, got, want any) {
				t.Helper()
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%s = %v, want %v", what, got, want)
				}
			}
			check("Form", f.Form, wantForm)
			check("Format", f.Format, s.Format)
			check("Flags", f.Flags, wantFlags)
			check("CAPAID", f.CAPAID, s.CAPAID)
			check("CAPVersion", f.CAPVersion, s.CAPVersion)
			check("Packages", f.Packages, s.Packages)
			check("Applets", f.Applets, s.Applets)
			check("Imports", f.Imports, s.Imports)
			check("Export", f.HasComponent(TagExport), s.Export)
			check("Debug", f.HasComponent(TagDebug), s.Debug)
			check("StaticResources", f.HasComponent(TagStaticResources), s.StaticResources > 0)
			check("custom count", len(f.Custom), len(s.Custom))
			for i, c := range s.Custom {
				if i < len(f.Custom) {
					got := f.Custom[i]
					check("custom tag", got.Tag, c.Tag)
					check("custom AID", got.AID, c.AID)
					check("custom size", int(got.Size), len(c.Data))
					check("custom data", got.Data, c.Data)
				}
			}
			sizeLen := 3
			if s.Extended {
				sizeLen = 5
			}
			check("Method info size", len(f.Component(TagMethod))-sizeLen, s.MethodSize)
			wantLF := s.Packages[0].AID
			if s.Extended {
				wantLF = s.CAPAID
			}
			check("LoadFileAID", f.LoadFileAID(), wantLF)
			for _, c := range s.Custom {
				if bytes.Contains(f.LoadFileDataBlock(LoadOptions{IncludeDescriptor: true}), c.Data) && len(c.Data) > 8 {
					t.Errorf("custom component 0x%02X data found in the load file", uint8(c.Tag))
				}
			}
		})
	}
}

func TestWrite_RejectsBadSpec(t *testing.T) {
	mod := func(f func(*Spec)) Spec { s := appletSpec(Version{2, 2}); f(&s); return s }
	for _, tc := range []struct {
		name  string
		spec  Spec
		field string
	}{
		{"no format", mod(func(s *Spec) { s.Format = Version{} }), "Spec.Format"},
		{"format 2.4", mod(func(s *Spec) { s.Format = Version{2, 4} }), "Spec.Format"},
		{"extended 2.2", mod(func(s *Spec) { s.Extended = true }), "Spec.Extended"},
		{"debug 2.1", mod(func(s *Spec) { s.Format = Version{2, 1}; s.Packages[0].Name = ""; s.Debug = true }), "Spec.Debug"},
		{"name 2.1", mod(func(s *Spec) { s.Format = Version{2, 1} }), "Spec.Packages[0].Name"},
		{"resources 2.2", mod(func(s *Spec) { s.StaticResources = 4 }), "Spec.StaticResources"},
		{"two packages compact", mod(func(s *Spec) { s.Packages = append(s.Packages, s.Packages[0]) }), "Spec.Packages"},
		{"short package AID", mod(func(s *Spec) { s.Packages[0].AID = []byte{1, 2, 3, 4} }), "Spec.Packages[0]"},
		{"long applet AID", mod(func(s *Spec) { s.Applets[0].AID = make([]byte, 17) }), "Spec.Applets[0]"},
		{"short import AID", mod(func(s *Spec) { s.Imports[1].AID = nil }), "Spec.Imports[1]"},
		{"offset past methods", mod(func(s *Spec) { s.Applets[0].InstallMethodOffset = 39 }), "Spec.Applets"},
		{"offset in handler count", mod(func(s *Spec) { s.Applets[0].InstallMethodOffset = 0 }), "Spec.Applets"},
		{"method too small", mod(func(s *Spec) { s.MethodSize = 2 }), "Spec.MethodSize"},
		{"method too big for u2", mod(func(s *Spec) { s.MethodSize = 70000 }), "Spec.MethodSize"},
		{"custom tag 12", mod(func(s *Spec) { s.Custom = []CustomComponent{{Tag: 12, AID: pkgAID}} }), "Spec.Custom[0].Tag"},
		{"custom without AID", mod(func(s *Spec) { s.Custom = []CustomComponent{{Tag: 0x90}} }), "Spec.Custom[0]"},
		{"custom too big", mod(func(s *Spec) { s.Custom = []CustomComponent{{Tag: 0x90, AID: pkgAID, Data: make([]byte, 70000)}} }), "Spec.Custom(0x90)"},
		{"unknown form", mod(func(s *Spec) { s.Form = 7 }), "Spec.Form"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Write(tc.spec)
			if err == nil || !bytes.Contains([]byte(err.Error()), []byte(tc.field)) {
				t.Fatalf("Write error %v, want one naming %s", err, tc.field)
			}
		})
	}
}
