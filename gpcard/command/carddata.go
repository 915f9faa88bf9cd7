package command

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/cardhost/cardhost/gpcard/tlv"
)

// GlobalPlatform OID arcs under 1.2.840.114283 (GPCS 2.3.1 §H.2, Table H-1).
const (
	oidGP       = "1.2.840.114283"
	oidGPCard   = oidGP + ".1"
	oidVersion  = oidGP + ".2."
	oidSCPArc   = oidGP + ".4."
	maxOIDArcs  = 32
	maxCardSCPs = 32
)

// SCPOption is one supported secure channel protocol and its "i" option.
type SCPOption struct {
	// SCP is the protocol identifier, e.g. 0x02 or 0x03.
	SCP uint32
	// I is the implementation option, e.g. 0x15 or 0x70.
	I uint32
}

// String prints the option the way gp -i does: "SCP02 i=15".
func (o SCPOption) String() string { return fmt.Sprintf("SCP%02X i=%02X", o.SCP, o.I) }

// CardData is the card recognition data (GET DATA 66, or SELECT FCI A5/73)
// (GPCS 2.3.1 §H.2, Table H-1).
type CardData struct {
	// GPCard reports whether tag 06 names 1.2.840.114283.1 (a GP card).
	GPCard bool
	// Version is the GlobalPlatform version from tag 60, e.g. "2.2.3", and
	// VersionOID the full OID; both empty when absent.
	Version, VersionOID string
	// SCPs lists the supported secure channel protocols from tags 64, in
	// order.
	SCPs []SCPOption
	// ConfigurationOID (tag 65) and ChipOID (tag 66) are card configuration
	// and chip details, empty when absent.
	ConfigurationOID, ChipOID string
}

// ParseCardData parses a GET DATA 66 response: 66 { 73 { 06 …, 60 { 06 … },
// 63 { 06 … }, 64 { 06 … }…, 65 { 06 … }, 66 { 06 … }, … } }. Unknown tags
// inside 73 are tolerated; every OID must decode.
func ParseCardData(data []byte) (CardData, error) {
	t, err := tlv.ParseSingle(data, 0x66)
	if err != nil {
		return CardData{}, fmt.Errorf("card data: %w", err)
	}
	if len(t.Children) != 1 || t.Children[0].Tag != 0x73 {
		return CardData{}, fmt.Errorf("card data: offset 2: want exactly one tag 73")
	}
	return parseCardRecognition(t.Children[0])
}

// parseCardRecognition decodes the content of tag 73.
func parseCardRecognition(t tlv.TLV) (CardData, error) {
	var out CardData
	for _, c := range t.Children {
		var oid string
		var err error
		if c.Tag == 0x06 {
			oid, err = ParseOID(c.Value)
		} else if c.Tag.Constructed() {
			o, ok := c.Find(0x06)
			if !ok {
				continue
			}
			oid, err = ParseOID(o.Value)
		} else {
			continue
		}
		if err != nil {
			return CardData{}, fmt.Errorf("card data: tag %s: %w", c.Tag, err)
		}
		switch c.Tag {
		case 0x06:
			out.GPCard = oid == oidGPCard
		case 0x60:
			out.VersionOID = oid
			out.Version = strings.TrimPrefix(oid, oidVersion)
		case 0x64:
			o, err := parseSCPOID(oid)
			if err != nil {
				return CardData{}, fmt.Errorf("card data: tag 64: %w", err)
			}
			if len(out.SCPs) >= maxCardSCPs {
				return CardData{}, fmt.Errorf("card data: more than %d SCP entries", maxCardSCPs)
			}
			out.SCPs = append(out.SCPs, o)
		case 0x65:
			out.ConfigurationOID = oid
		case 0x66:
			out.ChipOID = oid
		}
	}
	return out, nil
}

// parseSCPOID reads 1.2.840.114283.4.<scp>.<i>.
func parseSCPOID(oid string) (SCPOption, error) {
	rest, ok := strings.CutPrefix(oid, oidSCPArc)
	if !ok {
		return SCPOption{}, fmt.Errorf("OID %s is not under %s", oid, oidSCPArc[:len(oidSCPArc)-1])
	}
	parts := strings.Split(rest, ".")
	if len(parts) != 2 {
		return SCPOption{}, fmt.Errorf("OID %s: want <scp>.<i>", oid)
	}
	scp, err1 := strconv.ParseUint(parts[0], 10, 32)
	i, err2 := strconv.ParseUint(parts[1], 10, 32)
	if err1 != nil || err2 != nil {
		return SCPOption{}, fmt.Errorf("OID %s: arcs out of range", oid)
	}
	return SCPOption{SCP: uint32(scp), I: uint32(i)}, nil
}

// ParseOID decodes the content octets of an ASN.1 OBJECT IDENTIFIER
// (ISO/IEC 8825-1 §8.19) into dotted form, e.g. 2A864886FC6B01 →
// "1.2.840.114283.1". Arcs are capped at 32 bits and 32 in number.
func ParseOID(b []byte) (string, error) {
	if len(b) == 0 {
		return "", fmt.Errorf("OID: empty")
	}
	var arcs []uint64
	var v uint64
	for i, c := range b {
		if v == 0 && c == 0x80 {
			return "", fmt.Errorf("OID: offset %d: non-minimal arc", i)
		}
		v = v<<7 | uint64(c&0x7F)
		if v > 0xFFFFFFFF {
			return "", fmt.Errorf("OID: offset %d: arc exceeds 32 bits", i)
		}
		if c&0x80 != 0 {
			continue
		}
		if len(arcs) >= maxOIDArcs {
			return "", fmt.Errorf("OID: more than %d arcs", maxOIDArcs)
		}
		arcs = append(arcs, v)
		v = 0
	}
	if b[len(b)-1]&0x80 != 0 {
		return "", fmt.Errorf("OID: offset %d: %w", len(b)-1, tlv.ErrTruncated)
	}
	first := min(arcs[0]/40, 2)
	parts := []string{strconv.FormatUint(first, 10), strconv.FormatUint(arcs[0]-40*first, 10)}
	for _, a := range arcs[1:] {
		parts = append(parts, strconv.FormatUint(a, 10))
	}
	return strings.Join(parts, "."), nil
}

// CardCapability is the Card Capability Information of GET DATA 67
// (GPCS 2.3.1 §H.4, Table H-3). Cipher-suite and algorithm fields are kept
// as the card sends them.
type CardCapability struct {
	// SCPs lists each A0 entry: protocol (80) and supported i values (81).
	SCPs []SCPCapability
	// SSDPrivileges (81) and AppPrivileges (82) are the privileges the card
	// supports for SSDs and applications.
	SSDPrivileges, AppPrivileges Privileges
	// LFDBHashAlgorithms (83), LFDBEncryption (84), TokenCipherSuites (85),
	// ReceiptCipherSuites (86), DAPCipherSuites (87), KeyParameters (88).
	LFDBHashAlgorithms, LFDBEncryption, TokenCipherSuites, ReceiptCipherSuites, DAPCipherSuites, KeyParameters []byte
}

// SCPCapability is one A0 entry of the card capability information.
type SCPCapability struct {
	// SCP is the protocol identifier (tag 80).
	SCP byte
	// Options are the supported i values (tag 81).
	Options []byte
	// KeySizes is the SCP03 supported key sizes bitmap (tag 82), nil when
	// absent.
	KeySizes []byte
}

// ParseCardCapability parses 67 { A0 {80, 81, [82]}…, 81, 82, 83…88 };
// unknown tags are tolerated.
func ParseCardCapability(data []byte) (CardCapability, error) {
	t, err := tlv.ParseSingle(data, 0x67)
	if err != nil {
		return CardCapability{}, fmt.Errorf("card capability: %w", err)
	}
	var out CardCapability
	for _, c := range t.Children {
		switch c.Tag {
		case 0xA0:
			id, ok := c.Find(0x80)
			if !ok || len(id.Value) != 1 {
				return CardCapability{}, fmt.Errorf("card capability: A0: tag 80 (SCP) missing or not 1 byte")
			}
			e := SCPCapability{SCP: id.Value[0]}
			if o, ok := c.Find(0x81); ok {
				e.Options = clone(o.Value)
			}
			if k, ok := c.Find(0x82); ok {
				e.KeySizes = clone(k.Value)
			}
			out.SCPs = append(out.SCPs, e)
		case 0x81, 0x82:
			p, err := ParsePrivileges(c.Value)
			if err != nil {
				return CardCapability{}, fmt.Errorf("card capability: tag %s: %w", c.Tag, err)
			}
			if c.Tag == 0x81 {
				out.SSDPrivileges = p
			} else {
				out.AppPrivileges = p
			}
		case 0x83:
			out.LFDBHashAlgorithms = clone(c.Value)
		case 0x84:
			out.LFDBEncryption = clone(c.Value)
		case 0x85:
			out.TokenCipherSuites = clone(c.Value)
		case 0x86:
			out.ReceiptCipherSuites = clone(c.Value)
		case 0x87:
			out.DAPCipherSuites = clone(c.Value)
		case 0x88:
			out.KeyParameters = clone(c.Value)
		}
	}
	return out, nil
}
