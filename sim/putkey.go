package sim

import (
	"github.com/cardhost/cardhost/gpcard/sw"
	"github.com/cardhost/cardhost/gpcard/tlv"
	"github.com/cardhost/cardhost/sim/image"
)

// putKeyChain collects the keys of a PUT KEY chain (P1 b8 set) until the
// command that ends it.
type putKeyChain struct {
	replace, kvn byte
	keys         []image.Key
	kcvs         []byte
}

// putKey handles PUT KEY for symmetric keys (GPCS 2.3.1 §11.8): P1 b8 more
// commands, b7–b1 the KVN replaced (00 add); P2 b8 several keys, b7–b1 the
// first KID; data = new KVN then key data fields in basic format (Table
// 11-68): type, BER length, key component (encrypted under the DEK rules),
// KCV length, KCV. Types 80 (3DES) and 88 (AES) are supported; the extended
// format (FF) and asymmetric keys are not (6A80). All keys of one command or
// chain are stored together or not at all. Response: KVN ‖ KCVs.
func (c *Card) putKey(ch *channel, sd *image.App, cmd command) ([]byte, uint16) {
	chain := ch.putKey
	ch.putKey = nil
	replace := cmd.p1 & 0x7F
	if len(cmd.data) < 1 {
		return nil, sw.WrongData
	}
	kvn := cmd.data[0]
	if chain == nil {
		chain = &putKeyChain{replace: replace, kvn: kvn}
	} else if chain.replace != replace || chain.kvn != kvn {
		return nil, sw.WrongData
	}
	kid := cmd.p2 & 0x7F
	rest := cmd.data[1:]
	multiple := cmd.p2&0x80 != 0
	for n := 0; len(rest) > 0; n++ {
		if n > 0 && !multiple {
			return nil, sw.WrongData
		}
		if kid > 0x7F {
			return nil, sw.WrongData
		}
		keyType := rest[0]
		if keyType != image.KeyTypeDES3 && keyType != image.KeyTypeAES {
			return nil, sw.WrongData
		}
		kcb, used, err := tlv.ReadBERLV(rest[1:])
		if err != nil {
			return nil, sw.WrongData
		}
		rest = rest[1+used:]
		kcvIn, used, err := tlv.ReadLV(rest)
		if err != nil {
			return nil, sw.WrongData
		}
		rest = rest[used:]
		key, status := decryptKey(ch.sess, kcb)
		if status != swOK {
			return nil, status
		}
		kcv, status := keyCheck(keyType, key)
		if status != swOK {
			return nil, status
		}
		if status := verifyKCV(kcv, kcvIn); status != swOK {
			return nil, status
		}
		chain.keys = append(chain.keys, image.Key{ID: kid, Type: keyType, Value: key})
		chain.kcvs = append(chain.kcvs, kcv...)
		kid++
	}
	if cmd.p1&0x80 != 0 {
		ch.putKey = chain
		return nil, swOK
	}
	return c.update(func(s *image.State) ([]byte, uint16) {
		resp := append([]byte{chain.kvn}, chain.kcvs...)
		return resp, storeKeys(s.App(sd.AID).Domain, chain.replace, chain.kvn, chain.keys)
	})
}
