package command

import (
	"fmt"

	"github.com/cardhost/cardhost/gpcard/tlv"
	"github.com/skythen/apdu"
	"golang.org/x/crypto/cryptobyte"
)

// StatusScope is GET STATUS P1: which registry entries to list (GPCS 2.3.1
// §11.4.2.1, Table 11-33).
type StatusScope byte

// GET STATUS scopes.
const (
	ScopeISD                StatusScope = 0x80 // issuer security domain
	ScopeApps               StatusScope = 0x40 // applications and SSDs
	ScopeLoadFiles          StatusScope = 0x20 // executable load files
	ScopeLoadFilesAndModule StatusScope = 0x10 // load files and their modules
)

// StatusFormat is the response format of GET STATUS P2 (GPCS 2.3.1
// §11.4.2.2, Table 11-34); the zero value is unset.
type StatusFormat int

// GET STATUS response formats.
const (
	FormatTLV    StatusFormat = iota + 1 // P2 b2 set: E3 templates (GP 2.2+)
	FormatLegacy                         // P2 b2 clear: GP 2.1.1 fixed layout, deprecated
)

// maxRegistryEntries caps the entries one GET STATUS response may hold.
const maxRegistryEntries = 1024

// GetStatus returns GET STATUS: 80 F2 <scope> <P2> Lc 4F <len> <aid> 00.
// P2 is 02 (TLV format) or 00 (legacy), with b1 set (03 / 01) when next asks
// for the next occurrences after a 6310 answer (GPCS 2.3.1 Table 11-34). An
// empty aid (4F 00) matches every entry.
func GetStatus(scope StatusScope, f StatusFormat, next bool, aid []byte) (apdu.Capdu, error) {
	switch scope {
	case ScopeISD, ScopeApps, ScopeLoadFiles, ScopeLoadFilesAndModule:
	default:
		return apdu.Capdu{}, fmt.Errorf("GET STATUS: invalid scope %02X", byte(scope))
	}
	var p2 byte
	switch f {
	case FormatTLV:
		p2 = 0x02
	case FormatLegacy:
	default:
		return apdu.Capdu{}, fmt.Errorf("GET STATUS: format unset")
	}
	if next {
		p2 |= 0x01
	}
	if len(aid) > 16 {
		return apdu.Capdu{}, fmt.Errorf("GET STATUS: search AID of %d bytes exceeds 16", len(aid))
	}
	data := tlv.New(0x4F, aid).Bytes() // GPCS 2.3.1 §11.4.2.3: search criteria 4F
	return apdu.Capdu{Cla: claGP, Ins: insGetStatus, P1: byte(scope), P2: p2, Data: data, Ne: neMax}, nil
}

// RegistryEntry is one entry of the GlobalPlatform registry as GET STATUS
// reports it (GPCS 2.3.1 §11.4.3, Table 11-38 and the legacy §11.4.3.1).
type RegistryEntry struct {
	// Kind is derived from the scope and, for applications, the Security
	// Domain privilege.
	Kind Kind
	// AID of the entry (4F).
	AID []byte
	// LifeCycle is the life-cycle state (9F70, first byte).
	LifeCycle byte
	// Privileges (C5); 1-byte fields leave bytes 2 and 3 zero.
	Privileges Privileges
	// LoadFile is the executable load file AID (C4), nil when absent.
	LoadFile []byte
	// Version is the load file version (CE), nil when absent.
	Version []byte
	// AssociatedSD is the associated security domain AID (CC), nil when absent.
	AssociatedSD []byte
	// Modules are the executable module AIDs (84) of a load file.
	Modules [][]byte
	// ImplicitSelection holds the implicit selection parameters (CF), one
	// byte each.
	ImplicitSelection []byte
}

// ParseGetStatus parses the data of one GET STATUS response for scope in
// format f. The TLV format is a sequence of E3 templates (GPCS 2.3.1 Table
// 11-38; unknown tags such as the ETSI EA template are skipped); the legacy
// format is a sequence of fixed records (GPCS 2.3.1 §11.4.3.1). Paging (6310) is the
// caller's: parse each page separately.
func ParseGetStatus(data []byte, scope StatusScope, f StatusFormat) ([]RegistryEntry, error) {
	switch f {
	case FormatTLV:
		return parseStatusTLV(data, scope)
	case FormatLegacy:
		return parseStatusLegacy(data, scope)
	}
	return nil, fmt.Errorf("GET STATUS: format unset")
}

func kindFor(scope StatusScope, p Privileges) Kind {
	switch scope {
	case ScopeISD:
		return KindISD
	case ScopeApps:
		if p[0]&0x80 != 0 {
			return KindSSD
		}
		return KindApp
	}
	return KindPkg
}

func parseStatusTLV(data []byte, scope StatusScope) ([]RegistryEntry, error) {
	list, err := tlv.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("GET STATUS: %w", err)
	}
	if len(list) > maxRegistryEntries {
		return nil, fmt.Errorf("GET STATUS: more than %d entries", maxRegistryEntries)
	}
	out := make([]RegistryEntry, 0, len(list))
	for i, t := range list {
		if t.Tag != 0xE3 {
			return nil, fmt.Errorf("GET STATUS: entry %d: tag %s, want E3", i, t.Tag)
		}
		e, err := parseE3(t)
		if err != nil {
			return nil, fmt.Errorf("GET STATUS: entry %d: %w", i, err)
		}
		e.Kind = kindFor(scope, e.Privileges)
		out = append(out, e)
	}
	return out, nil
}

func parseE3(t tlv.TLV) (RegistryEntry, error) {
	var e RegistryEntry
	var seenAID, seenLCS bool
	for _, c := range t.Children {
		switch c.Tag {
		case 0x4F:
			if err := checkAID("tag 4F", c.Value, false); err != nil {
				return e, err
			}
			e.AID, seenAID = clone(c.Value), true
		case 0x9F70:
			if len(c.Value) != 1 && len(c.Value) != 2 {
				return e, fmt.Errorf("tag 9F70: length %d, want 1 or 2", len(c.Value))
			}
			e.LifeCycle, seenLCS = c.Value[0], true
		case 0xC5:
			p, err := ParsePrivileges(c.Value)
			if err != nil {
				return e, fmt.Errorf("tag C5: %w", err)
			}
			e.Privileges = p
		case 0xC4:
			if err := checkAID("tag C4", c.Value, false); err != nil {
				return e, err
			}
			e.LoadFile = clone(c.Value)
		case 0xCE:
			e.Version = clone(c.Value)
		case 0xCC:
			if err := checkAID("tag CC", c.Value, false); err != nil {
				return e, err
			}
			e.AssociatedSD = clone(c.Value)
		case 0x84:
			if err := checkAID("tag 84", c.Value, false); err != nil {
				return e, err
			}
			e.Modules = append(e.Modules, clone(c.Value))
		case 0xCF:
			if len(c.Value) != 1 {
				return e, fmt.Errorf("tag CF: length %d, want 1", len(c.Value))
			}
			e.ImplicitSelection = append(e.ImplicitSelection, c.Value[0])
		}
	}
	if !seenAID || !seenLCS {
		return e, fmt.Errorf("tag 4F or 9F70 missing")
	}
	return e, nil
}

func parseStatusLegacy(data []byte, scope StatusScope) ([]RegistryEntry, error) {
	in := cryptobyte.String(data)
	var out []RegistryEntry
	for !in.Empty() {
		off := len(data) - len(in)
		if len(out) >= maxRegistryEntries {
			return nil, fmt.Errorf("GET STATUS: more than %d entries", maxRegistryEntries)
		}
		// GPCS 2.3.1 §11.4.3.1 (legacy): len AID, AID, life cycle, privileges (1);
		// with P1=10 followed by the number of modules and LV module AIDs.
		var aid cryptobyte.String
		var e RegistryEntry
		if !in.ReadUint8LengthPrefixed(&aid) || !in.ReadUint8(&e.LifeCycle) || !in.ReadUint8(&e.Privileges[0]) {
			return nil, fmt.Errorf("GET STATUS: offset %d: entry %d truncated", off, len(out))
		}
		if err := checkAID(fmt.Sprintf("GET STATUS: offset %d: AID", off), aid, false); err != nil {
			return nil, err
		}
		e.AID = clone(aid)
		if scope == ScopeLoadFilesAndModule {
			var n uint8
			if !in.ReadUint8(&n) {
				return nil, fmt.Errorf("GET STATUS: offset %d: number of modules: %w", len(data)-len(in), tlv.ErrTruncated)
			}
			for range n {
				moff := len(data) - len(in)
				var m cryptobyte.String
				if !in.ReadUint8LengthPrefixed(&m) {
					return nil, fmt.Errorf("GET STATUS: offset %d: module AID: %w", moff, tlv.ErrTruncated)
				}
				if err := checkAID(fmt.Sprintf("GET STATUS: offset %d: module AID", moff), m, false); err != nil {
					return nil, err
				}
				e.Modules = append(e.Modules, clone(m))
			}
		}
		e.Kind = kindFor(scope, e.Privileges)
		out = append(out, e)
	}
	return out, nil
}

// EncodeGetStatus encodes entries as GET STATUS response data in format f,
// the inverse of ParseGetStatus (fields are written in the order of GPCS
// 2.3.1 Table 11-38; the legacy form keeps only privilege byte 1).
func EncodeGetStatus(entries []RegistryEntry, scope StatusScope, f StatusFormat) []byte {
	var b []byte
	for _, e := range entries {
		if f == FormatLegacy {
			b = append(b, byte(len(e.AID)))
			b = append(b, e.AID...)
			b = append(b, e.LifeCycle, e.Privileges[0])
			if scope == ScopeLoadFilesAndModule {
				b = append(b, byte(len(e.Modules)))
				for _, m := range e.Modules {
					b = append(append(b, byte(len(m))), m...)
				}
			}
			continue
		}
		kids := []tlv.TLV{tlv.New(0x4F, e.AID), tlv.New(0x9F70, []byte{e.LifeCycle})}
		if scope == ScopeISD || scope == ScopeApps {
			kids = append(kids, tlv.New(0xC5, e.Privileges[:]))
		}
		for _, s := range e.ImplicitSelection {
			kids = append(kids, tlv.New(0xCF, []byte{s}))
		}
		opt := []struct {
			tag tlv.Tag
			v   []byte
		}{{0xC4, e.LoadFile}, {0xCE, e.Version}, {0xCC, e.AssociatedSD}}
		for _, o := range opt {
			if o.v != nil {
				kids = append(kids, tlv.New(o.tag, o.v))
			}
		}
		for _, m := range e.Modules {
			kids = append(kids, tlv.New(0x84, m))
		}
		b = tlv.NewConstructed(0xE3, kids...).Append(b)
	}
	return b
}
