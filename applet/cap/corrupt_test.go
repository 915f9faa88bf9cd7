package cap

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"hash/crc32"
	"runtime"
	"strings"
	"testing"
)

// ijcWith is the hand IJC with some components replaced (hex) or removed ("").
func ijcWith(t *testing.T, repl map[Tag]string) []byte {
	b := []byte(nil)
	for _, tg := range []Tag{TagHeader, TagDirectory, TagImport, TagApplet, TagClass, TagMethod, TagStaticField,
		TagConstantPool, TagRefLocation, TagDescriptor, TagDebug, TagStaticResources, 0xDB} {
		h, ok := repl[tg]
		if !ok {
			h = handComponents[tg]
		}
		b = append(b, hx(t, h)...)
	}
	return b
}

// jarWith zips entries (name → content) with archive/zip.
func jarWith(t *testing.T, entries map[string][]byte) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for n, d := range entries {
		w, err := zw.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(d)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// handEntries are the hand components as JAR entries.
func handEntries(t *testing.T) map[string][]byte {
	m := map[string][]byte{}
	for tg, h := range handComponents {
		m["p/javacard/"+tg.String()+".cap"] = hx(t, h)
	}
	return m
}

func TestParse_RejectsCorruptInput(t *testing.T) {
	valid := handIJC(t)
	entries := func(f func(map[string][]byte)) []byte { m := handEntries(t); f(m); return jarWith(t, m) }
	for _, tc := range []struct {
		name string
		in   []byte
		want []string // substrings of the error
	}{
		{"empty", nil, []string{"bad.cap", "empty input"}},
		{"bad magic", ijcWith(t, map[Tag]string{TagHeader: "01 000F CAFEBABE 01 02 04 00 01 05 A000000001"}),
			[]string{"bad.cap", "Header", "magic at offset 3", "CAFEBABE"}},
		{"CAP 2.4", ijcWith(t, map[Tag]string{TagHeader: "01 000F DECAFFED 04 02 04 00 01 05 A000000001"}),
			[]string{"unsupported CAP format 2.4"}},
		{"CAP 3.1", ijcWith(t, map[Tag]string{TagHeader: "01 000F DECAFFED 01 03 04 00 01 05 A000000001"}),
			[]string{"major_version", "unsupported CAP format 3.1"}},
		{"extended flag in 2.1", ijcWith(t, map[Tag]string{TagHeader: "01 000F DECAFFED 01 02 0C 00 01 05 A000000001"}),
			[]string{"flags", "ACC_EXTENDED"}},
		{"truncated file", valid[:len(valid)-1], []string{"Directory component (IJC offset 90)", "size item says 31 bytes but only 30 remain"}},
		{"truncated size item", valid[:18+1+1], []string{"Descriptor component (IJC offset 18)", "size", "truncated"}},
		{"truncated header", hx(t, "01 0005 DECAFFED 01"), []string{"Header", "major_version", "truncated"}},
		{"package AID of 4", ijcWith(t, map[Tag]string{TagHeader: "01 000E DECAFFED 01 02 04 00 01 04 A0000000"}),
			[]string{"package AID_length at offset 12", "AID length 4"}},
		{"package AID of 17", ijcWith(t, map[Tag]string{TagHeader: "01 001B DECAFFED 01 02 04 00 01 11 A0000000010203040506070809101112"}),
			[]string{"AID length 17"}},
		{"header trailing byte", ijcWith(t, map[Tag]string{TagHeader: "01 0010 DECAFFED 01 02 04 00 01 05 A000000001 00"}),
			[]string{"Header", "1 unexpected bytes"}},
		{"directory Method size wrong", ijcWith(t, map[Tag]string{TagDirectory: "02 001F 000F 001F 000A 000B 0002 0003 0006 000A 0004 0000 0003 000000000000 01 01 00"}),
			[]string{"Directory", "Method size", "Directory says 6 bytes, Method component has 5"}},
		{"directory lists Export", ijcWith(t, map[Tag]string{TagDirectory: "02 001F 000F 001F 000A 000B 0002 0003 0005 000A 0004 0001 0003 000000000000 01 01 00"}),
			[]string{"Export size", "no Export component"}},
		{"directory too short", ijcWith(t, map[Tag]string{TagDirectory: "02 001E 000F 001F 000A 000B 0002 0003 0005 000A 0004 0000 0003 000000000000 01 01"}),
			[]string{"Directory", "custom_count", "truncated"}},
		{"directory trailing", ijcWith(t, map[Tag]string{TagDirectory: "02 0020 000F 0020 000A 000B 0002 0003 0005 000A 0004 0000 0003 000000000000 01 01 00 FF"}),
			[]string{"Directory", "1 unexpected bytes"}},
		{"import count mismatch", ijcWith(t, map[Tag]string{TagDirectory: "02 001F 000F 001F 000A 000B 0002 0003 0005 000A 0004 0000 0003 000000000000 02 01 00"}),
			[]string{"import_count", "2 imports"}},
		{"applet count 0", ijcWith(t, map[Tag]string{TagApplet: "03 0001 00",
			TagDirectory: "02 001F 000F 001F 0001 000B 0002 0003 0005 000A 0004 0000 0003 000000000000 01 01 00"}),
			[]string{"Applet", "count", "at least one"}},
		{"install offset past end", ijcWith(t, map[Tag]string{TagApplet: "03 000A 01 06 A00000000101 0004"}),
			[]string{"install_method_offset", "offset 4"}},
		{"install offset in handlers", ijcWith(t, map[Tag]string{TagApplet: "03 000A 01 06 A00000000101 0000"}),
			[]string{"install_method_offset", "offset 0"}},
		{"ACC_APPLET missing", ijcWith(t, map[Tag]string{TagHeader: "01 000F DECAFFED 01 02 00 00 01 05 A000000001"}),
			[]string{"flags", "ACC_APPLET is false"}},
		{"ACC_EXPORT without Export", ijcWith(t, map[Tag]string{TagHeader: "01 000F DECAFFED 01 02 06 00 01 05 A000000001"}),
			[]string{"flags", "ACC_EXPORT is true"}},
		{"missing Method", ijcWith(t, map[Tag]string{TagMethod: ""}), []string{"missing mandatory component Method"}},
		{"Debug in a 2.1 CAP", ijcWith(t, map[Tag]string{TagDebug: "0C 0001 00"}), []string{"Debug component present", "CAP 2.1 Directory"}},
		{"undeclared custom", ijcWith(t, map[Tag]string{0xDB: "DB 0002 0102"}), []string{"0xDB", "not declared"}},
		{"unknown tag 14", ijcWith(t, map[Tag]string{TagStaticResources: "0E 0001 00"}), []string{"unknown component tag 14"}},
		{"duplicate Class", append(bytes.Clone(valid), hx(t, handComponents[TagClass])...), []string{"second Class"}},
		{"not a zip", []byte("PK\x03\x04garbage"), []string{"bad.cap", "not a ZIP/JAR archive"}},
		{"zip without components", jarWith(t, map[string][]byte{"META-INF/MANIFEST.MF": []byte("x")}), []string{"no CAP components"}},
		{"zip without Header", entries(func(m map[string][]byte) { delete(m, "p/javacard/Header.cap") }), []string{"missing mandatory component Header"}},
		{"zip entry size mismatch", entries(func(m map[string][]byte) { m["p/javacard/Class.cap"] = hx(t, "06 0003 C1C2C3C4") }),
			[]string{"p/javacard/Class.cap", "size at offset 1", "size item says 3 bytes but the entry holds 4"}},
		{"zip empty entry", entries(func(m map[string][]byte) { m["p/javacard/Class.cap"] = nil }), []string{"Class.cap", "empty component entry"}},
		{"zip two directories", entries(func(m map[string][]byte) { m["q/javacard/Extra.cap"] = hx(t, "DB 0000") }), []string{"two directories"}},
		{"zip duplicate tag", entries(func(m map[string][]byte) { m["p/javacard/Class2.cap"] = hx(t, "06 0001 00") }), []string{"second Class"}},
		{"zip bad magic", entries(func(m map[string][]byte) {
			m["p/javacard/Header.cap"] = hx(t, "01 000F DECAFFEE 01 02 04 00 01 05 A000000001")
		}), []string{"p/javacard/Header.cap: magic at offset 3"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := Parse("bad.cap", tc.in)
			if err == nil {
				t.Fatalf("Parse succeeded: %+v", f)
			}
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Errorf("error %T is not a *FormatError", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

// zeros deflates n zero bytes.
func zeros(t *testing.T, n int) []byte {
	var buf bytes.Buffer
	w, err := flate.NewWriter(&buf, flate.BestSpeed)
	if err != nil {
		t.Fatal(err)
	}
	chunk := make([]byte, 1<<20)
	for n > 0 {
		k := min(n, len(chunk))
		w.Write(chunk[:k])
		n -= k
	}
	w.Close()
	return buf.Bytes()
}

// rawJAR writes one deflated entry whose header claims size declared.
func rawJAR(t *testing.T, name string, compressed []byte, declared uint64, crc uint32) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.CreateRaw(&zip.FileHeader{Name: name, Method: zip.Deflate, CRC32: crc,
		CompressedSize64: uint64(len(compressed)), UncompressedSize64: declared})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(compressed)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestParseCAP_ZipBombs_BoundedMemory(t *testing.T) {
	const bomb = 12 << 20
	z := zeros(t, bomb)
	crc := crc32.ChecksumIEEE(make([]byte, bomb))
	big := func(tag byte) []byte { b := make([]byte, 7<<20); b[0] = tag; return b }
	for _, tc := range []struct {
		name     string
		in       []byte
		tooLarge bool // else archive/zip's own size check must reject it
	}{
		{"honest 32 MiB entry", rawJAR(t, "p/javacard/Method.cap", z, bomb, crc), true},
		{"entry claiming 9 MiB", rawJAR(t, "p/javacard/Method.cap", z, 9<<20, crc), true},
		{"entry claiming 100 bytes", rawJAR(t, "p/javacard/Method.cap", z, 100, crc), false},
		{"total over 16 MiB", jarWith(t, map[string][]byte{
			"p/javacard/A.cap": big(0xDB), "p/javacard/B.cap": big(0xDC), "p/javacard/C.cap": big(0xDD)}), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, err := Parse("bomb.cap", tc.in)
			runtime.ReadMemStats(&after)
			if err == nil || errors.Is(err, ErrTooLarge) != tc.tooLarge {
				t.Fatalf("error %v, want ErrTooLarge: %t", err, tc.tooLarge)
			}
			if !strings.Contains(err.Error(), "bomb.cap") {
				t.Errorf("error %q does not name the file", err)
			}
			// Reading stops at the limit: far less than the bomb would need.
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 48<<20 {
				t.Errorf("allocated %d MiB while rejecting", alloc>>20)
			}
		})
	}
}

func TestParseIJC_RejectsHugeInput(t *testing.T) {
	_, err := ParseIJC("huge.ijc", make([]byte, MaxTotalUncompressed+1))
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("error %v, want ErrTooLarge", err)
	}
}

func TestParse_ExtraEntriesIgnored(t *testing.T) {
	m := handEntries(t)
	m["META-INF/MANIFEST.MF"] = []byte("Manifest-Version: 1.0\r\n")
	m["APPLET-INF/classes/p/Hello.class"] = []byte{0xCA, 0xFE, 0xBA, 0xBE}
	m["p/Hello.cap.txt"] = []byte("not a component")
	m["p/javacard/README"] = []byte("not a component either")
	f, err := Parse("extra.cap", jarWith(t, m))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(f.LoadFileDataBlock(LoadOptions{}), handLFDB(t, false)) {
		t.Error("extra entries changed the load file")
	}
}

func TestParseIJC_DescriptorMayBeAbsent(t *testing.T) {
	f, err := ParseIJC("nodesc.ijc", ijcWith(t, map[Tag]string{TagDescriptor: ""}))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(f.LoadFileDataBlock(LoadOptions{IncludeDescriptor: true}), handLFDB(t, false)) {
		t.Error("load file differs")
	}
	if _, err := ParseCAP("nodesc.cap", jarWith(t, func() map[string][]byte {
		m := handEntries(t)
		delete(m, "p/javacard/Descriptor.cap")
		return m
	}())); err == nil || !strings.Contains(err.Error(), "Descriptor") {
		t.Errorf("JAR without Descriptor: %v, want an error naming Descriptor", err)
	}
}
