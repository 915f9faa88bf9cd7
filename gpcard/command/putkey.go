package command

import (
	"bytes"
	"fmt"

	"github.com/cardhost/cardhost/gpcard/tlv"
	"github.com/skythen/apdu"
)

// Key types of PUT KEY (GPCS 2.3.1 §11.1.8, Table 11-16).
const (
	KeyTypeDES byte = 0x80 // DES, mode implicitly known (2TDEA/3TDEA for SCP02)
	KeyTypeAES byte = 0x88 // AES 128/192/256 (SCP03)
)

// WrappedKey is one key of a PUT KEY command, already encrypted under the
// DEK by the secure channel. It holds no clear key material.
type WrappedKey struct {
	// Type is the key type, e.g. KeyTypeDES or KeyTypeAES.
	Type byte
	// ClearLength, when non-zero, is sent before the cryptogram (the key
	// component block of GPCS 2.3.1 Table 11-70; always used for AES, e.g. 10
	// for AES-128, and for key lengths that are not a block multiple).
	ClearLength byte
	// Cryptogram is the encrypted key.
	Cryptogram []byte
	// KCV is the key check value (usually 3 bytes); empty when none.
	KCV []byte
}

// PutKeyParams is one PUT KEY command carrying a whole key set (GPCS 2.3.1
// §11.8.2, Tables 11-65..11-68).
type PutKeyParams struct {
	// ReplaceKVN is the key version to replace (P1), 0 to add a new set.
	ReplaceKVN byte
	// NewKVN is the version number of the keys sent (01–7F).
	NewKVN byte
	// FirstKID is the key identifier of the first key (P2 b7–b1); following
	// keys get FirstKID+1, … . Usually 1 (ENC, MAC, DEK).
	FirstKID byte
	// Keys are the key data fields in KID order.
	Keys []WrappedKey
}

// PutKey returns 80 D8 <ReplaceKVN> <P2> Lc <NewKVN> {type, LV(KCB), LV(KCV)}…
// 00, P2 = FirstKID with b8 set when several keys are sent (gp-card.md §1.7).
func PutKey(p PutKeyParams) (apdu.Capdu, error) {
	switch {
	case p.ReplaceKVN > 0x7F:
		return apdu.Capdu{}, fmt.Errorf("PUT KEY: replaced KVN %02X above 7F", p.ReplaceKVN)
	case p.NewKVN == 0 || p.NewKVN > 0x7F:
		return apdu.Capdu{}, fmt.Errorf("PUT KEY: new KVN %02X outside 01–7F", p.NewKVN)
	case p.FirstKID > 0x7F:
		return apdu.Capdu{}, fmt.Errorf("PUT KEY: first KID %02X above 7F", p.FirstKID)
	case len(p.Keys) == 0:
		return apdu.Capdu{}, fmt.Errorf("PUT KEY: no keys")
	}
	data := []byte{p.NewKVN}
	for i, k := range p.Keys {
		if len(k.Cryptogram) == 0 || len(k.KCV) > 0x7F {
			return apdu.Capdu{}, fmt.Errorf("PUT KEY: key %d: empty cryptogram or KCV longer than 127", i)
		}
		kcb := k.Cryptogram
		if k.ClearLength != 0 {
			kcb = append([]byte{k.ClearLength}, k.Cryptogram...)
		}
		data = append(data, k.Type)
		data = tlv.AppendBERLV(data, kcb)
		data = append(data, byte(len(k.KCV)))
		data = append(data, k.KCV...)
	}
	if err := checkData(NamePutKey, data); err != nil {
		return apdu.Capdu{}, err
	}
	p2 := p.FirstKID
	if len(p.Keys) > 1 {
		p2 |= 0x80
	}
	return apdu.Capdu{Cla: claGP, Ins: insPutKey, P1: p.ReplaceKVN, P2: p2, Data: data, Ne: neMax}, nil
}

// CheckPutKeyResponse checks the PUT KEY response data KVN ‖ KCV1 ‖ KCV2 …
// (GPCS 2.3.1 §11.8.3.1, Table 11-71) against what p sent; a mismatch names
// the field.
func CheckPutKeyResponse(data []byte, p PutKeyParams) error {
	if len(data) == 0 || data[0] != p.NewKVN {
		return fmt.Errorf("PUT KEY response: offset 0: KVN does not match %02X", p.NewKVN)
	}
	off := 1
	for i, k := range p.Keys {
		if len(data)-off < len(k.KCV) {
			return fmt.Errorf("PUT KEY response: offset %d: KCV of key %d: %w", off, i, tlv.ErrTruncated)
		}
		if !bytes.Equal(data[off:off+len(k.KCV)], k.KCV) {
			return fmt.Errorf("PUT KEY response: offset %d: KCV of key %d is %X, sent %X", off, i, data[off:off+len(k.KCV)], k.KCV)
		}
		off += len(k.KCV)
	}
	if off != len(data) {
		return fmt.Errorf("PUT KEY response: offset %d: %d trailing bytes", off, len(data)-off)
	}
	return nil
}
