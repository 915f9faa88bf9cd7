package tlv

import "fmt"

// MaxLength caps decoded lengths; no card data object comes near it, and it
// keeps int arithmetic safe on every platform.
const MaxLength = 1<<24 - 1

// AppendLength appends the minimal definite BER length of n to b (ISO/IEC
// 8825-1 §8.1.3: 00–7F in one byte, then 81 xx, 82 xxxx, 83 xxxxxx). It is
// also the length of the C4 load file data block in LOAD (GPCS 2.3.1 §11.6.2.3)
// and of the INSTALL parameter and token fields (GPCS 2.3.1 Table 11-43).
// It panics if n is negative or above MaxLength: that is a programmer error.
func AppendLength(b []byte, n int) []byte {
	switch {
	case n < 0 || n > MaxLength:
		panic(fmt.Sprintf("tlv: length %d out of range", n))
	case n < 0x80:
		return append(b, byte(n))
	case n <= 0xFF:
		return append(b, 0x81, byte(n))
	case n <= 0xFFFF:
		return append(b, 0x82, byte(n>>8), byte(n))
	}
	return append(b, 0x83, byte(n>>16), byte(n>>8), byte(n))
}

// EncodeLength returns the minimal BER length of n; see AppendLength.
func EncodeLength(n int) []byte { return AppendLength(nil, n) }

// ReadLength reads the definite BER length at the start of b and returns the
// length and the number of bytes it occupied. The indefinite form (80) and
// lengths above MaxLength are errors; non-minimal forms such as 81 05 are
// accepted, as ISO/IEC 7816-4 §5.2.2 allows them.
func ReadLength(b []byte) (int, int, error) {
	if len(b) == 0 {
		return 0, 0, fmt.Errorf("length: %w", ErrTruncated)
	}
	if b[0] < 0x80 {
		return int(b[0]), 1, nil
	}
	k := int(b[0] & 0x7F)
	if k == 0 {
		return 0, 0, fmt.Errorf("length: indefinite form 80 not supported")
	}
	if k > 3 {
		return 0, 0, fmt.Errorf("length: %d length bytes, at most 3 supported", k)
	}
	if len(b) < 1+k {
		return 0, 0, fmt.Errorf("length: %w", ErrTruncated)
	}
	n := 0
	for _, c := range b[1 : 1+k] {
		n = n<<8 | int(c)
	}
	return n, 1 + k, nil
}
