package cap

// checkDirectory checks the Directory against the components present (JCVM
// 3.1 §6.5): every listed size equals its component's info length, a size of
// 0 means absent, no component is present that the Directory cannot list, and
// custom components are declared exactly once with their size. In the IJC
// form, a declared Descriptor, Debug or custom component may be absent: an
// IJC file is a load file, and those are optional or never loaded.
func checkDirectory(name string, form Form, where string, d *directory, raw map[Tag]part, ext bool) error {
	infoLen := func(t Tag) int {
		if u4Size(t, ext) {
			return len(raw[t].data) - 5
		}
		return len(raw[t].data) - 3
	}
	optionalInIJC := func(t Tag) bool {
		return form == FormIJC && (t == TagDescriptor || t == TagDebug || t.Custom())
	}
	for t := TagHeader; t <= TagStaticResources; t++ {
		p, has := raw[t]
		size, listed := d.sizes[t]
		switch {
		case has && !listed:
			return errorf(name, p.where, "", -1, "%s component present, but a CAP %s Directory has no size for it", t, d.format)
		case has && int64(size) != int64(infoLen(t)):
			return errorf(name, where, t.String()+" size", -1, "Directory says %d bytes, %s component has %d", size, t, infoLen(t))
		case !has && size != 0 && !optionalInIJC(t):
			return errorf(name, where, t.String()+" size", -1, "Directory lists %d bytes, but there is no %s component", size, t)
		}
	}
	declared := map[Tag]bool{}
	for _, c := range d.custom {
		if declared[c.Tag] {
			return errorf(name, where, "custom_components", -1, "custom component 0x%02X declared twice", uint8(c.Tag))
		}
		declared[c.Tag] = true
		p, has := raw[c.Tag]
		switch {
		case has && int64(c.Size) != int64(infoLen(c.Tag)):
			return errorf(name, where, "custom size", -1, "Directory says %d bytes, custom component 0x%02X (%s) has %d",
				c.Size, uint8(c.Tag), p.where, infoLen(c.Tag))
		case !has && !optionalInIJC(c.Tag):
			return errorf(name, where, "custom_components", -1, "custom component 0x%02X declared but missing", uint8(c.Tag))
		}
	}
	for t := 128; t < 256; t++ {
		if p, has := raw[Tag(t)]; has && !declared[Tag(t)] {
			return errorf(name, p.where, "tag", 0, "custom component 0x%02X is not declared in the Directory", t)
		}
	}
	return nil
}

// checkFlags checks that ACC_APPLET and ACC_EXPORT agree with the presence of
// the Applet and Export components (JCVM 3.1 §6.4, Table 6-3).
func checkFlags(name string, raw map[Tag]part, flags Flags) error {
	for _, c := range []struct {
		flag     Flags
		flagName string
		t        Tag
	}{{FlagApplet, "ACC_APPLET", TagApplet}, {FlagExport, "ACC_EXPORT", TagExport}} {
		_, has := raw[c.t]
		if set := flags&c.flag != 0; set != has {
			return errorf(name, raw[TagHeader].where, "flags", 9, "%s is %t but the %s component is %s",
				c.flagName, set, c.t, map[bool]string{true: "present", false: "absent"}[has])
		}
	}
	return nil
}

// checkInstallOffsets checks each applet's install_method_offset against the
// Method component's info (JCVM 3.1 §6.6, §6.9). In a compact CAP file the
// info is u1 handler_count, exception_handler_info[handler_count] (8 bytes
// each), then method_info items of at least a 2-byte header, so the offset
// must fall in [1 + 8·handler_count, len−2]. An extended Method component is
// organised in blocks; there only offset+2 ≤ len is checked.
func checkInstallOffsets(name, where string, applets []Applet, method []byte, ext bool) error {
	lo := 0
	if !ext && len(method) > 0 {
		lo = 1 + 8*int(method[0])
	}
	for i, a := range applets {
		off := int(a.InstallMethodOffset)
		if off < lo || off+2 > len(method) {
			return errorf(name, where, "install_method_offset", -1,
				"applet %d (%X): offset %d is outside the methods of the Method component (%d to %d)",
				i, a.AID, off, lo, len(method)-2)
		}
	}
	return nil
}
