package cap

import (
	"bytes"
	"fmt"
)

// Tag is a CAP component tag (JCVM 3.1 §6.2, Table 6-1). Tags 128–255 are
// custom components.
type Tag uint8

// Component tags, JCVM 3.1 §6.2 Table 6-1.
const (
	TagHeader          Tag = 1
	TagDirectory       Tag = 2
	TagApplet          Tag = 3
	TagImport          Tag = 4
	TagConstantPool    Tag = 5
	TagClass           Tag = 6
	TagMethod          Tag = 7
	TagStaticField     Tag = 8
	TagRefLocation     Tag = 9
	TagExport          Tag = 10
	TagDescriptor      Tag = 11
	TagDebug           Tag = 12
	TagStaticResources Tag = 13
)

var tagNames = [...]string{"", "Header", "Directory", "Applet", "Import", "ConstantPool", "Class", "Method",
	"StaticField", "RefLocation", "Export", "Descriptor", "Debug", "StaticResources"}

// String returns the component's JAR file base name ("RefLocation"), or
// "Custom(0xDB)" for a custom component.
func (t Tag) String() string {
	if int(t) < len(tagNames) && t != 0 {
		return tagNames[t]
	}
	if t.Custom() {
		return fmt.Sprintf("Custom(0x%02X)", uint8(t))
	}
	return fmt.Sprintf("Unknown(%d)", uint8(t))
}

// Custom reports whether t is a custom component tag (128–255).
func (t Tag) Custom() bool { return t >= 128 }

// Form is the physical form of a CAP file.
type Form int

// Forms of a CAP file; the zero value is unset.
const (
	FormJAR Form = iota + 1 // a ZIP/JAR archive with one entry per component
	FormIJC                 // the components concatenated, as the converter's IJC output
)

// String returns "JAR" or "IJC".
func (f Form) String() string {
	switch f {
	case FormJAR:
		return "JAR"
	case FormIJC:
		return "IJC"
	}
	return "unset"
}

// Version is a major.minor version: of the CAP format, a package, or a CAP.
type Version struct {
	Major, Minor uint8
}

// String formats the version as "2.1".
func (v Version) String() string { return fmt.Sprintf("%d.%d", v.Major, v.Minor) }

// Flags are the Header component flags (JCVM 3.1 §6.4, Table 6-3).
type Flags uint8

// Header flags, JCVM 3.1 §6.4 Table 6-3.
const (
	FlagInt      Flags = 0x01 // ACC_INT: the int type is used
	FlagExport   Flags = 0x02 // ACC_EXPORT: an Export component is present
	FlagApplet   Flags = 0x04 // ACC_APPLET: an Applet component is present
	FlagExtended Flags = 0x08 // ACC_EXTENDED: extended CAP format
)

// Package is one Java package of a CAP file. In a compact CAP file there is
// exactly one; in an extended one, AID is nil for a private package.
type Package struct {
	AID     []byte
	Version Version
	Name    string // may be empty; always empty in CAP format 2.1
}

// Applet is one entry of the Applet component (JCVM 3.1 §6.6).
type Applet struct {
	AID                 []byte
	InstallMethodOffset uint16 // offset into the info of the Method component
}

// Import is one package_info of the Import component (JCVM 3.1 §6.7).
type Import struct {
	AID     []byte
	Version Version
}

// CustomComponent is a custom component declared in the Directory (JCVM 3.1
// §6.5 custom_component_info). Data is its info (without tag and size), or nil
// if the component was declared but absent (allowed only in the IJC form).
type CustomComponent struct {
	Tag  Tag
	AID  []byte
	Size uint32
	Data []byte
}

// javacard.framework package AID (JCVM 3.1 Appendix; spec §4.1).
var frameworkAID = []byte{0xA0, 0x00, 0x00, 0x00, 0x62, 0x01, 0x01}

// jcVersions maps the javacard.framework import version to the Java Card
// version it implies (observed in real files; shared/spec/vpcd-and-cap.md §4.1).
var jcVersions = map[Version]string{
	{1, 0}: "2.1.x", {1, 2}: "2.2.1", {1, 3}: "2.2.2", {1, 4}: "3.0.1",
	{1, 5}: "3.0.4", {1, 6}: "3.0.5", {1, 8}: "3.1.0", {1, 9}: "3.2.0",
}

// JavaCardVersion guesses the Java Card version a CAP file targets from its
// javacard.framework (A0000000620101) import: "3.0.5" for framework 1.6, and
// so on. It returns "unknown (framework 1.7)" for a version not in the table
// and "" when the framework is not imported.
func JavaCardVersion(imports []Import) string {
	for _, im := range imports {
		if bytes.Equal(im.AID, frameworkAID) {
			if v, ok := jcVersions[im.Version]; ok {
				return v
			}
			return "unknown (framework " + im.Version.String() + ")"
		}
	}
	return ""
}
