package cap

import (
	"archive/zip"
	"bytes"
	"fmt"
	"strings"
	"time"
)

// Spec describes a CAP file for Write. Write produces a structurally valid
// file: all mandatory components, a Directory consistent with them, real
// Header, Applet and Import components. The Class, Method, ConstantPool,
// StaticField, RefLocation, Export, Descriptor, Debug and Static Resources
// components are well-formed minimal or filler content, not runnable code.
type Spec struct {
	Form       Form    // FormJAR or FormIJC; zero means FormJAR
	Format     Version // CAP format: 2.1, 2.2 or 2.3 (required)
	Extended   bool    // extended CAP file (ACC_EXTENDED); needs Format 2.3
	IntSupport bool    // sets ACC_INT
	CAPAID     []byte  // extended only: the CAP AID
	CAPVersion Version // extended only
	// Packages: exactly one for a compact CAP file. Names need Format ≥ 2.2.
	Packages []Package
	Applets  []Applet // none for a library; offsets must point into the methods
	Imports  []Import
	Export   bool // include an Export component (a library or shareable package)
	// MethodSize is the size of the Method component's info, at least 3: one
	// handler_count byte (0; a block count and handler_count when extended)
	// then filler method bytes.
	MethodSize      int
	Debug           bool              // include a Debug component (Format ≥ 2.2)
	StaticResources int               // size of a Static Resources component (Format 2.3); 0 for none
	Custom          []CustomComponent // Tag, AID and Data; Size is ignored
	// Dir is the JAR directory of the component entries; default
	// "<package name with / for .>/javacard" or "pkg/javacard".
	Dir string
	// FileNames overrides the JAR entry base name of a component, e.g.
	// {0xDB: "Debug.cap"}.
	FileNames map[Tag]string
}

// writeTime is the fixed modification time of JAR entries, so output is
// reproducible.
var writeTime = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// Write builds a CAP file from s in the form s.Form. It returns an error
// naming the Spec field when s cannot describe a valid CAP file.
func Write(s Spec) ([]byte, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	comps, err := s.components()
	if err != nil {
		return nil, err
	}
	order := append(append([]Tag(nil), loadOrder...), TagDescriptor, TagDebug)
	for _, c := range s.Custom {
		order = append(order, c.Tag)
	}
	if s.Form == FormIJC {
		var out []byte
		for _, t := range order {
			out = append(out, comps[t]...)
		}
		return out, nil
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	manifest := "Manifest-Version: 1.0\r\nJava-Card-CAP-File-Version: " + s.Format.String() + "\r\n\r\n"
	if err := addEntry(zw, "META-INF/MANIFEST.MF", []byte(manifest)); err != nil {
		return nil, err
	}
	for _, t := range order {
		if comps[t] == nil {
			continue
		}
		if err := addEntry(zw, s.dir()+"/"+s.fileName(t), comps[t]); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("cap: write: %w", err)
	}
	return buf.Bytes(), nil
}

func addEntry(zw *zip.Writer, name string, data []byte) error {
	w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: writeTime})
	if err == nil {
		_, err = w.Write(data)
	}
	if err != nil {
		return fmt.Errorf("cap: write %s: %w", name, err)
	}
	return nil
}

func (s *Spec) dir() string {
	switch {
	case s.Dir != "":
		return strings.TrimSuffix(s.Dir, "/")
	case len(s.Packages) > 0 && s.Packages[0].Name != "":
		return strings.ReplaceAll(s.Packages[0].Name, ".", "/") + "/javacard"
	}
	return "pkg/javacard"
}

func (s *Spec) fileName(t Tag) string {
	if n, ok := s.FileNames[t]; ok {
		return n
	}
	ext := ".cap"
	if u4Size(t, s.Extended) {
		ext = ".capx"
	}
	if t.Custom() {
		return fmt.Sprintf("Custom%02X%s", uint8(t), ext)
	}
	return t.String() + ext
}

func (s *Spec) flags() Flags {
	var f Flags
	if s.IntSupport {
		f |= FlagInt
	}
	if s.Export {
		f |= FlagExport
	}
	if len(s.Applets) > 0 {
		f |= FlagApplet
	}
	if s.Extended {
		f |= FlagExtended
	}
	return f
}

func specErr(field, format string, a ...any) error {
	return fmt.Errorf("cap: write: Spec.%s: %s", field, fmt.Sprintf(format, a...))
}

func checkAID(field string, aid []byte) error {
	if len(aid) < 5 || len(aid) > 16 {
		return specErr(field, "AID of %d bytes, want 5 to 16", len(aid))
	}
	return nil
}
