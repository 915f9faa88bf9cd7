package payment

import (
	"bytes"
	"encoding/binary"

	"github.com/cardhost/cardhost/applet"
	"github.com/cardhost/cardhost/gpcard/sw"
)

// STORE DATA P1 bits (GPCS 2.3.1 §11.11.2.1, Table 11-89).
const (
	p1Last         = 0x80 // b8: last block
	p1Encryption   = 0x60 // b7–b6: 00 none, 01 application dependent, 11 encrypted
	p1EncryptedAll = 0x60
	p1Structure    = 0x18 // b5–b4: 01 DGI, 10 BER-TLV
	p1RFU          = 0x06 // b3–b2
)

// dgiRule says where a DGI is stored and which values are valid.
type dgiRule struct {
	name     string
	min, max int
	valid    func(v []byte) bool // nil: any value of a valid length
}

// ruleFor returns the rule of DGI id, or false for a DGI the purse does not
// know.
func ruleFor(id uint16) (dgiRule, bool) {
	switch id {
	case DGIPurseKey:
		return dgiRule{name: nameKey, min: KeyLen, max: KeyLen}, true
	case DGILimit:
		return dgiRule{name: nameLimit, min: 4, max: 4, valid: validLimit}, true
	case DGICurrency:
		return dgiRule{name: nameCurrency, min: 2, max: 2, valid: validBCD}, true
	case DGIHolderID:
		return dgiRule{name: nameHolder, min: 1, max: MaxHolderIDLen}, true
	case DGIFlags:
		return dgiRule{name: nameFlags, min: 1, max: 1, valid: validFlags}, true
	}
	return dgiRule{}, false
}

func validLimit(v []byte) bool { return binary.BigEndian.Uint32(v) != 0 }

func validFlags(v []byte) bool { return Flags(v[0])&^flagsKnown == 0 }

// validBCD reports whether every nibble of v is a decimal digit.
func validBCD(v []byte) bool {
	for _, b := range v {
		if b>>4 > 9 || b&0x0F > 9 {
			return false
		}
	}
	return true
}

// record is one validated DGI, ready to store.
type record struct {
	name  string
	value []byte
}

// StoreData takes one STORE DATA block forwarded by the security domain
// (see the package doc for the DGIs and P1 rules). It validates the whole
// block before storing anything, so a refused block leaves the purse as it
// was.
func (*Purse) StoreData(ctx applet.Context, p1 byte, data []byte) uint16 {
	st := state{ctx.Storage}
	if st.personalised() {
		return sw.ConditionsNotSatisfied
	}
	if p1&p1Structure != P1DGI || p1&p1RFU != 0 {
		return sw.IncorrectP1P2
	}
	if e := p1 & p1Encryption; e != 0 && e != p1EncryptedAll {
		return sw.IncorrectP1P2
	}
	buf := append(bytes.Clone(st.s.Get(namePending)), data...)
	records, rest, status := splitDGIs(buf)
	if status != sw.OK {
		return status
	}
	last := p1&p1Last != 0
	if last && len(rest) != 0 {
		return sw.WrongData
	}
	if last && !complete(st, records) {
		return sw.ConditionsNotSatisfied
	}
	for _, r := range records {
		st.s.Put(r.name, r.value)
	}
	if len(rest) != 0 {
		st.s.Put(namePending, bytes.Clone(rest))
	} else {
		st.s.Delete(namePending)
	}
	if last {
		st.putU32(nameBalance, 0)
		st.putU32(nameCounter, 0)
		st.s.Put(namePersonalised, []byte{1})
	}
	return sw.OK
}

// complete reports whether every DGI required by the last block (8101,
// 0101, 0102, 0103) is stored or in records.
func complete(st state, records []record) bool {
	for _, name := range [...]string{nameKey, nameLimit, nameCurrency, nameHolder} {
		found := len(st.s.Get(name)) > 0
		for _, r := range records {
			found = found || r.name == name
		}
		if !found {
			return false
		}
	}
	return true
}

// splitDGIs parses buf as DGI records, ID(2) ‖ length ‖ value with a length
// of one byte 00–FE or FF and two bytes (GPCS 2.3.1 §11.11.2.3). It returns
// the complete records, validated, and the start of a record cut at the end
// of buf (at most 5+MaxHolderIDLen bytes, since lengths are checked as soon
// as they are read). The status is 6A88 for an unknown DGI and 6A80 for a
// bad length or value.
func splitDGIs(buf []byte) ([]record, []byte, uint16) {
	var out []record
	for len(buf) > 0 {
		if len(buf) < 2 {
			return out, buf, sw.OK
		}
		rule, ok := ruleFor(binary.BigEndian.Uint16(buf))
		if !ok {
			return nil, nil, sw.ReferencedDataNotFound
		}
		if len(buf) < 3 || (buf[2] == 0xFF && len(buf) < 5) {
			return out, buf, sw.OK
		}
		n, hdr := int(buf[2]), 3
		if buf[2] == 0xFF {
			n, hdr = int(binary.BigEndian.Uint16(buf[3:])), 5
		}
		if n < rule.min || n > rule.max {
			return nil, nil, sw.WrongData
		}
		if len(buf) < hdr+n {
			return out, buf, sw.OK
		}
		v := buf[hdr : hdr+n]
		if rule.valid != nil && !rule.valid(v) {
			return nil, nil, sw.WrongData
		}
		out = append(out, record{name: rule.name, value: bytes.Clone(v)})
		buf = buf[hdr+n:]
	}
	return out, nil, sw.OK
}
