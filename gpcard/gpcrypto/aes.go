package gpcrypto

import (
	"crypto/aes"
	"fmt"

	"github.com/aead/cmac"
)

// AESECB encrypts data (a multiple of 16 bytes) with AES in ECB mode under a
// 16-, 24- or 32-byte key.
func AESECB(key, data []byte) ([]byte, error) {
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("gpcrypto: AES key: %w", err)
	}
	return ecb(b, data, true)
}

// AESECBDecrypt decrypts data (a multiple of 16 bytes) with AES in ECB mode.
func AESECBDecrypt(key, data []byte) ([]byte, error) {
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("gpcrypto: AES key: %w", err)
	}
	return ecb(b, data, false)
}

// AESCBC encrypts data (a multiple of 16 bytes) with AES in CBC mode. A nil iv
// means zeros.
func AESCBC(key, iv, data []byte) ([]byte, error) {
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("gpcrypto: AES key: %w", err)
	}
	return cbc(b, iv, data, true)
}

// AESCBCDecrypt decrypts data (a multiple of 16 bytes) with AES in CBC mode. A
// nil iv means zeros.
func AESCBCDecrypt(key, iv, data []byte) ([]byte, error) {
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("gpcrypto: AES key: %w", err)
	}
	return cbc(b, iv, data, false)
}

// CMAC returns the 16-byte AES-CMAC (NIST SP 800-38B, RFC 4493) of data.
func CMAC(key, data []byte) ([]byte, error) {
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("gpcrypto: AES key: %w", err)
	}
	return cmac.Sum(data, b, aes.BlockSize)
}
