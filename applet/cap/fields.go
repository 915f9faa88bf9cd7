package cap

import "golang.org/x/crypto/cryptobyte"

// fields reads the big-endian items of one component (JCVM 3.1 §6: u1, u2, u4
// are 1, 2 and 4 bytes, high byte first) and keeps the first error, so a
// parser can read a whole structure and check once.
type fields struct {
	file, comp string
	s          cryptobyte.String
	n          int // length of the data being read
	base       int // offset of that data within the component, for messages
	err        *FormatError
}

func newFields(file, comp string, data []byte, base int) *fields {
	return &fields{file: file, comp: comp, s: cryptobyte.String(data), n: len(data), base: base}
}

// off is the component offset of the next unread byte.
func (f *fields) off() int { return f.base + f.n - len(f.s) }

func (f *fields) fail(field, format string, a ...any) {
	if f.err == nil {
		f.err = errorf(f.file, f.comp, field, f.off(), format, a...)
	}
}

func (f *fields) truncated(field string, need int) {
	f.fail(field, "truncated: need %d bytes, %d left", need, len(f.s))
}

func (f *fields) u8(field string) uint8 {
	var v uint8
	if f.err == nil && !f.s.ReadUint8(&v) {
		f.truncated(field, 1)
	}
	return v
}

func (f *fields) u16(field string) uint16 {
	var v uint16
	if f.err == nil && !f.s.ReadUint16(&v) {
		f.truncated(field, 2)
	}
	return v
}

func (f *fields) u32(field string) uint32 {
	var v uint32
	if f.err == nil && !f.s.ReadUint32(&v) {
		f.truncated(field, 4)
	}
	return v
}

// bytes reads n bytes and returns a copy.
func (f *fields) bytes(field string, n int) []byte {
	var v []byte
	if f.err == nil && !f.s.ReadBytes(&v, n) {
		f.truncated(field, n)
		return nil
	}
	return append([]byte(nil), v...)
}

// aid reads "u1 AID_length, u1 AID[AID_length]" and checks 5 ≤ length ≤ 16
// (ISO 7816-5; JCVM 3.1 §6.4 package_info). allowEmpty accepts length 0, as
// for the private packages of an extended CAP file.
func (f *fields) aid(field string, allowEmpty bool) []byte {
	at := f.off()
	n := int(f.u8(field + " AID_length"))
	if f.err != nil || (allowEmpty && n == 0) {
		return nil
	}
	if n < 5 || n > 16 {
		f.err = errorf(f.file, f.comp, field+" AID_length", at, "AID length %d, want 5 to 16", n)
		return nil
	}
	return f.bytes(field+" AID", n)
}

// end fails unless every byte was read: a structure must fill its size exactly.
func (f *fields) end(what string) {
	if f.err == nil && len(f.s) != 0 {
		f.fail(what, "%d unexpected bytes after the last item", len(f.s))
	}
}
