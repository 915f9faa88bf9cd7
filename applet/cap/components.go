package cap

import (
	"unicode"
	"unicode/utf8"
)

// header is the decoded Header component (JCVM 3.1 §6.4).
type header struct {
	format     Version
	flags      Flags
	capAID     []byte // extended only
	capVersion Version
	pkgs       []Package
}

// parseHeader decodes the info of a Header component. Layout (compact, JCVM
// 3.1 §6.4; spec §4.1): u4 magic DECAFFED | u1 minor | u1 major | u1 flags |
// package_info {u1 minor, u1 major, u1 AID_length, AID} | [CAP ≥ 2.2:
// package_name_info {u1 name_length, name}]. Extended (ACC_EXTENDED, spec §4.1
// example "DECAFFED 03 02 0e | 00 01 | 07 A0000006170010 | 01 | 02 01 07
// A0000006170002 | 00"): after flags, cap_info {u1 minor, u1 major, u1
// AID_length, AID}, u1 package_count, package_info[package_count] (AID_length
// 0 for a private package), package_name_info[package_count].
func parseHeader(file, where string, info []byte) (header, error) {
	f := newFields(file, where, info, 3)
	var h header
	if magic := f.u32("magic"); f.err == nil && magic != 0xDECAFFED {
		return h, errorf(file, where, "magic", 3, "got %08X, want DECAFFED (not a CAP file)", magic)
	}
	h.format.Minor = f.u8("minor_version")
	h.format.Major = f.u8("major_version")
	if f.err == nil && (h.format.Major != 2 || h.format.Minor < 1 || h.format.Minor > 3) {
		return h, errorf(file, where, "major_version", 8, "unsupported CAP format %s (supported: 2.1, 2.2, 2.3)", h.format)
	}
	h.flags = Flags(f.u8("flags"))
	if f.err == nil && h.flags&FlagExtended != 0 {
		if h.format.Minor < 3 {
			return h, errorf(file, where, "flags", 9, "ACC_EXTENDED set in a CAP %s file (needs 2.3)", h.format)
		}
		h.capVersion.Minor = f.u8("CAP minor_version")
		h.capVersion.Major = f.u8("CAP major_version")
		h.capAID = f.aid("CAP", false)
		n := int(f.u8("package_count"))
		if f.err == nil && n == 0 {
			f.fail("package_count", "an extended CAP file needs at least one package")
		}
		for i := 0; i < n && f.err == nil; i++ {
			h.pkgs = append(h.pkgs, readPackage(f, true))
		}
		for i := 0; i < n && f.err == nil; i++ {
			h.pkgs[i].Name = readName(f)
		}
	} else {
		h.pkgs = []Package{readPackage(f, false)}
		if h.format.Minor >= 2 {
			h.pkgs[0].Name = readName(f)
		}
	}
	f.end("package_name_info")
	if f.err != nil {
		return header{}, f.err
	}
	return h, nil
}

func readPackage(f *fields, allowPrivate bool) Package {
	var p Package
	p.Version.Minor = f.u8("package minor_version")
	p.Version.Major = f.u8("package major_version")
	p.AID = f.aid("package", allowPrivate)
	return p
}

// readName reads package_name_info {u1 name_length, name} and rejects names
// that are not printable UTF-8, so they can be shown safely.
func readName(f *fields) string {
	n := int(f.u8("name_length"))
	at := f.off()
	b := f.bytes("name", n)
	if f.err != nil {
		return ""
	}
	if !utf8.Valid(b) {
		f.err = errorf(f.file, f.comp, "name", at, "package name is not valid UTF-8")
		return ""
	}
	for _, r := range string(b) {
		if !unicode.IsPrint(r) {
			f.err = errorf(f.file, f.comp, "name", at, "package name contains unprintable character %U", r)
			return ""
		}
	}
	return string(b)
}

// directory is the decoded Directory component (JCVM 3.1 §6.5).
type directory struct {
	format      Version
	sizes       map[Tag]uint32
	importCount int
	appletCount int
	custom      []CustomComponent
}

// u4Size reports whether a component's size item is a u4: Static Resources
// always; Method, ReferenceLocation, Descriptor, Debug and custom components
// in an extended CAP file (spec §4.1; JCVM 3.1 §6.4 ACC_EXTENDED).
func u4Size(t Tag, extended bool) bool {
	switch {
	case t == TagStaticResources:
		return true
	case extended:
		return t == TagMethod || t == TagRefLocation || t == TagDescriptor || t == TagDebug || t.Custom()
	}
	return false
}

// parseDirectory decodes a Directory component's info. Layout (JCVM 3.1 §6.5,
// spec §4.1): component_sizes — one size per standard component from Header
// on: 11 (CAP 2.1, up to Descriptor), 12 (2.2, + Debug) or 13 (2.3, + Static
// Resources, a u4); u2 each except where u4Size says u4 — then
// static_field_size_info (3 × u2), u1 import_count, u1 applet_count, u1
// custom_count, custom_component_info[custom_count] {u1 tag, u2 size (u4 when
// extended), u1 AID_length, AID}. It must parse to exactly its size.
func parseDirectory(file, where string, info []byte, base int, format Version, extended bool) (*directory, error) {
	f := newFields(file, where, info, base)
	d := &directory{format: format, sizes: map[Tag]uint32{}}
	// The last listed tag: Descriptor (2.1), Debug (2.2), Static Resources (2.3).
	for t := TagHeader; t <= TagDescriptor+Tag(format.Minor-1); t++ {
		if u4Size(t, extended) {
			d.sizes[t] = f.u32(t.String() + " size")
		} else {
			d.sizes[t] = uint32(f.u16(t.String() + " size"))
		}
	}
	f.u16("image_size")
	f.u16("array_init_count")
	f.u16("array_init_size")
	d.importCount = int(f.u8("import_count"))
	d.appletCount = int(f.u8("applet_count"))
	n := int(f.u8("custom_count"))
	for i := 0; i < n && f.err == nil; i++ {
		at := f.off()
		c := CustomComponent{Tag: Tag(f.u8("custom component_tag"))}
		if f.err == nil && !c.Tag.Custom() {
			return nil, errorf(file, where, "custom component_tag", at, "tag %d is not a custom tag (128 to 255)", c.Tag)
		}
		if extended {
			c.Size = f.u32("custom size")
		} else {
			c.Size = uint32(f.u16("custom size"))
		}
		c.AID = f.aid("custom", false)
		d.custom = append(d.custom, c)
	}
	f.end("custom_components")
	if f.err != nil {
		return nil, f.err
	}
	return d, nil
}

// parseApplets decodes an Applet component's info (JCVM 3.1 §6.6; spec §4.1):
// u1 count (> 0), {u1 AID_length, AID, u2 install_method_offset}[count].
func parseApplets(file, where string, info []byte, base int) ([]Applet, error) {
	f := newFields(file, where, info, base)
	n := int(f.u8("count"))
	if f.err == nil && n == 0 {
		f.fail("count", "an Applet component must list at least one applet")
	}
	var as []Applet
	for i := 0; i < n && f.err == nil; i++ {
		a := Applet{AID: f.aid("applet", false)}
		a.InstallMethodOffset = f.u16("install_method_offset")
		as = append(as, a)
	}
	f.end("applets")
	return as, errOrNil(f)
}

// parseImports decodes an Import component's info (JCVM 3.1 §6.7; spec
// §4.1): u1 count (≤ 128), package_info[count].
func parseImports(file, where string, info []byte, base int) ([]Import, error) {
	f := newFields(file, where, info, base)
	n := int(f.u8("count"))
	if f.err == nil && n > 128 {
		f.fail("count", "%d imports, at most 128 allowed", n)
	}
	var is []Import
	for i := 0; i < n && f.err == nil; i++ {
		p := readPackage(f, false)
		is = append(is, Import{AID: p.AID, Version: p.Version})
	}
	f.end("packages")
	return is, errOrNil(f)
}

// errOrNil avoids returning a typed nil *FormatError as a non-nil error.
func errOrNil(f *fields) error {
	if f.err != nil {
		return f.err
	}
	return nil
}
