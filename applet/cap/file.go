package cap

import "bytes"

// File is a parsed, validated CAP file. Treat its fields as read-only; the
// slices are owned by the File and do not alias the parser's input.
type File struct {
	Name       string // the name given to the parser, used in errors
	Form       Form
	Format     Version // CAP file format: 2.1, 2.2 or 2.3
	Flags      Flags
	CAPAID     []byte  // extended CAP files only: the CAP AID (the GP load file AID)
	CAPVersion Version // extended CAP files only
	Packages   []Package
	Applets    []Applet // empty for a library
	Imports    []Import
	Custom     []CustomComponent // in Directory order; never loaded onto a card
	comps      map[Tag][]byte    // standard components: tag, size and info
}

// Extended reports whether this is an extended CAP file (ACC_EXTENDED).
func (f *File) Extended() bool { return f.Flags&FlagExtended != 0 }

// Package returns the first (in a compact CAP file, the only) package.
func (f *File) Package() Package { return f.Packages[0] }

// LoadFileAID returns the GlobalPlatform Executable Load File AID: the CAP AID
// of an extended CAP file, the package AID otherwise (spec §4.1). The slice is
// a copy.
func (f *File) LoadFileAID() []byte {
	if f.Extended() {
		return bytes.Clone(f.CAPAID)
	}
	return bytes.Clone(f.Packages[0].AID)
}

// HasComponent reports whether the standard component with tag t is present.
func (f *File) HasComponent(t Tag) bool { return f.comps[t] != nil }

// Component returns a copy of the whole standard component with tag t (tag,
// size and info), or nil if absent. Custom components are in f.Custom.
func (f *File) Component(t Tag) []byte { return bytes.Clone(f.comps[t]) }

// JavaCardVersion guesses the targeted Java Card version; see the function
// JavaCardVersion.
func (f *File) JavaCardVersion() string { return JavaCardVersion(f.Imports) }

// mandatory components: every size other than Applet, Export, Debug and Static
// Resources must be non-zero (JCVM 3.1 §6.5).
var mandatory = []Tag{TagHeader, TagDirectory, TagImport, TagConstantPool, TagClass, TagMethod,
	TagStaticField, TagRefLocation, TagDescriptor}

// build decodes the Directory, Applet and Import components of raw and checks
// the components against each other.
func build(name string, form Form, raw map[Tag]part, hdr header) (*File, error) {
	ext := hdr.flags&FlagExtended != 0
	f := &File{Name: name, Form: form, Format: hdr.format, Flags: hdr.flags, CAPAID: hdr.capAID,
		CAPVersion: hdr.capVersion, Packages: hdr.pkgs, comps: map[Tag][]byte{}}
	for _, t := range mandatory {
		if _, ok := raw[t]; !ok && (form == FormJAR || t != TagDescriptor) {
			return nil, errorf(name, "", "", -1, "missing mandatory component %s", t)
		}
	}
	infoOf := func(t Tag) ([]byte, int) {
		if u4Size(t, ext) {
			return info(raw[t].data, 4), 5
		}
		return info(raw[t].data, 2), 3
	}
	dp := raw[TagDirectory]
	dinfo, base := infoOf(TagDirectory)
	dir, err := parseDirectory(name, dp.where, dinfo, base, hdr.format, ext)
	if err != nil {
		return nil, err
	}
	if err := checkDirectory(name, form, dp.where, dir, raw, ext); err != nil {
		return nil, err
	}
	for t, p := range raw {
		if !t.Custom() {
			f.comps[t] = p.data
		}
	}
	for _, c := range dir.custom {
		if _, ok := raw[c.Tag]; ok {
			c.Data, _ = infoOf(c.Tag)
		}
		f.Custom = append(f.Custom, c)
	}
	ip := raw[TagImport]
	ii, base := infoOf(TagImport)
	if f.Imports, err = parseImports(name, ip.where, ii, base); err != nil {
		return nil, err
	}
	if len(f.Imports) != dir.importCount {
		return nil, errorf(name, dp.where, "import_count", -1, "Directory says %d imports, Import component has %d", dir.importCount, len(f.Imports))
	}
	if ap, ok := raw[TagApplet]; ok {
		ai, base := infoOf(TagApplet)
		if f.Applets, err = parseApplets(name, ap.where, ai, base); err != nil {
			return nil, err
		}
	}
	if len(f.Applets) != dir.appletCount {
		return nil, errorf(name, dp.where, "applet_count", -1, "Directory says %d applets, Applet component has %d", dir.appletCount, len(f.Applets))
	}
	if err := checkFlags(name, raw, hdr.flags); err != nil {
		return nil, err
	}
	mi, _ := infoOf(TagMethod)
	if err := checkInstallOffsets(name, raw[TagApplet].where, f.Applets, mi, ext); err != nil {
		return nil, err
	}
	return f, nil
}
