package cap

import (
	"archive/zip"
	"bytes"
	"crypto"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"testing"
)

// handComponents is a compact CAP 2.1 written byte by byte from JCVM 3.1 §6
// (not by Write): package A000000001 v1.0, one applet A00000000101 whose
// install method is at Method offset 1, one import (javacard.framework 1.6).
var handComponents = map[Tag]string{
	// 01 | size 15 | DECAFFED | CAP 2.1 | flags ACC_APPLET | package 1.0 (minor, major) | len 5 | AID
	TagHeader: "01 000F DECAFFED 01 02 04 00 01 05 A000000001",
	// 11 u2 sizes: Header 15, Directory 31, Applet 10, Import 11, CP 2, Class 3,
	// Method 5, StaticField 10, RefLocation 4, Export 0, Descriptor 3; static
	// field sizes 0; import_count 1; applet_count 1; custom_count 0.
	TagDirectory:    "02 001F 000F 001F 000A 000B 0002 0003 0005 000A 0004 0000 0003 000000000000 01 01 00",
	TagApplet:       "03 000A 01 06 A00000000101 0001",
	TagImport:       "04 000B 01 06 01 07 A0000000620101",
	TagConstantPool: "05 0002 0000",
	TagClass:        "06 0003 C1C2C3",
	TagMethod:       "07 0005 00 0110 7A7A",
	TagStaticField:  "08 000A 00000000000000000000",
	TagRefLocation:  "09 0004 00000000",
	TagDescriptor:   "0B 0003 000000",
}

// handLFDB is the expected Load File Data Block, concatenated by hand in GP order.
func handLFDB(t *testing.T, descriptor bool) []byte {
	order := []Tag{TagHeader, TagDirectory, TagImport, TagApplet, TagClass, TagMethod, TagStaticField,
		TagConstantPool, TagRefLocation}
	if descriptor {
		order = append(order, TagDescriptor)
	}
	var b []byte
	for _, tg := range order {
		b = append(b, hx(t, handComponents[tg])...)
	}
	return b
}

// handIJC concatenates the hand components, Header first, the rest reversed.
func handIJC(t *testing.T) []byte {
	b := hx(t, handComponents[TagHeader])
	for _, tg := range []Tag{TagDescriptor, TagRefLocation, TagConstantPool, TagStaticField, TagMethod,
		TagClass, TagApplet, TagImport, TagDirectory} {
		b = append(b, hx(t, handComponents[tg])...)
	}
	return b
}

// handJAR zips the hand components with archive/zip directly.
func handJAR(t *testing.T) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for tg, h := range handComponents {
		w, err := zw.Create("hello/javacard/" + tg.String() + ".cap")
		if err != nil {
			t.Fatal(err)
		}
		w.Write(hx(t, h))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestLoadFileDataBlock_IndependentCheck(t *testing.T) {
	for _, form := range []struct {
		name string
		data []byte
	}{{"IJC", handIJC(t)}, {"JAR", handJAR(t)}} {
		f, err := Parse("hand.cap", form.data)
		if err != nil {
			t.Fatalf("%s: %v", form.name, err)
		}
		for _, desc := range []bool{false, true} {
			want := handLFDB(t, desc)
			o := LoadOptions{IncludeDescriptor: desc}
			got := f.LoadFileDataBlock(o)
			if !bytes.Equal(got, want) {
				t.Fatalf("%s descriptor=%t: LFDB\n got %X\nwant %X", form.name, desc, got, want)
			}
			// 18 + 34 + 14 + 13 + 5 + 6 + 8 + 13 + 7 bytes; Descriptor adds 6.
			wantLen := 118
			if desc {
				wantLen += 6
			}
			if len(got) != wantLen {
				t.Errorf("%s: LFDB size %d, want %d", form.name, len(got), wantLen)
			}
			s1, s256, s384, s512 := sha1.Sum(want), sha256.Sum256(want), sha512.Sum384(want), sha512.Sum512(want)
			for _, h := range []struct {
				hash crypto.Hash
				want []byte
			}{{crypto.SHA1, s1[:]}, {crypto.SHA256, s256[:]}, {crypto.SHA384, s384[:]}, {crypto.SHA512, s512[:]}} {
				got, err := f.LoadFileDataBlockHash(h.hash, o)
				if err != nil || !bytes.Equal(got, h.want) {
					t.Errorf("%s %v: hash %X, %v; want %X", form.name, h.hash, got, err, h.want)
				}
			}
			lf := f.LoadFile(o)
			if wantHdr := []byte{0xC4, byte(wantLen)}; !bytes.Equal(lf[:2], wantHdr) || !bytes.Equal(lf[2:], want) {
				t.Errorf("%s: LoadFile starts %X, want C4 %02X", form.name, lf[:2], wantLen)
			}
		}
		if got := f.JavaCardVersion(); got != "3.0.5" {
			t.Errorf("JavaCardVersion = %q, want 3.0.5", got)
		}
		if !bytes.Equal(f.Package().AID, hx(t, "A000000001")) || f.Package().Version != (Version{1, 0}) {
			t.Errorf("package = %X v%s", f.Package().AID, f.Package().Version)
		}
		if len(f.Applets) != 1 || !bytes.Equal(f.Applets[0].AID, hx(t, "A00000000101")) {
			t.Errorf("applets = %v", f.Applets)
		}
	}
}

func TestLoadFileDataBlockHash_RejectsMD5(t *testing.T) {
	f, err := Parse("hand.ijc", handIJC(t))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.LoadFileDataBlockHash(crypto.MD5, LoadOptions{}); err == nil {
		t.Fatal("MD5 accepted")
	}
}

func TestLoadFile_LargeUsesLongLength(t *testing.T) {
	s := appletSpec(Version{2, 2})
	s.MethodSize = 1000
	f, err := Parse("big.cap", writeSpec(t, s))
	if err != nil {
		t.Fatal(err)
	}
	lfdb := f.LoadFileDataBlock(LoadOptions{})
	lf := f.LoadFile(LoadOptions{})
	if lf[0] != 0xC4 || lf[1] != 0x82 || int(lf[2])<<8|int(lf[3]) != len(lfdb) || !bytes.Equal(lf[4:], lfdb) {
		t.Fatalf("LoadFile header %X for %d bytes", lf[:4], len(lfdb))
	}
}

func TestJavaCardVersion(t *testing.T) {
	fw := func(minor uint8) []Import {
		return []Import{importLang, {AID: mustHex("A0000000620101"), Version: Version{1, minor}}}
	}
	for _, tc := range []struct {
		imports []Import
		want    string
	}{
		{fw(0), "2.1.x"}, {fw(2), "2.2.1"}, {fw(3), "2.2.2"}, {fw(4), "3.0.1"}, {fw(5), "3.0.4"},
		{fw(6), "3.0.5"}, {fw(8), "3.1.0"}, {fw(9), "3.2.0"}, {fw(7), "unknown (framework 1.7)"},
		{[]Import{importLang}, ""}, {nil, ""},
	} {
		if got := JavaCardVersion(tc.imports); got != tc.want {
			t.Errorf("JavaCardVersion(%v) = %q, want %q", tc.imports, got, tc.want)
		}
	}
}
