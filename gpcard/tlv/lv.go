package tlv

import "fmt"

// AppendLV appends a one-byte length and v, the coding of the AID, hash and
// privilege fields of INSTALL (GPCS 2.3.1 Tables 11-42..11-47). It returns an
// error if v is longer than 255 bytes.
func AppendLV(b, v []byte) ([]byte, error) {
	if len(v) > 0xFF {
		return nil, fmt.Errorf("tlv: LV value of %d bytes exceeds 255", len(v))
	}
	b = append(b, byte(len(v)))
	return append(b, v...), nil
}

// AppendBERLV appends v preceded by its minimal BER length, the coding of the
// install parameter and token fields of INSTALL (GPCS 2.3.1 Table 11-43:
// "1–3" length bytes). It panics above MaxLength, like AppendLength.
func AppendBERLV(b, v []byte) []byte {
	b = AppendLength(b, len(v))
	return append(b, v...)
}

// ReadLV reads a one-byte length and that many bytes from the start of b and
// returns a copy of the value and the number of bytes consumed.
func ReadLV(b []byte) ([]byte, int, error) {
	if len(b) == 0 {
		return nil, 0, fmt.Errorf("LV length: %w", ErrTruncated)
	}
	n := int(b[0])
	if len(b) < 1+n {
		return nil, 0, fmt.Errorf("LV value of %d bytes: %w", n, ErrTruncated)
	}
	return append([]byte{}, b[1:1+n]...), 1 + n, nil
}

// ReadBERLV reads a BER length and that many bytes from the start of b and
// returns a copy of the value and the number of bytes consumed. A single
// length byte 80 is read as 128, as GPCS 2.3.1 §11.5.2.3 allows for backward
// compatibility.
func ReadBERLV(b []byte) ([]byte, int, error) {
	var n, ln int
	if len(b) > 0 && b[0] == 0x80 {
		n, ln = 0x80, 1
	} else {
		var err error
		if n, ln, err = ReadLength(b); err != nil {
			return nil, 0, err
		}
	}
	if len(b)-ln < n {
		return nil, 0, fmt.Errorf("LV value of %d bytes: %w", n, ErrTruncated)
	}
	return append([]byte{}, b[ln:ln+n]...), ln + n, nil
}
