package gpcrypto

import (
	"crypto/cipher"
	"crypto/des"
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
// bytes.
func RetailMAC(key, iv, data []byte) ([]byte, error) {
	if len(key) != 16 {
		return nil, fmt.Errorf("gpcrypto: retail MAC key must be 16 bytes, got %d", len(key))
	}
	if len(data) == 0 || len(data)%8 != 0 {
		return nil, fmt.Errorf("gpcrypto: retail MAC input must be a non-empty multiple of 8 bytes, got %d", len(data))
	}
	single, err := des.NewCipher(key[:8])
	if err != nil {
		return nil, err
	}
	triple, err := TripleDES(key)
	if err != nil {
		return nil, err
	}
	state := make([]byte, 8)
	if iv != nil {
		if len(iv) != 8 {
			return nil, fmt.Errorf("gpcrypto: retail MAC ICV must be 8 bytes, got %d", len(iv))
		}
		copy(state, iv)
	}
	for off := 0; off < len(data); off += 8 {
		for j := 0; j < 8; j++ {
			state[j] ^= data[off+j]
		}
		if off+8 < len(data) {
			single.Encrypt(state, state)
		} else {
			triple.Encrypt(state, state)
		}
	}
	return state, nil
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
