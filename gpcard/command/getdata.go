package command

import (
	"fmt"

	"github.com/cardhost/cardhost/gpcard/tlv"
	"github.com/skythen/apdu"
)

// GET DATA tags a security domain answers (GPCS 2.3.1 §11.3.2, Table 11-31;
// 9F7F from GlobalPlatform's CPLC definition; FF21 from ETSI TS 102 226).
const (
	TagIIN                  = 0x0042 // Issuer Identification Number
	TagCIN                  = 0x0045 // Card Image Number
	TagCardData             = 0x0066 // Card Data / SD management data
	TagCardCapability       = 0x0067 // Card Capability Information
	TagSequenceCounter      = 0x00C1 // sequence counter of the default key version
	TagConfirmationCounter  = 0x00C2 // confirmation counter (receipts)
	TagKDD                  = 0x00CF // key diversification data
	TagKeyInformation       = 0x00E0 // Key Information Template
	TagApplicationList      = 0x2F00 // list of applications
	TagCPLC                 = 0x9F7F // Card Production Life Cycle data
	TagExtendedCardResource = 0xFF21 // extended card resources information
)

// GetData returns GET DATA for a data object: 80 CA <tag hi> <tag lo> 00
// (GPCS 2.3.1 §11.3.2, Table 11-30: P1P2 is the tag).
func GetData(tag uint16) apdu.Capdu {
	return apdu.Capdu{Cla: claGP, Ins: insGetData, P1: byte(tag >> 8), P2: byte(tag), Ne: neMax}
}

// GetDataTagList returns GET DATA with a tag list in the command data, the
// form 2F00 needs: 80 CA 2F 00 02 5C 00 00 asks for every application
// (GPCS 2.3.1 §11.3.2.1). An empty list is sent as 5C 00.
func GetDataTagList(tag uint16, tags []byte) (apdu.Capdu, error) {
	if len(tags) > 0x7F {
		return apdu.Capdu{}, fmt.Errorf("GET DATA: tag list of %d bytes exceeds 127", len(tags))
	}
	data := tlv.New(0x5C, tags).Bytes()
	return apdu.Capdu{Cla: claGP, Ins: insGetData, P1: byte(tag >> 8), P2: byte(tag), Data: data, Ne: neMax}, nil
}

// ParseDataObject parses a GET DATA response that must be exactly one data
// object with the given tag and returns a copy of its value, e.g. the IIN
// from 42 <len> <IIN>.
func ParseDataObject(tag uint16, data []byte) ([]byte, error) {
	t, err := tlv.ParseSingle(data, tlv.Tag(tag))
	if err != nil {
		return nil, fmt.Errorf("GET DATA %04X: %w", tag, err)
	}
	return clone(t.Value), nil
}

// ParseSequenceCounter parses the GET DATA C1 response: C1 02 <2 bytes>
// (SCP02) or C1 03 <3 bytes> (SCP03 pseudo-random mode) (GPCS 2.3.1
// §11.3.2; Amendment D §6.2.2.1).
func ParseSequenceCounter(data []byte) (uint32, error) {
	v, err := ParseDataObject(TagSequenceCounter, data)
	if err != nil {
		return 0, err
	}
	if len(v) != 2 && len(v) != 3 {
		return 0, fmt.Errorf("GET DATA C1: offset 1: length %d, want 2 or 3", len(v))
	}
	var n uint32
	for _, b := range v {
		n = n<<8 | uint32(b)
	}
	return n, nil
}

// ParseKDD parses the GET DATA CF response: CF 0A <10 bytes of key
// diversification data> (the KDD of the INITIALIZE UPDATE response).
func ParseKDD(data []byte) ([]byte, error) {
	v, err := ParseDataObject(TagKDD, data)
	if err != nil {
		return nil, err
	}
	if len(v) != 10 {
		return nil, fmt.Errorf("GET DATA CF: offset 1: length %d, want 10", len(v))
	}
	return v, nil
}

// CardResources is the extended card resources information of GET DATA FF21
// (ETSI TS 102 226 §8.2.1.7.2).
type CardResources struct {
	// Applications is the number of installed applications (tag 81).
	Applications int
	// FreeNonVolatile is the free non-volatile memory in bytes (tag 82).
	FreeNonVolatile int
	// FreeVolatile is the free volatile memory in bytes (tag 83).
	FreeVolatile int
}

// ParseCardResources parses FF21 { 81 n, 82 NVM, 83 RAM }; values are 1 to 4
// bytes, unknown tags are tolerated.
func ParseCardResources(data []byte) (CardResources, error) {
	t, err := tlv.ParseSingle(data, 0xFF21)
	if err != nil {
		return CardResources{}, fmt.Errorf("GET DATA FF21: %w", err)
	}
	var out CardResources
	fields := []struct {
		tag tlv.Tag
		dst *int
	}{{0x81, &out.Applications}, {0x82, &out.FreeNonVolatile}, {0x83, &out.FreeVolatile}}
	for _, f := range fields {
		v, ok := t.Find(f.tag)
		if !ok {
			return CardResources{}, fmt.Errorf("GET DATA FF21: tag %s missing", f.tag)
		}
		if len(v.Value) == 0 || len(v.Value) > 4 {
			return CardResources{}, fmt.Errorf("GET DATA FF21: tag %s: length %d, want 1 to 4", f.tag, len(v.Value))
		}
		for _, b := range v.Value {
			*f.dst = *f.dst<<8 | int(b)
		}
	}
	return out, nil
}
