package cap

import (
	"fmt"

	"golang.org/x/crypto/cryptobyte"
)

// check validates a Spec before anything is built.
func (s *Spec) check() error {
	if s.Form == 0 {
		s.Form = FormJAR
	}
	switch {
	case s.Form != FormJAR && s.Form != FormIJC:
		return specErr("Form", "unknown form %d", s.Form)
	case s.Format.Major != 2 || s.Format.Minor < 1 || s.Format.Minor > 3:
		return specErr("Format", "CAP format %s, want 2.1, 2.2 or 2.3", s.Format)
	case s.Extended && s.Format.Minor != 3:
		return specErr("Extended", "an extended CAP file needs format 2.3")
	case s.Debug && s.Format.Minor < 2:
		return specErr("Debug", "a Debug component needs format 2.2 or later")
	case s.StaticResources < 0 || (s.StaticResources > 0 && s.Format.Minor < 3):
		return specErr("StaticResources", "a Static Resources component needs format 2.3")
	case len(s.Applets) > 255:
		return specErr("Applets", "%d applets, at most 255", len(s.Applets))
	case len(s.Imports) > 128:
		return specErr("Imports", "%d imports, at most 128", len(s.Imports))
	case len(s.Custom) > 127:
		return specErr("Custom", "%d custom components, at most 127", len(s.Custom))
	case s.MethodSize < 3:
		return specErr("MethodSize", "%d, want at least 3", s.MethodSize)
	case !s.Extended && s.MethodSize > 0xFFFF:
		return specErr("MethodSize", "%d does not fit the u2 size of a compact CAP file", s.MethodSize)
	}
	if s.Extended {
		if err := checkAID("CAPAID", s.CAPAID); err != nil {
			return err
		}
		if len(s.Packages) == 0 || len(s.Packages) > 255 {
			return specErr("Packages", "%d packages, want 1 to 255", len(s.Packages))
		}
	} else if len(s.Packages) != 1 {
		return specErr("Packages", "%d packages, a compact CAP file has exactly 1", len(s.Packages))
	}
	for i, p := range s.Packages {
		if !(s.Extended && p.AID == nil) {
			if err := checkAID(fmt.Sprintf("Packages[%d]", i), p.AID); err != nil {
				return err
			}
		}
		if len(p.Name) > 255 {
			return specErr(fmt.Sprintf("Packages[%d].Name", i), "name of %d bytes, at most 255", len(p.Name))
		}
		if p.Name != "" && s.Format.Minor < 2 {
			return specErr(fmt.Sprintf("Packages[%d].Name", i), "package names need format 2.2 or later")
		}
	}
	for i, a := range s.Applets {
		if err := checkAID(fmt.Sprintf("Applets[%d]", i), a.AID); err != nil {
			return err
		}
	}
	for i, im := range s.Imports {
		if err := checkAID(fmt.Sprintf("Imports[%d]", i), im.AID); err != nil {
			return err
		}
	}
	seen := map[Tag]bool{}
	for i, c := range s.Custom {
		if !c.Tag.Custom() || seen[c.Tag] {
			return specErr(fmt.Sprintf("Custom[%d].Tag", i), "tag %d is not a new custom tag (128 to 255)", c.Tag)
		}
		seen[c.Tag] = true
		if err := checkAID(fmt.Sprintf("Custom[%d]", i), c.AID); err != nil {
			return err
		}
	}
	return nil
}

// components builds every component (tag, size, info) of s.
func (s *Spec) components() (map[Tag][]byte, error) {
	info := map[Tag][]byte{
		TagHeader:       s.header(),
		TagImport:       s.imports(),
		TagConstantPool: {0x00, 0x00},       // u2 count = 0
		TagClass:        {0x00, 0x00},       // filler (an empty signature pool)
		TagStaticField:  make([]byte, 10),   // image_size, reference_count, array_init_count, default_value_count, non_default_value_count: 0
		TagRefLocation:  make([]byte, 4),    // byte_index_count = 0, byte2_index_count = 0
		TagDescriptor:   {0x00, 0x00, 0x00}, // class_count = 0, types.constant_pool_count = 0
		TagMethod:       s.method(),
	}
	if len(s.Applets) > 0 {
		info[TagApplet] = s.applets()
	}
	if s.Export {
		info[TagExport] = []byte{0x00} // class_count = 0
	}
	if s.Debug {
		info[TagDebug] = make([]byte, 6) // string_count, package_name_index, class_count: 0
	}
	if s.StaticResources > 0 {
		info[TagStaticResources] = filler(s.StaticResources, 13)
	}
	for _, c := range s.Custom {
		info[c.Tag] = c.Data
	}
	// The Directory lists its own size; its length does not depend on the
	// values, so build it once to measure and once for real.
	info[TagDirectory] = s.directory(info, 0)
	info[TagDirectory] = s.directory(info, len(info[TagDirectory]))
	if err := checkInstallOffsets("Spec", "Applets", s.Applets, info[TagMethod], s.Extended); err != nil {
		return nil, specErr("Applets", "%v", err)
	}
	comps := map[Tag][]byte{}
	for t, in := range info {
		b := cryptobyte.NewBuilder(nil)
		b.AddUint8(uint8(t))
		add := b.AddUint16LengthPrefixed
		if u4Size(t, s.Extended) {
			add = b.AddUint32LengthPrefixed
		}
		add(func(b *cryptobyte.Builder) { b.AddBytes(in) })
		out, err := b.Bytes()
		if err != nil {
			return nil, specErr(t.String(), "component of %d bytes does not fit its size item", len(in))
		}
		comps[t] = out
	}
	return comps, nil
}

// filler returns n deterministic, non-constant bytes.
func filler(n int, seed byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i)*31 + seed
	}
	return b
}

// header builds the Header info; layout in parseHeader (JCVM 3.1 §6.4).
func (s *Spec) header() []byte {
	b := cryptobyte.NewBuilder(nil)
	b.AddUint32(0xDECAFFED)
	b.AddUint8(s.Format.Minor)
	b.AddUint8(s.Format.Major)
	b.AddUint8(uint8(s.flags()))
	if s.Extended {
		addPackageInfo(b, s.CAPVersion, s.CAPAID)
		b.AddUint8(uint8(len(s.Packages)))
		for _, p := range s.Packages {
			addPackageInfo(b, p.Version, p.AID)
		}
		for _, p := range s.Packages {
			b.AddUint8(uint8(len(p.Name)))
			b.AddBytes([]byte(p.Name))
		}
	} else {
		addPackageInfo(b, s.Packages[0].Version, s.Packages[0].AID)
		if s.Format.Minor >= 2 {
			b.AddUint8(uint8(len(s.Packages[0].Name)))
			b.AddBytes([]byte(s.Packages[0].Name))
		}
	}
	return b.BytesOrPanic()
}

// addPackageInfo appends package_info {u1 minor, u1 major, u1 AID_length, AID}.
func addPackageInfo(b *cryptobyte.Builder, v Version, aid []byte) {
	b.AddUint8(v.Minor)
	b.AddUint8(v.Major)
	b.AddUint8(uint8(len(aid)))
	b.AddBytes(aid)
}

// imports builds the Import info (JCVM 3.1 §6.7).
func (s *Spec) imports() []byte {
	b := cryptobyte.NewBuilder(nil)
	b.AddUint8(uint8(len(s.Imports)))
	for _, im := range s.Imports {
		addPackageInfo(b, im.Version, im.AID)
	}
	return b.BytesOrPanic()
}

// applets builds the Applet info (JCVM 3.1 §6.6).
func (s *Spec) applets() []byte {
	b := cryptobyte.NewBuilder(nil)
	b.AddUint8(uint8(len(s.Applets)))
	for _, a := range s.Applets {
		b.AddUint8(uint8(len(a.AID)))
		b.AddBytes(a.AID)
		b.AddUint16(a.InstallMethodOffset)
	}
	return b.BytesOrPanic()
}

// method builds the Method info: handler_count 0 (preceded by a block count
// of 1 when extended), then filler method bytes.
func (s *Spec) method() []byte {
	m := filler(s.MethodSize, 7)
	m[0] = 0
	if s.Extended {
		m[0], m[1] = 1, 0
	}
	return m
}

// directory builds the Directory info (layout in parseDirectory, JCVM 3.1
// §6.5) from the other components' infos and its own size.
func (s *Spec) directory(info map[Tag][]byte, own int) []byte {
	b := cryptobyte.NewBuilder(nil)
	for t := TagHeader; t <= TagDescriptor+Tag(s.Format.Minor-1); t++ {
		n := len(info[t])
		if t == TagDirectory {
			n = own
		}
		if u4Size(t, s.Extended) {
			b.AddUint32(uint32(n))
		} else {
			b.AddUint16(uint16(n))
		}
	}
	b.AddBytes(make([]byte, 6)) // static_field_size_info: all 0, as the StaticField component
	b.AddUint8(uint8(len(s.Imports)))
	b.AddUint8(uint8(len(s.Applets)))
	b.AddUint8(uint8(len(s.Custom)))
	for _, c := range s.Custom {
		b.AddUint8(uint8(c.Tag))
		if s.Extended {
			b.AddUint32(uint32(len(c.Data)))
		} else {
			b.AddUint16(uint16(len(c.Data)))
		}
		b.AddUint8(uint8(len(c.AID)))
		b.AddBytes(c.AID)
	}
	return b.BytesOrPanic()
}
