package cap

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"
)

// Size limits that bound the memory a hostile input can make the reader use.
const (
	MaxFileSize          = 32 << 20   // bytes Open reads from disk
	MaxEntrySize         = 8 << 20    // uncompressed bytes of one ZIP component entry
	MaxTotalUncompressed = 16<<20 - 1 // uncompressed bytes read from one ZIP, or an IJC's length; fits a 3-byte BER length
)

// part is one raw component: its bytes (tag, size, info) and where it came from.
type part struct {
	where string
	data  []byte
}

// Open reads and parses the CAP file at path, in either form (see [Parse]).
// Files larger than MaxFileSize are refused with an error matching ErrTooLarge.
func Open(name string) (*File, error) {
	fh, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("cap: %w", err)
	}
	defer fh.Close()
	data, err := io.ReadAll(io.LimitReader(fh, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("cap: reading %s: %w", name, err)
	}
	if len(data) > MaxFileSize {
		return nil, &FormatError{File: name, Offset: -1, Err: ErrTooLarge,
			Reason: fmt.Sprintf("file larger than %d bytes", MaxFileSize)}
	}
	return Parse(name, data)
}

// Parse parses a CAP file in the JAR form (data starts with a ZIP local file
// header, "PK\x03\x04", or is an empty ZIP) or else in the IJC form. name is
// used only in error messages. The returned File does not alias data.
func Parse(name string, data []byte) (*File, error) {
	if bytes.HasPrefix(data, []byte("PK\x03\x04")) || bytes.HasPrefix(data, []byte("PK\x05\x06")) {
		return ParseCAP(name, data)
	}
	return ParseIJC(name, data)
}

// ParseCAP parses the JAR/ZIP form. Component entries are those named
// <dir>/javacard/<name>.cap or .capx (case-insensitive), all in one directory;
// each is identified by its tag byte, not its name, and must hold exactly one
// component. Other entries are ignored and never decompressed. Each entry may
// decompress to at most MaxEntrySize bytes and all of them together to
// MaxTotalUncompressed; beyond that the error matches ErrTooLarge.
func ParseCAP(name string, data []byte) (*File, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return nil, errorf(name, "", "", -1, "not a ZIP/JAR archive: %v", err)
	}
	raw := map[Tag]part{}
	dir, total := "", 0
	for _, zf := range zr.File {
		lower := strings.ToLower(zf.Name)
		ext := path.Ext(lower)
		if (ext != ".cap" && ext != ".capx") || path.Base(path.Dir(lower)) != "javacard" {
			continue
		}
		if d := path.Dir(lower); dir == "" {
			dir = d
		} else if d != dir {
			return nil, errorf(name, zf.Name, "", -1, "component entries in two directories (%s and %s)", dir, d)
		}
		b, err := readEntry(name, zf, MaxTotalUncompressed-total)
		if err != nil {
			return nil, err
		}
		total += len(b)
		if len(b) == 0 {
			return nil, errorf(name, zf.Name, "tag", 0, "empty component entry")
		}
		t := Tag(b[0])
		if t == 0 || (t > TagStaticResources && !t.Custom()) {
			return nil, errorf(name, zf.Name, "tag", 0, "unknown component tag %d", b[0])
		}
		if prev, dup := raw[t]; dup {
			return nil, errorf(name, zf.Name, "tag", 0, "second %s component (first in %s)", t, prev.where)
		}
		raw[t] = part{where: zf.Name, data: b}
	}
	if len(raw) == 0 {
		return nil, errorf(name, "", "", -1, "no CAP components (no entries named */javacard/*.cap)")
	}
	h, ok := raw[TagHeader]
	if !ok {
		return nil, errorf(name, "", "", -1, "missing mandatory component Header")
	}
	hdr, err := parseHeader(name, h.where, info(h.data, 2))
	if err != nil {
		return nil, checkSize(name, h, false, err)
	}
	for t := range 256 {
		if p, ok := raw[Tag(t)]; ok {
			if err := checkSize(name, p, u4Size(Tag(t), hdr.flags&FlagExtended != 0), nil); err != nil {
				return nil, err
			}
		}
	}
	return build(name, FormJAR, raw, hdr)
}

// readEntry decompresses one ZIP entry, refusing more than MaxEntrySize bytes
// or more than the remaining total budget.
func readEntry(name string, zf *zip.File, budget int) ([]byte, error) {
	limit, what := MaxEntrySize, fmt.Sprintf("entry larger than %d bytes", MaxEntrySize)
	if budget < limit {
		limit, what = budget, fmt.Sprintf("ZIP decompresses to more than %d bytes in total", MaxTotalUncompressed)
	}
	tooLarge := &FormatError{File: name, Component: zf.Name, Offset: -1, Reason: what, Err: ErrTooLarge}
	if zf.UncompressedSize64 > uint64(limit) {
		return nil, tooLarge
	}
	rc, err := zf.Open()
	if err != nil {
		return nil, errorf(name, zf.Name, "", -1, "opening ZIP entry: %v", err)
	}
	defer rc.Close()
	// Room for the declared size plus one read, so an honest entry is read
	// without regrowing; archive/zip fails an entry longer than declared, and
	// the LimitReader bounds it regardless.
	buf := bytes.NewBuffer(make([]byte, 0, int(zf.UncompressedSize64)+bytes.MinRead))
	_, err = buf.ReadFrom(io.LimitReader(rc, int64(limit)+1))
	b := buf.Bytes()
	if len(b) > limit {
		return nil, tooLarge
	}
	if err != nil {
		return nil, errorf(name, zf.Name, "", -1, "reading ZIP entry: %v", err)
	}
	return b, nil
}

// info returns the info of a component whose size item is sizeLen bytes.
func info(comp []byte, sizeLen int) []byte {
	if len(comp) < 1+sizeLen {
		return nil
	}
	return comp[1+sizeLen:]
}

// checkSize checks that a ZIP entry holds exactly one component: its size item
// equals the number of info bytes. cause, if not nil, is returned when the
// sizes agree (so a Header error is reported after a size mismatch).
func checkSize(name string, p part, u4 bool, cause error) error {
	n := 3
	if u4 {
		n = 5
	}
	if len(p.data) < n {
		return errorf(name, p.where, "size", 1, "truncated: component of %d bytes has no complete size item", len(p.data))
	}
	size := uint32(p.data[1])<<8 | uint32(p.data[2])
	if u4 {
		size = uint32(p.data[1])<<24 | uint32(p.data[2])<<16 | uint32(p.data[3])<<8 | uint32(p.data[4])
	}
	if int64(size) != int64(len(p.data)-n) {
		return errorf(name, p.where, "size", 1, "size item says %d bytes but the entry holds %d", size, len(p.data)-n)
	}
	return cause
}

// ParseIJC parses the IJC form: components concatenated, the Header first.
// Inputs longer than MaxTotalUncompressed are refused (ErrTooLarge).
func ParseIJC(name string, data []byte) (*File, error) {
	if len(data) > MaxTotalUncompressed {
		return nil, &FormatError{File: name, Offset: -1, Err: ErrTooLarge,
			Reason: fmt.Sprintf("IJC larger than %d bytes", MaxTotalUncompressed)}
	}
	var hdr header
	raw := map[Tag]part{}
	for off := 0; off < len(data); {
		t := Tag(data[off])
		where := fmt.Sprintf("%s component (IJC offset %d)", t, off)
		if off == 0 && t != TagHeader {
			return nil, errorf(name, "IJC", "tag", 0, "first component has tag %d, want Header (1)", data[0])
		}
		if t == 0 || (t > TagStaticResources && !t.Custom()) {
			return nil, errorf(name, "IJC", "tag", off, "unknown component tag %d", data[off])
		}
		if prev, dup := raw[t]; dup {
			return nil, errorf(name, where, "tag", 0, "second %s component (first at %s)", t, prev.where)
		}
		u4 := u4Size(t, hdr.flags&FlagExtended != 0)
		n := 3
		if u4 {
			n = 5
		}
		if len(data)-off < n {
			return nil, errorf(name, where, "size", 1, "truncated: %d bytes left, size item needs %d", len(data)-off-1, n-1)
		}
		p := part{where: where, data: data[off : off+n]}
		size := int64(0)
		for _, b := range p.data[1:] {
			size = size<<8 | int64(b)
		}
		if size > int64(len(data)-off-n) {
			return nil, errorf(name, where, "size", 1, "size item says %d bytes but only %d remain", size, len(data)-off-n)
		}
		p.data = bytes.Clone(data[off : off+n+int(size)])
		raw[t] = p
		if t == TagHeader {
			var err error
			if hdr, err = parseHeader(name, where, p.data[3:]); err != nil {
				return nil, err
			}
		}
		off += n + int(size)
	}
	if len(raw) == 0 {
		return nil, errorf(name, "IJC", "", -1, "empty input")
	}
	return build(name, FormIJC, raw, hdr)
}
