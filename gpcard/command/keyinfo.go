package command

import (
	"fmt"

	"github.com/cardhost/cardhost/gpcard/tlv"
)

// maxKeyComponents caps the components read for one key.
const maxKeyComponents = 16

// KeyComponent is one (type, length) pair of a key information entry.
type KeyComponent struct {
	// Type is the key type (GPCS 2.3.1 Table 11-16), e.g. 80 DES, 88 AES.
	Type byte
	// Length is the key (component) length in bytes.
	Length int
}

// KeyInfo is one C0 entry of the Key Information Template (GPCS 2.3.1
// §11.3.3.1, Tables 11-32 basic and 11-33 extended).
type KeyInfo struct {
	// ID is the key identifier and Version the key version number.
	ID, Version byte
	// Components lists the key components.
	Components []KeyComponent
	// Extended reports the extended format (type FF xx, 2-byte lengths).
	Extended bool
	// Usage and Access are the extended format's key usage and access
	// fields, nil in the basic format.
	Usage, Access []byte
}

// ParseKeyInfo parses a GET DATA E0 response: E0 { C0 {…}… }. The basic
// (GP 2.1) form is KID KVN {type len}…; the extended (GP 2.2+) form is KID
// KVN {FF type len(2)}… LV(usage) LV(access). Empty C0 entries (a fresh SSD)
// are skipped; other tags are tolerated.
func ParseKeyInfo(data []byte) ([]KeyInfo, error) {
	t, err := tlv.ParseSingle(data, 0xE0)
	if err != nil {
		return nil, fmt.Errorf("key information: %w", err)
	}
	var out []KeyInfo
	for i, c := range tlv.FindAll(t.Children, 0xC0) {
		if len(c.Value) == 0 {
			continue
		}
		k, err := parseKeyEntry(c.Value)
		if err != nil {
			return nil, fmt.Errorf("key information: entry %d: %w", i, err)
		}
		out = append(out, k)
	}
	return out, nil
}

func parseKeyEntry(v []byte) (KeyInfo, error) {
	if len(v) < 4 {
		return KeyInfo{}, fmt.Errorf("%d bytes, want at least 4", len(v))
	}
	k := KeyInfo{ID: v[0], Version: v[1], Extended: v[2] == 0xFF}
	off := 2
	for off < len(v) {
		if len(k.Components) >= maxKeyComponents {
			return KeyInfo{}, fmt.Errorf("more than %d components", maxKeyComponents)
		}
		if !k.Extended {
			if len(v)-off < 2 {
				return KeyInfo{}, fmt.Errorf("offset %d: component: %w", off, tlv.ErrTruncated)
			}
			k.Components = append(k.Components, KeyComponent{Type: v[off], Length: int(v[off+1])})
			off += 2
			continue
		}
		if v[off] != 0xFF {
			break
		}
		if len(v)-off < 4 {
			return KeyInfo{}, fmt.Errorf("offset %d: extended component: %w", off, tlv.ErrTruncated)
		}
		k.Components = append(k.Components, KeyComponent{Type: v[off+1], Length: int(v[off+2])<<8 | int(v[off+3])})
		off += 4
	}
	if !k.Extended {
		return k, nil
	}
	var n int
	var err error
	if k.Usage, n, err = tlv.ReadLV(v[off:]); err != nil {
		return KeyInfo{}, fmt.Errorf("offset %d: key usage: %w", off, err)
	}
	off += n
	if k.Access, n, err = tlv.ReadLV(v[off:]); err != nil {
		return KeyInfo{}, fmt.Errorf("offset %d: key access: %w", off, err)
	}
	if off+n != len(v) {
		return KeyInfo{}, fmt.Errorf("offset %d: %d trailing bytes", off+n, len(v)-off-n)
	}
	return k, nil
}
