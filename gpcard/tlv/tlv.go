package tlv

import (
	"bytes"
	"fmt"
)

// MaxDepth caps the nesting of constructed data objects Parse descends into.
const MaxDepth = 16

// TLV is one BER data object.
type TLV struct {
	// Tag is the data object's tag.
	Tag Tag
	// Value is the content. Parse fills it for every object, constructed ones
	// included (their encoded children); it is a copy owned by the TLV.
	Value []byte
	// Children holds the parsed content of a constructed object. When it is
	// non-empty, Bytes encodes it instead of Value.
	Children []TLV
}

// New returns a primitive data object holding a copy of value.
func New(tag Tag, value []byte) TLV {
	return TLV{Tag: tag, Value: bytes.Clone(value)}
}

// NewConstructed returns a constructed data object holding children.
func NewConstructed(tag Tag, children ...TLV) TLV {
	return TLV{Tag: tag, Children: children}
}

// Parse decodes data as a sequence of BER-TLV data objects, descending into
// constructed ones (at most MaxDepth levels). It consumes all of data: any
// byte that does not belong to a complete data object is an error naming its
// offset. Empty input gives an empty sequence.
func Parse(data []byte) ([]TLV, error) {
	return parse(data, 0, 0)
}

func parse(data []byte, base, depth int) ([]TLV, error) {
	if depth > MaxDepth {
		return nil, fmt.Errorf("tlv: offset %d: nesting deeper than %d", base, MaxDepth)
	}
	var out []TLV
	for off := 0; off < len(data); {
		t, n, err := parseOne(data[off:], base+off, depth)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
		off += n
	}
	return out, nil
}

// parseOne decodes the data object at the start of b; base is the offset of
// b within the caller's input, for error messages.
func parseOne(b []byte, base, depth int) (TLV, int, error) {
	tag, tn, err := ReadTag(b)
	if err != nil {
		return TLV{}, 0, fmt.Errorf("tlv: offset %d: %w", base, err)
	}
	l, ln, err := ReadLength(b[tn:])
	if err != nil {
		return TLV{}, 0, fmt.Errorf("tlv: offset %d: tag %s: %w", base+tn, tag, err)
	}
	start := tn + ln
	if l > len(b)-start {
		return TLV{}, 0, fmt.Errorf("tlv: offset %d: tag %s: value of %d bytes: %w", base+start, tag, l, ErrTruncated)
	}
	t := TLV{Tag: tag, Value: bytes.Clone(b[start : start+l])}
	if t.Value == nil {
		t.Value = []byte{}
	}
	if tag.Constructed() {
		t.Children, err = parse(t.Value, base+start, depth+1)
		if err != nil {
			return TLV{}, 0, err
		}
	}
	return t, start + l, nil
}

// ParseSingle decodes data that must hold exactly one data object with the
// given tag, e.g. a GET DATA response.
func ParseSingle(data []byte, tag Tag) (TLV, error) {
	list, err := Parse(data)
	if err != nil {
		return TLV{}, err
	}
	if len(list) != 1 {
		return TLV{}, fmt.Errorf("tlv: expected one data object %s, found %d", tag, len(list))
	}
	if list[0].Tag != tag {
		return TLV{}, fmt.Errorf("tlv: offset 0: expected tag %s, found %s", tag, list[0].Tag)
	}
	return list[0], nil
}

// Append appends the encoding of t to b with minimal lengths.
func (t TLV) Append(b []byte) []byte {
	b = append(b, t.Tag.Bytes()...)
	if len(t.Children) == 0 {
		b = AppendLength(b, len(t.Value))
		return append(b, t.Value...)
	}
	var content []byte
	for _, c := range t.Children {
		content = c.Append(content)
	}
	b = AppendLength(b, len(content))
	return append(b, content...)
}

// Bytes returns the encoding of t with minimal lengths.
func (t TLV) Bytes() []byte { return t.Append(nil) }

// Encode returns the concatenated encodings of list.
func Encode(list ...TLV) []byte {
	var b []byte
	for _, t := range list {
		b = t.Append(b)
	}
	return b
}

// Find returns the first data object reached by following path: the first
// tag is looked up in list, each further tag among the children of the
// previous match.
func Find(list []TLV, path ...Tag) (TLV, bool) {
	if len(path) == 0 {
		return TLV{}, false
	}
	for _, t := range list {
		if t.Tag != path[0] {
			continue
		}
		if len(path) == 1 {
			return t, true
		}
		return Find(t.Children, path[1:]...)
	}
	return TLV{}, false
}

// Find looks path up among the children of t; see the package-level Find.
func (t TLV) Find(path ...Tag) (TLV, bool) { return Find(t.Children, path...) }

// FindAll returns every data object of list with the given tag, in order.
func FindAll(list []TLV, tag Tag) []TLV {
	var out []TLV
	for _, t := range list {
		if t.Tag == tag {
			out = append(out, t)
		}
	}
	return out
}
