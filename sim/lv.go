package sim

import (
	"errors"

	"github.com/cardhost/cardhost/gpcard/tlv"
)

var errBadInstall = errors.New("sim: malformed INSTALL data")

// lvReader reads the LV fields of INSTALL; the first error sticks and every
// later read returns nil.
type lvReader struct {
	b   []byte
	err error
}

// lv reads a one-byte length and value.
func (r *lvReader) lv() []byte { return r.read(tlv.ReadLV) }

// berLV reads a BER length (one byte 80 meaning 128, GPCS 2.3.1 §11.5.2.3)
// and value.
func (r *lvReader) berLV() []byte { return r.read(tlv.ReadBERLV) }

func (r *lvReader) read(f func([]byte) ([]byte, int, error)) []byte {
	if r.err != nil {
		return nil
	}
	v, n, err := f(r.b)
	if err != nil {
		r.err = err
		return nil
	}
	r.b = r.b[n:]
	return v
}
