package gpcrypto

import "errors"

// ErrPadding is returned by Unpad80 when the data does not end in ISO 9797-1
// method 2 padding.
var ErrPadding = errors.New("gpcrypto: bad ISO 9797-1 method 2 padding")

// Pad80 returns a new slice holding b followed by 0x80 and as many zero bytes
// as needed to reach a multiple of blockSize (ISO/IEC 9797-1 padding method 2).
// A full block of padding is added when len(b) is already a multiple.
func Pad80(b []byte, blockSize int) []byte {
	n := len(b) + 1
	if r := n % blockSize; r != 0 {
		n += blockSize - r
	}
	out := make([]byte, n)
	copy(out, b)
	out[len(b)] = 0x80
	return out
}

// Unpad80 strips ISO/IEC 9797-1 method 2 padding and returns a sub-slice of b.
// The padding may be at most blockSize bytes long.
func Unpad80(b []byte, blockSize int) ([]byte, error) {
	for i := len(b) - 1; i >= 0 && i >= len(b)-blockSize; i-- {
		switch b[i] {
		case 0x00:
			continue
		case 0x80:
			return b[:i], nil
		}
		break
	}
	return nil, ErrPadding
}
