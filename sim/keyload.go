package sim

import (
	"crypto/subtle"

	"github.com/cardhost/cardhost/gpcard/gpcrypto"
	"github.com/cardhost/cardhost/gpcard/sw"
	"github.com/cardhost/cardhost/sim/image"
)

// decryptKey recovers a secret key component protected by the DEK rules of
// sess (shared/spec/gp-card.md §1.8; GPCS 2.3.1 §11.8.2.3.2, Tables
// 11-70/11-71). When the component length is a multiple of the cipher block
// the whole component is ciphertext; otherwise its first byte is the clear
// key length and the rest the padded ciphertext.
func decryptKey(sess session, kcb []byte) ([]byte, uint16) {
	bs := sess.blockSize()
	ct, n := kcb, len(kcb)
	if len(kcb)%bs != 0 {
		if len(kcb) < 1+bs {
			return nil, sw.WrongData
		}
		ct, n = kcb[1:], int(kcb[0])
	}
	if len(ct) == 0 || len(ct)%bs != 0 || n == 0 || n > len(ct) {
		return nil, sw.WrongData
	}
	pt, status := sess.decryptKeyData(ct)
	if status != swOK {
		return nil, status
	}
	return pt[:n], swOK
}

// keyCheck returns the 3-byte KCV of a key (GPCS 2.3.1 §B.6; Amd D §7.2.2):
// DES 3DES-ECB(00×8), AES AES-ECB(01×16). A key of a bad length for its type
// answers 6A80.
func keyCheck(keyType byte, key []byte) ([]byte, uint16) {
	switch {
	case keyType == image.KeyTypeDES3 && (len(key) == 16 || len(key) == 24):
		kcv, err := gpcrypto.KCVDES(key)
		if err != nil {
			return nil, sw.WrongData
		}
		return kcv, swOK
	case keyType == image.KeyTypeAES && (len(key) == 16 || len(key) == 24 || len(key) == 32):
		kcv, err := gpcrypto.KCVAES(key)
		if err != nil {
			return nil, sw.WrongData
		}
		return kcv, swOK
	}
	return nil, sw.WrongData
}

// verifyKCV compares a received KCV (1–3 bytes) with the computed one;
// mismatch answers 6982 (GPCS 2.3.1 §11.8.3, Table 11-72).
func verifyKCV(computed, received []byte) uint16 {
	if len(received) == 0 || len(received) > len(computed) {
		return sw.WrongData
	}
	if subtle.ConstantTimeCompare(computed[:len(received)], received) != 1 {
		return sw.SecurityStatus
	}
	return swOK
}

// storeKeys writes keys into d under kvn, atomically on the caller's clone.
// replace names the key set being replaced (0: add). Replaced keys keep
// their algorithm and size (GPCS 2.3.1 §11.8.2.3.3); the sequence counter
// restarts at 0 (Amd D §6.2.2.1). Adding next to the only key set, when that
// is the factory key set KVN FF, replaces it (derived from how GP test cards
// treat their initial key set).
func storeKeys(d *image.Domain, replace, kvn byte, keys []image.Key) uint16 {
	if kvn == 0 || kvn > 0x7F || len(keys) == 0 {
		return sw.WrongData
	}
	seen := map[byte]bool{}
	for _, k := range keys {
		if seen[k.ID] {
			return sw.WrongData
		}
		seen[k.ID] = true
	}
	if replace == 0 {
		if d.KeySet(kvn) != nil {
			return sw.WrongData
		}
		if len(d.KeySets) == 1 && d.KeySets[0].KVN == 0xFF {
			d.KeySets = nil
		}
		d.KeySets = append(d.KeySets, image.KeySet{KVN: kvn, Keys: keys})
		return swOK
	}
	old := d.KeySet(replace)
	if old == nil {
		return sw.ReferencedDataNotFound
	}
	if kvn != replace && d.KeySet(kvn) != nil {
		return sw.WrongData
	}
	for _, k := range keys {
		prev := old.Key(k.ID)
		if prev != nil && (prev.Type != k.Type || len(prev.Value) != len(k.Value)) {
			return sw.WrongData
		}
		if prev != nil {
			*prev = k
		} else {
			old.Keys = append(old.Keys, k)
		}
	}
	old.KVN = kvn
	old.Counter = 0
	return swOK
}
