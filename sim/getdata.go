package sim

import (
	"github.com/cardhost/cardhost/gpcard/sw"
	"github.com/cardhost/cardhost/gpcard/tlv"
	"github.com/cardhost/cardhost/sim/image"
)

// GlobalPlatform OID prefix 1.2.840.114283 (GPCS 2.3.1 §H.2, Table H-1).
var gpOID = []byte{0x2A, 0x86, 0x48, 0x86, 0xFC, 0x6B}

func oid(suffix ...byte) []byte { return append(append([]byte{}, gpOID...), suffix...) }

// recognitionData is the content of tag 73, Card Recognition Data for the
// ISD or Security Domain Management Data for an SSD (GPCS 2.3.1 §H.2, Table
// H-1): 06 {GP RID OID .1}, 60 {06 GP version OID .2.v.v.v}, 63 {06 card
// identification scheme .3}, 64 {06 SCP OID .4.scp.i}.
func (c *Card) recognitionData(sd *image.App) []byte {
	v := c.state.Config.GPVersion
	ver := oid(2, v[0], v[1])
	if v[2] != 0 {
		ver = append(ver, v[2])
	}
	return tlv.Encode(
		tlv.New(0x06, oid(1)),
		tlv.NewConstructed(0x60, tlv.New(0x06, ver)),
		tlv.NewConstructed(0x63, tlv.New(0x06, oid(3))),
		tlv.NewConstructed(0x64, tlv.New(0x06, oid(4, sd.Domain.SCP, sd.Domain.I))),
	)
}

// getData handles GET DATA (GPCS 2.3.1 §11.3, Table 11-28; data objects per
// shared/spec/gp-card.md §1.4). P1P2 is the tag. Unknown or absent objects
// answer 6A88.
func (c *Card) getData(ch *channel, sd *image.App, cmd command) ([]byte, uint16) {
	tag := tlv.Tag(uint32(cmd.p1)<<8 | uint32(cmd.p2))
	if cmd.p1 == 0 {
		tag = tlv.Tag(cmd.p2)
	}
	s := c.state
	d := sd.Domain
	var value []byte
	switch tag {
	case 0x9F7F: // CPLC
		value = s.CPLC
	case 0x42: // IIN (ISD) or SD Provider Identification Number
		value = d.IIN
	case 0x45: // CIN (ISD) or SD Image Number
		value = d.CIN
	case 0x66: // Card Data / SD Management Data: 66 { 73 {...} }
		return tlv.NewConstructed(0x66, tlv.New(0x73, c.recognitionData(sd))).Bytes(), swOK
	case 0x67: // Card Capability Information (ISD only)
		if !isISD(s, sd.AID) {
			return nil, sw.ReferencedDataNotFound
		}
		return tlv.New(0x67, c.capabilities()).Bytes(), swOK
	case 0xE0: // Key Information Template
		return tlv.New(0xE0, keyInformation(d)).Bytes(), swOK
	case 0xC1: // sequence counter of the default key set
		if len(d.KeySets) == 0 {
			return nil, sw.ReferencedDataNotFound
		}
		n := d.KeySets[0].Counter
		if d.SCP == 0x03 {
			value = []byte{byte(n >> 16), byte(n >> 8), byte(n)}
		} else {
			value = []byte{byte(n >> 8), byte(n)}
		}
	case 0xC2: // confirmation counter of an SD with Receipt Generation
		if !has(sd.Privileges[2], privReceiptGen) {
			return nil, sw.ReferencedDataNotFound
		}
		return tlv.New(0xC2, []byte{byte(d.Confirmations >> 8), byte(d.Confirmations)}).Bytes(), swOK
	case 0xCF: // Key Diversification Data
		value = s.KDD
	case 0x2F00:
		// List of applications as EF.DIR-style records, 61 { 4F AID } each
		// (ISO/IEC 7816-4 §8.2.1.1): 2F00 is a file identifier, not a BER
		// tag, so the records are not wrapped.
		var apps []tlv.TLV
		for i := range s.Apps {
			if a := &s.Apps[i]; !a.IsSD() && a.Selectable() {
				apps = append(apps, tlv.NewConstructed(0x61, tlv.New(0x4F, a.AID)))
			}
		}
		if len(apps) == 0 {
			return nil, sw.ReferencedDataNotFound
		}
		return tlv.Encode(apps...), swOK
	case 0xFF21: // extended card resources (ETSI TS 102 226 §8.2.1.7.2)
		return tlv.NewConstructed(0xFF21,
			tlv.New(0x81, minimalInt(len(s.Apps)-1)),
			tlv.New(0x82, minimalInt(s.MemoryFree())),
			tlv.New(0x83, minimalInt(volatileFree)),
		).Bytes(), swOK
	default:
		return nil, sw.ReferencedDataNotFound
	}
	if len(value) == 0 {
		return nil, sw.ReferencedDataNotFound
	}
	return tlv.New(tag, value).Bytes(), swOK
}

// volatileFree is the free RAM reported in FF21 (the simulator has no RAM
// accounting).
const volatileFree = 4096

// keyInformation returns the Key Information Data of every key of d: C0 {KID,
// KVN, type, length} in basic format (GPCS 2.3.1 §11.3.3.1, Table 11-31).
func keyInformation(d *image.Domain) []byte {
	var out []tlv.TLV
	for _, ks := range d.KeySets {
		for _, k := range ks.Keys {
			out = append(out, tlv.New(0xC0, []byte{k.ID, ks.KVN, k.Type, byte(len(k.Value))}))
		}
	}
	return tlv.Encode(out...)
}

// capabilities is the Card Capability Information (GPCS 2.3.1 §H.4; the
// exact sub-tags are derived from GlobalPlatformPro's "Card Capabilities"
// dump, shared/spec/clients.md §1.3, and should be checked against H.4):
// A0 {80 SCP, 81 supported i values} per protocol, 81 SD privileges and 82
// application privileges supported, 83 LFDB hash algorithms (01 SHA-1, 02
// SHA-256, 03 SHA-384, 04 SHA-512).
func (c *Card) capabilities() []byte {
	return tlv.Encode(
		tlv.NewConstructed(0xA0, tlv.New(0x80, []byte{0x02}), tlv.New(0x81, scp02Options)),
		tlv.NewConstructed(0xA0, tlv.New(0x80, []byte{0x03}), tlv.New(0x81, scp03Options)),
		tlv.New(0x81, []byte{0xFF, 0xFE, 0xF0}),
		tlv.New(0x82, []byte{0x1F, 0xFE, 0x00}),
		tlv.New(0x83, []byte{0x01, 0x02, 0x03, 0x04}),
	)
}

// Implementation options accepted for SSDs (shared/DESIGN.md protocol scope):
// for SCP03 each option also in S16 mode, i b1 = 1 (Amd D Table 5-1), which
// sim/scp/scp03card implements.
var (
	scp02Options = []byte{0x04, 0x05, 0x0A, 0x0B, 0x14, 0x15, 0x1A, 0x1B, 0x44, 0x45, 0x54, 0x55}
	scp03Options = []byte{0x00, 0x01, 0x10, 0x11, 0x20, 0x21, 0x30, 0x31, 0x60, 0x61, 0x70, 0x71}
)
