package sim

import (
	"bytes"

	"github.com/cardhost/cardhost/gpcard/gpcrypto"
	"github.com/cardhost/cardhost/gpcard/sw"
	"github.com/cardhost/cardhost/gpcard/tlv"
	"github.com/cardhost/cardhost/sim/image"
)

// lfdbKeySet returns the key set whose Key-DEK decrypts a Ciphered Load File
// Data Block for the SD target: the set of the secure channel on ch when
// target is the SD that channel is open with, else target's first set.
func lfdbKeySet(target, selected *image.App, ch *channel) *image.KeySet {
	d := target.Domain
	if bytes.Equal(target.AID, selected.AID) && ch.sess != nil {
		return d.KeySet(ch.sess.kvn())
	}
	return defaultKeySet(d, 0)
}

// loadFileDataBlock returns the clear Load File Data Block of a received
// Load File whose objects are objs (GPCS 2.3.1 §11.6.2.3, Table 11-58): C4
// as is, or D4 decrypted, with the ICV of a D3 object just before it (zero
// when absent). An SD with the Ciphered Load File Data Block privilege
// (byte 3, 40) accepts only D4, any other SD only C4: a mismatch is 6982.
// The block is decrypted in CBC mode under the static Key-DEK (KID 3) of
// the key set chosen at INSTALL [for load] — 3DES for SCP02, AES for SCP03
// — and must end in ISO 9797-1 method 2 padding (6A80 otherwise: wrong key
// or corrupt data). The key and cipher are cardhost's choice, matching
// gpcard (see the BUG note on gpcard.Card.Load).
func (c *Card) loadFileDataBlock(s *image.State, ld *loadState, objs []tlv.TLV) ([]byte, uint16) {
	last := objs[len(objs)-1]
	tsd := s.App(ld.sd)
	if tsd == nil || !tsd.IsSD() {
		return nil, sw.ReferencedDataNotFound
	}
	ciphered := has(tsd.Privileges[2], privCipheredLFB)
	switch {
	case last.Tag == 0xC4 && !ciphered:
		return last.Value, swOK
	case last.Tag == 0xC4 || (last.Tag == 0xD4 && !ciphered):
		return nil, sw.SecurityStatus
	case last.Tag != 0xD4:
		return nil, sw.WrongData
	}
	var icv []byte
	if len(objs) > 1 && objs[len(objs)-2].Tag == 0xD3 {
		icv = objs[len(objs)-2].Value
	}
	ks := tsd.Domain.KeySet(ld.kvn)
	if ks == nil || ks.Key(kidDEK) == nil {
		return nil, sw.ReferencedDataNotFound
	}
	dek := ks.Key(kidDEK).Value
	var plain []byte
	var err error
	block := 16
	if tsd.Domain.SCP == 0x02 {
		block = 8
		if icv != nil && len(icv) != 8 {
			return nil, sw.WrongData
		}
		plain, err = gpcrypto.TripleDESCBCDecrypt(dek, icv, last.Value)
	} else {
		if icv != nil && len(icv) != 16 {
			return nil, sw.WrongData
		}
		plain, err = gpcrypto.AESCBCDecrypt(dek, icv, last.Value)
	}
	if err != nil {
		return nil, sw.WrongData
	}
	lfdb, err := gpcrypto.Unpad80(plain, block)
	if err != nil {
		return nil, sw.WrongData
	}
	return lfdb, swOK
}
