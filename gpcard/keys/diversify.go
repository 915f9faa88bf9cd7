package keys

import (
	"fmt"

	"github.com/cardhost/cardhost/gpcard/gpcrypto"
	"github.com/cardhost/cardhost/gpcard/secret"
)

// Method is a master-key diversification method. The zero value is unset.
type Method int

// Diversification methods (shared/spec/gp-card.md §9.1).
const (
	EMV   Method = iota + 1 // EMV CPS 1.1: 3DES-ECB over KDD[4..9] F0 k KDD[4..9] 0F k
	VISA2                   // VISA2: 3DES-ECB over KDD[0..1] KDD[4..7] F0 k KDD[0..1] KDD[4..7] 0F k
	KDF3                    // SCP03: SP 800-108 counter mode with AES-CMAC over 00 00 00 k 00 KDD
)

// String returns the lower-case method name used in key specs.
func (m Method) String() string {
	switch m {
	case EMV:
		return "emv"
	case VISA2:
		return "visa2"
	case KDF3:
		return "kdf3"
	}
	return fmt.Sprintf("Method(%d)", int(m))
}

// KDDLen is the length of the key diversification data that INITIALIZE UPDATE
// returns first (GPCS 2.3.1 §E.5.1.3, Amd D §7.1.1.1).
const KDDLen = 10

// Diversify derives the card's static ENC, MAC and DEK keys from master and
// the card's KDD. EMV and VISA2 need a 16-byte 3DES master key; KDF3 an AES
// master key of 16, 24 or 32 bytes and yields keys of the same length. The
// returned set has KVN 0; the caller owns it and should Zero it.
func Diversify(master secret.Key, m Method, kdd []byte) (KeySet, error) {
	if len(kdd) != KDDLen {
		return KeySet{}, fmt.Errorf("keys: KDD must be %d bytes, got %d", KDDLen, len(kdd))
	}
	var ks [3]secret.Key
	for i := range ks {
		kid := byte(i + 1)
		var out []byte
		err := master.Use(func(mk []byte) error {
			var err error
			out, err = diversifyOne(mk, m, kid, kdd)
			return err
		})
		if err != nil {
			return KeySet{}, err
		}
		ks[i] = secret.New(out)
		clear(out)
	}
	return KeySet{ENC: ks[0], MAC: ks[1], DEK: ks[2]}, nil
}

func diversifyOne(mk []byte, m Method, kid byte, kdd []byte) ([]byte, error) {
	var half []byte
	switch m {
	case EMV:
		// EMV CPS 1.1 §5.3: the six rightmost KDD bytes (CSN part), as GPPro's EMV template.
		half = append(half, kdd[4:10]...)
	case VISA2:
		// VISA2: KDD bytes 0-1 and 4-7 (GPPro VISA2 template, gp-card.md §9.1).
		half = append(append(half, kdd[0:2]...), kdd[4:8]...)
	case KDF3:
		if n := len(mk); n != 16 && n != 24 && n != 32 {
			return nil, fmt.Errorf("keys: kdf3 needs an AES master key of 16, 24 or 32 bytes, got %d", n)
		}
		// GPPro KDF3 template: counter(1) ‖ 00 00 00 ‖ k ‖ 00 ‖ KDD, no L field,
		// PRF AES-CMAC (NIST SP 800-108 §5.1 counter mode, r = 8).
		suffix := append([]byte{0, 0, 0, kid, 0}, kdd...)
		return counterKDF(mk, nil, suffix, len(mk))
	default:
		return nil, fmt.Errorf("keys: unknown diversification method %v", m)
	}
	if len(mk) != 16 {
		return nil, fmt.Errorf("keys: %v needs a 16-byte 3DES master key, got %d", m, len(mk))
	}
	// Both DES templates: half ‖ F0 ‖ k ‖ half ‖ 0F ‖ k, 3DES-ECB under the master.
	data := append(append(append([]byte(nil), half...), 0xF0, kid), half...)
	data = append(data, 0x0F, kid)
	return gpcrypto.TripleDESECB(mk, data)
}

// counterKDF is NIST SP 800-108 counter mode with AES-CMAC and an 8-bit
// counter placed between prefix and suffix; it returns n bytes.
func counterKDF(key, prefix, suffix []byte, n int) ([]byte, error) {
	if n <= 0 || n > 255*16 {
		return nil, fmt.Errorf("keys: KDF output of %d bytes", n)
	}
	var out []byte
	msg := append(append(append([]byte(nil), prefix...), 0), suffix...)
	for i := 1; len(out) < n; i++ {
		msg[len(prefix)] = byte(i)
		blk, err := gpcrypto.CMAC(key, msg)
		if err != nil {
			return nil, err
		}
		out = append(out, blk...)
	}
	return out[:n], nil
}
