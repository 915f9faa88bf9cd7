package gpcrypto

import (
	"crypto/cipher"
	"crypto/des"
	"crypto/subtle"
	"fmt"
)

// TripleDES returns a two- or three-key 3DES block cipher for a 16- or 24-byte
// key (K1 K2 [K3]); a 16-byte key is used as K1 K2 K1.
func TripleDES(key []byte) (cipher.Block, error) {
	var k [24]byte
	switch len(key) {
	case 16:
		copy(k[:], key)
		copy(k[16:], key[:8])
	case 24:
		copy(k[:], key)
	default:
		return nil, fmt.Errorf("gpcrypto: 3DES key must be 16 or 24 bytes, got %d", len(key))
	}
	return des.NewTripleDESCipher(k[:])
}

// DESECB encrypts data (a multiple of 8 bytes) with single DES in ECB mode
// under an 8-byte key.
func DESECB(key, data []byte) ([]byte, error) {
	b, err := des.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("gpcrypto: DES key: %w", err)
	}
	return ecb(b, data, true)
}

// TripleDESECB encrypts data (a multiple of 8 bytes) with 3DES in ECB mode.
func TripleDESECB(key, data []byte) ([]byte, error) {
	b, err := TripleDES(key)
	if err != nil {
		return nil, err
	}
	return ecb(b, data, true)
}

// TripleDESECBDecrypt decrypts data (a multiple of 8 bytes) with 3DES in ECB mode.
func TripleDESECBDecrypt(key, data []byte) ([]byte, error) {
	b, err := TripleDES(key)
	if err != nil {
		return nil, err
	}
	return ecb(b, data, false)
}

// TripleDESCBC encrypts data (a multiple of 8 bytes) with 3DES in CBC mode.
// A nil iv means eight zero bytes.
func TripleDESCBC(key, iv, data []byte) ([]byte, error) {
	b, err := TripleDES(key)
	if err != nil {
		return nil, err
	}
	return cbc(b, iv, data, true)
}

// TripleDESCBCDecrypt decrypts data (a multiple of 8 bytes) with 3DES in CBC
// mode. A nil iv means eight zero bytes.
func TripleDESCBCDecrypt(key, iv, data []byte) ([]byte, error) {
	b, err := TripleDES(key)
	if err != nil {
		return nil, err
	}
	return cbc(b, iv, data, false)
}

// RetailMAC computes the ISO/IEC 9797-1 MAC algorithm 3 with DES (the "retail
// MAC" of SCP02 C-MAC/R-MAC): single-DES CBC under K1 over all blocks but the
// last, then 3DES (K1 K2 K1) on the last. data must already be padded to a
// multiple of 8 bytes; key is 16 bytes; a nil iv means zeros. The result is 8
// bytes. Callers that MAC many messages under one key should build the
// ciphers once with RetailMACCiphers and use RetailMACWith.
func RetailMAC(key, iv, data []byte) ([]byte, error) {
	single, triple, err := RetailMACCiphers(key)
	if err != nil {
		return nil, err
	}
	return RetailMACWith(single, triple, iv, data)
}

// RetailMACCiphers returns the two ciphers of the retail MAC under a 16-byte
// key: single DES under K1 and 3DES under K1 K2 K1.
func RetailMACCiphers(key []byte) (single, triple cipher.Block, err error) {
	if len(key) != 16 {
		return nil, nil, fmt.Errorf("gpcrypto: retail MAC key must be 16 bytes, got %d", len(key))
	}
	if single, err = des.NewCipher(key[:8]); err != nil {
		return nil, nil, err
	}
	if triple, err = TripleDES(key); err != nil {
		return nil, nil, err
	}
	return single, triple, nil
}

// RetailMACWith computes the retail MAC of RetailMAC with prebuilt ciphers
// (from RetailMACCiphers): single is DES under K1, triple 3DES under K1 K2 K1.
func RetailMACWith(single, triple cipher.Block, iv, data []byte) ([]byte, error) {
	if len(data) == 0 || len(data)%8 != 0 {
		return nil, fmt.Errorf("gpcrypto: retail MAC input must be a non-empty multiple of 8 bytes, got %d", len(data))
	}
	state := make([]byte, 8)
	if iv != nil {
		if len(iv) != 8 {
			return nil, fmt.Errorf("gpcrypto: retail MAC ICV must be 8 bytes, got %d", len(iv))
		}
		copy(state, iv)
	}
	for off := 0; off < len(data); off += 8 {
		subtle.XORBytes(state, state, data[off:off+8])
		if off+8 < len(data) {
			single.Encrypt(state, state)
		} else {
			triple.Encrypt(state, state)
		}
	}
	return state, nil
}

// CBCEncrypt encrypts data (a multiple of the block size) in CBC mode with a
// prebuilt cipher. A nil iv means zeros.
func CBCEncrypt(b cipher.Block, iv, data []byte) ([]byte, error) {
	return cbc(b, iv, data, true)
}

// TripleDESCBCMAC computes the full 3DES CBC-MAC (every block under 3DES) of
// data, a multiple of 8 bytes, and returns the last 8-byte block. SCP02 uses it
// for the card and host cryptograms. A nil iv means zeros.
func TripleDESCBCMAC(key, iv, data []byte) ([]byte, error) {
	if len(data) == 0 {
		return nil, fmt.Errorf("gpcrypto: 3DES CBC-MAC of empty input")
	}
	out, err := TripleDESCBC(key, iv, data)
	if err != nil {
		return nil, err
	}
	return out[len(out)-8:], nil
}

func ecb(b cipher.Block, data []byte, encrypt bool) ([]byte, error) {
	bs := b.BlockSize()
	if len(data)%bs != 0 {
		return nil, fmt.Errorf("gpcrypto: ECB input must be a multiple of %d bytes, got %d", bs, len(data))
	}
	out := make([]byte, len(data))
	for off := 0; off < len(data); off += bs {
		if encrypt {
			b.Encrypt(out[off:off+bs], data[off:off+bs])
		} else {
			b.Decrypt(out[off:off+bs], data[off:off+bs])
		}
	}
	return out, nil
}

func cbc(b cipher.Block, iv, data []byte, encrypt bool) ([]byte, error) {
	bs := b.BlockSize()
	if len(data)%bs != 0 {
		return nil, fmt.Errorf("gpcrypto: CBC input must be a multiple of %d bytes, got %d", bs, len(data))
	}
	if iv == nil {
		iv = make([]byte, bs)
	} else if len(iv) != bs {
		return nil, fmt.Errorf("gpcrypto: CBC IV must be %d bytes, got %d", bs, len(iv))
	}
	out := make([]byte, len(data))
	if encrypt {
		cipher.NewCBCEncrypter(b, iv).CryptBlocks(out, data)
	} else {
		cipher.NewCBCDecrypter(b, iv).CryptBlocks(out, data)
	}
	return out, nil
}
