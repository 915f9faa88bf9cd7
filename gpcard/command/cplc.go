package command

import (
	"fmt"
	"strings"
	"time"

	"golang.org/x/crypto/cryptobyte"
)

// CPLC is the Card Production Life Cycle data of GET DATA 9F7F: 18 fixed
// fields, 42 bytes. The layout is not in GPCS 2.3.1 itself (it comes from the
// Visa GlobalPlatform card implementation requirements); field order and
// sizes as GlobalPlatformPro (CPLC.java) and kaoh/globalplatform
// (OPGP_parse_cplc) read them.
// Date fields are YDDD: last digit of the year and day of the year in BCD.
type CPLC struct {
	ICFabricator                      [2]byte
	ICType                            [2]byte
	OperatingSystemID                 [2]byte
	OperatingSystemReleaseDate        [2]byte
	OperatingSystemReleaseLevel       [2]byte
	ICFabricationDate                 [2]byte
	ICSerialNumber                    [4]byte
	ICBatchIdentifier                 [2]byte
	ICModuleFabricator                [2]byte
	ICModulePackagingDate             [2]byte
	ICCManufacturer                   [2]byte
	ICEmbeddingDate                   [2]byte
	ICPrePersonalizer                 [2]byte
	ICPrePersonalizationEquipmentDate [2]byte
	ICPrePersonalizationEquipmentID   [4]byte
	ICPersonalizer                    [2]byte
	ICPersonalizationDate             [2]byte
	ICPersonalizationEquipmentID      [4]byte
	// Extra holds bytes some cards append after the 42 defined ones (a
	// 45-byte CPLC is common); nil when there are none.
	Extra []byte
}

// cplcLen is the length of the 18 defined CPLC fields.
const cplcLen = 42

// CPLCField is one named CPLC field, for printing.
type CPLCField struct {
	// Name is the field name as GlobalPlatformPro prints it.
	Name string
	// Value aliases the CPLC's storage.
	Value []byte
	// Date reports whether Value is a YDDD date.
	Date bool
}

// Fields returns the 18 fields in wire order.
func (c *CPLC) Fields() []CPLCField {
	return []CPLCField{
		{"ICFabricator", c.ICFabricator[:], false},
		{"ICType", c.ICType[:], false},
		{"OperatingSystemID", c.OperatingSystemID[:], false},
		{"OperatingSystemReleaseDate", c.OperatingSystemReleaseDate[:], true},
		{"OperatingSystemReleaseLevel", c.OperatingSystemReleaseLevel[:], false},
		{"ICFabricationDate", c.ICFabricationDate[:], true},
		{"ICSerialNumber", c.ICSerialNumber[:], false},
		{"ICBatchIdentifier", c.ICBatchIdentifier[:], false},
		{"ICModuleFabricator", c.ICModuleFabricator[:], false},
		{"ICModulePackagingDate", c.ICModulePackagingDate[:], true},
		{"ICCManufacturer", c.ICCManufacturer[:], false},
		{"ICEmbeddingDate", c.ICEmbeddingDate[:], true},
		{"ICPrePersonalizer", c.ICPrePersonalizer[:], false},
		{"ICPrePersonalizationEquipmentDate", c.ICPrePersonalizationEquipmentDate[:], true},
		{"ICPrePersonalizationEquipmentID", c.ICPrePersonalizationEquipmentID[:], false},
		{"ICPersonalizer", c.ICPersonalizer[:], false},
		{"ICPersonalizationDate", c.ICPersonalizationDate[:], true},
		{"ICPersonalizationEquipmentID", c.ICPersonalizationEquipmentID[:], false},
	}
}

// ParseCPLC parses a GET DATA 9F7F response: 9F 7F <len ≥ 2A> <fields>
// [extra bytes]. The length byte must match the data that follows.
func ParseCPLC(data []byte) (CPLC, error) {
	in := cryptobyte.String(data)
	var tag uint16
	var body cryptobyte.String
	if !in.ReadUint16(&tag) || tag != TagCPLC {
		return CPLC{}, fmt.Errorf("CPLC: offset 0: tag 9F7F missing")
	}
	if !in.ReadUint8LengthPrefixed(&body) {
		return CPLC{}, fmt.Errorf("CPLC: offset 2: length does not match %d data bytes", len(data)-3)
	}
	if !in.Empty() {
		return CPLC{}, fmt.Errorf("CPLC: offset %d: %d trailing bytes", len(data)-len(in), len(in))
	}
	if len(body) < cplcLen {
		return CPLC{}, fmt.Errorf("CPLC: offset 3: %d data bytes, want at least %d", len(body), cplcLen)
	}
	var c CPLC
	for _, f := range c.Fields() {
		body.CopyBytes(f.Value) // lengths checked above
	}
	c.Extra = clone(body)
	return c, nil
}

// Bytes encodes c as a GET DATA 9F7F response, the inverse of ParseCPLC.
func (c *CPLC) Bytes() []byte {
	var body []byte
	for _, f := range c.Fields() {
		body = append(body, f.Value...)
	}
	body = append(body, c.Extra...)
	return append([]byte{0x9F, 0x7F, byte(len(body))}, body...)
}

// CPLCDate decodes a YDDD date: day DDD of the most recent year ending in
// digit Y whose day DDD is not after now. 0000, FFFF, non-BCD digits and day
// numbers outside that year are errors.
func CPLCDate(v [2]byte, now time.Time) (time.Time, error) {
	digits := [4]int{int(v[0] >> 4), int(v[0] & 0xF), int(v[1] >> 4), int(v[1] & 0xF)}
	for _, d := range digits {
		if d > 9 {
			return time.Time{}, fmt.Errorf("CPLC date %X: not BCD", v[:])
		}
	}
	day := digits[1]*100 + digits[2]*10 + digits[3]
	year := now.Year() - (now.Year()%10-digits[0]+10)%10
	t := time.Date(year, time.January, day, 0, 0, 0, 0, time.UTC)
	if t.After(now) {
		year -= 10
		t = time.Date(year, time.January, day, 0, 0, 0, 0, time.UTC)
	}
	if day < 1 || t.Year() != year {
		return time.Time{}, fmt.Errorf("CPLC date %X: no day %d in %d", v[:], day, year)
	}
	return t, nil
}

// FormatCPLC prints c like `gp -i`: "CPLC: Name=HEX" lines, continuation
// lines indented by six spaces, date fields followed by "(yyyy-mm-dd)" or
// "(invalid date format)", and a final newline. now resolves the decade of
// YDDD dates.
func FormatCPLC(c CPLC, now time.Time) string {
	var lines []string
	for _, f := range c.Fields() {
		s := fmt.Sprintf("%s=%X", f.Name, f.Value)
		if f.Date {
			d, err := CPLCDate([2]byte(f.Value), now)
			if err != nil {
				s += " (invalid date format)"
			} else {
				s += " (" + d.Format(time.DateOnly) + ")"
			}
		}
		lines = append(lines, s)
	}
	return "CPLC: " + strings.Join(lines, "\n      ") + "\n"
}
