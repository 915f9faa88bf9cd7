package command

import (
	"fmt"

	"github.com/cardhost/cardhost/gpcard/tlv"
	"github.com/skythen/apdu"
)

// Select returns SELECT by DF name (ISO/IEC 7816-4 §11.2.2; GPCS 2.3.1
// §11.9.2): 00 A4 04 00 Lc AID 00. An empty aid gives the ISD discovery
// command 00 A4 04 00 00, which selects the card's default application.
func Select(aid []byte) (apdu.Capdu, error) {
	if err := checkAID("SELECT", aid, true); err != nil {
		return apdu.Capdu{}, err
	}
	return apdu.Capdu{Cla: claISO, Ins: insSelect, P1: 0x04, P2: 0x00, Data: clone(aid), Ne: neMax}, nil
}

// FCI is the File Control Information a security domain returns to SELECT
// (GPCS 2.3.1 §11.9.3.1, Table 11-79).
type FCI struct {
	// AID is the application or security domain AID (tag 84).
	AID []byte
	// CardData is the card recognition data (A5/73), nil when absent.
	CardData *CardData
	// ProductionLifeCycle is the application production life-cycle data
	// (A5/9F6E), nil when absent.
	ProductionLifeCycle []byte
	// MaxCommandData is the maximum length of data field in command message
	// (A5/9F65), 0 when absent.
	MaxCommandData int
	// Proprietary holds every data object of A5 as received (nil when A5 is
	// absent), including ones this package does not interpret.
	Proprietary []tlv.TLV
}

// ParseFCI parses a SELECT response: 6F { 84 AID, [A5 { [73 …] [9F6E …]
// [9F65 …] … }] … }. Unknown data objects are tolerated (ISO/IEC 7816-4
// §5.3.3); A5 is optional because cards omit it.
func ParseFCI(data []byte) (FCI, error) {
	fci, err := tlv.ParseSingle(data, 0x6F)
	if err != nil {
		return FCI{}, fmt.Errorf("FCI: %w", err)
	}
	var out FCI
	aid, ok := fci.Find(0x84)
	if !ok {
		return FCI{}, fmt.Errorf("FCI: tag 84 (AID) missing")
	}
	if err := checkAID("FCI tag 84", aid.Value, false); err != nil {
		return FCI{}, err
	}
	out.AID = clone(aid.Value)
	a5, ok := fci.Find(0xA5)
	if !ok {
		return out, nil
	}
	out.Proprietary = a5.Children
	if crd, ok := a5.Find(0x73); ok {
		cd, err := parseCardRecognition(crd)
		if err != nil {
			return FCI{}, fmt.Errorf("FCI A5/73: %w", err)
		}
		out.CardData = &cd
	}
	if lc, ok := a5.Find(0x9F6E); ok {
		out.ProductionLifeCycle = clone(lc.Value)
	}
	if mb, ok := a5.Find(0x9F65); ok {
		if len(mb.Value) == 0 || len(mb.Value) > 3 {
			return FCI{}, fmt.Errorf("FCI A5/9F65: length %d, want 1 to 3", len(mb.Value))
		}
		for _, b := range mb.Value {
			out.MaxCommandData = out.MaxCommandData<<8 | int(b)
		}
	}
	return out, nil
}
