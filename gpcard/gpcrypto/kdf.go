package gpcrypto

import (
	"crypto/aes"
	"fmt"

	"github.com/aead/cmac"
)

// SCP03 derivation constants (GPCS Amendment D v1.1.2 §6.2.1, Table 6-1).
const (
	KDFCardCryptogram byte = 0x00
	KDFHostCryptogram byte = 0x01
	KDFCardChallenge  byte = 0x02
	KDFSENC           byte = 0x04
	KDFSMAC           byte = 0x06
	KDFSRMAC          byte = 0x07
)

// KDF derives bits/8 bytes from key with the SCP03 data derivation scheme:
// NIST SP 800-108 KDF in counter mode with AES-CMAC as PRF, where each block is
// CMAC(key, 00×11 ‖ constant ‖ 00 ‖ L(2 bytes, bits) ‖ i(1 byte) ‖ context) and
// i counts from 1 (GPCS Amendment D §4.1.5). bits must be a positive multiple
// of 8 and at most 255 blocks.
func KDF(key []byte, constant byte, context []byte, bits int) ([]byte, error) {
	if bits <= 0 || bits%8 != 0 || bits > 255*128 {
		return nil, fmt.Errorf("gpcrypto: KDF output length %d bits is not a positive multiple of 8", bits)
	}
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("gpcrypto: KDF key: %w", err)
	}
	h, err := cmac.New(b)
	if err != nil {
		return nil, err
	}
	n := bits / 8
	out := make([]byte, 0, n+aes.BlockSize)
	label := make([]byte, 16, 16+len(context))
	label[11] = constant
	label[13] = byte(bits >> 8)
	label[14] = byte(bits)
	label = append(label, context...)
	for i := 1; len(out) < n; i++ {
		label[15] = byte(i)
		h.Reset()
		h.Write(label)
		out = h.Sum(out)
	}
	return out[:n], nil
}
