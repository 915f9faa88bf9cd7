package command

import (
	"bytes"
	"testing"
)

// The fuzz targets check that parsers never panic and, where an encoder
// exists, that encoding a parse result parses back to the same value.

func FuzzParseGetStatus(f *testing.F) {
	for _, s := range []string{gsSCP02, gsLF, gsApps, gsISD, "08" + isd + "0F9E", "07" + sdPkg + "0100" + "0108" + sdModule} {
		f.Add(h(f, s), byte(ScopeApps), false)
		f.Add(h(f, s), byte(ScopeLoadFilesAndModule), true)
	}
	f.Fuzz(func(t *testing.T, data []byte, scope byte, legacy bool) {
		sc := []StatusScope{ScopeISD, ScopeApps, ScopeLoadFiles, ScopeLoadFilesAndModule}[scope%4]
		fm := FormatTLV
		if legacy {
			fm = FormatLegacy
		}
		es, err := ParseGetStatus(data, sc, fm)
		if err != nil {
			return
		}
		again, err := ParseGetStatus(EncodeGetStatus(es, sc, fm), sc, fm)
		if err != nil || len(again) != len(es) {
			t.Fatalf("re-parse: %v", err)
		}
		for i := range es {
			if !bytes.Equal(es[i].AID, again[i].AID) || es[i].LifeCycle != again[i].LifeCycle {
				t.Fatalf("entry %d changed", i)
			}
		}
	})
}

func FuzzParseCPLC(f *testing.F) {
	for _, s := range []string{cplc1, cplc2, cplc3} {
		f.Add(h(f, s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseCPLC(data)
		if err != nil {
			return
		}
		if !bytes.Equal(c.Bytes(), data) {
			t.Fatalf("round trip %X", data)
		}
		_ = FormatCPLC(c, fixedNow)
	})
}

func FuzzParseCardData(f *testing.F) {
	for _, s := range []string{crd1, crd2, crdMB} {
		f.Add(h(f, s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = ParseCardData(data)
		_, _ = ParseCardCapability(data)
	})
}

func FuzzParseKeyInfo(f *testing.F) {
	f.Add(h(f, "E006C00401708010"))
	f.Add(h(f, "E00EC00A0130FF880010013C0100C000"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = ParseKeyInfo(data)
	})
}

func FuzzParseFCI(f *testing.F) {
	f.Add(h(f, fci))
	f.Add(h(f, "6F0A8408"+isd))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = ParseFCI(data)
	})
}
