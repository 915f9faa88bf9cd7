package command

import (
	"fmt"

	"github.com/cardhost/cardhost/gpcard/tlv"
	"github.com/skythen/apdu"
)

// StoreDataFormat is the data structure announced in STORE DATA P1 b5–b4
// (GPCS 2.3.1 §11.11.2.1, Table 11-89); the zero value is "no information".
type StoreDataFormat byte

// STORE DATA structures.
const (
	StoreNoInfo StoreDataFormat = 0x00
	StoreDGI    StoreDataFormat = 0x08 // b5–b4 = 01
	StoreBER    StoreDataFormat = 0x10 // b5–b4 = 10
)

// StoreDataOptions select the STORE DATA P1 bits.
type StoreDataOptions struct {
	// Format is the data structure (DGI or BER-TLV).
	Format StoreDataFormat
	// Encrypted sets b7–b6 = 11: every block is encrypted (with the DEK
	// as gp-card.md §1.8 says; the caller encrypts).
	Encrypted bool
	// ExpectResponse sets b1 (case 4 command, response data expected).
	ExpectResponse bool
}

// StoreData splits data into STORE DATA commands of at most blockSize
// bytes: 80 E2 <P1> <block number> Lc block, P1 b8 set on the last block
// (GPCS 2.3.1 §11.11.2.1–2). Splitting may cut a DGI across blocks, which
// the spec allows. More than 256 blocks is an error.
func StoreData(data []byte, blockSize int, o StoreDataOptions) ([]apdu.Capdu, error) {
	return StoreDataSegments([]StoreDataSegment{{Data: data, Encrypted: o.Encrypted}}, blockSize, o)
}

// StoreDataSegment is a run of STORE DATA content sharing one encryption
// indicator (P1 b7–b6, GPCS 2.3.1 Table 11-89).
type StoreDataSegment struct {
	// Data is the content; in DGI format, whole DGIs.
	Data []byte
	// Encrypted announces the segment's blocks as encrypted data (b7–b6 =
	// 11); in DGI format every DGI value in it is encrypted.
	Encrypted bool
}

// StoreDataSegments is StoreData over several segments: each non-empty
// segment starts a new block, so a block never mixes encrypted and clear
// data, and block numbers run on from 00 across segments. o.Encrypted is
// ignored (each segment says). With no data at all it returns one empty
// last block, as StoreData does.
func StoreDataSegments(segs []StoreDataSegment, blockSize int, o StoreDataOptions) ([]apdu.Capdu, error) {
	if blockSize < 1 || blockSize > apdu.MaxLenCommandDataStandard {
		return nil, fmt.Errorf("STORE DATA: block size %d, want 1 to 255", blockSize)
	}
	if o.Format != StoreNoInfo && o.Format != StoreDGI && o.Format != StoreBER {
		return nil, fmt.Errorf("STORE DATA: invalid format %02X", byte(o.Format))
	}
	type block struct {
		data []byte
		enc  bool
	}
	var blocks []block
	for _, sg := range segs {
		for off := 0; off < len(sg.Data); off += blockSize {
			blocks = append(blocks, block{sg.Data[off:min(off+blockSize, len(sg.Data))], sg.Encrypted})
		}
	}
	if len(blocks) == 0 {
		enc := len(segs) > 0 && segs[0].Encrypted
		blocks = append(blocks, block{enc: enc})
	}
	if len(blocks) > maxLoadBlocks {
		return nil, fmt.Errorf("STORE DATA: %d blocks exceed %d", len(blocks), maxLoadBlocks)
	}
	out := make([]apdu.Capdu, 0, len(blocks))
	for i, b := range blocks {
		c := apdu.Capdu{Cla: claGP, Ins: insStoreData, P1: byte(o.Format), P2: byte(i), Data: append([]byte(nil), b.data...)}
		if b.enc {
			c.P1 |= 0x60
		}
		if i == len(blocks)-1 {
			c.P1 |= 0x80
		}
		if o.ExpectResponse {
			c.P1 |= 0x01
			c.Ne = neMax
		}
		out = append(out, c)
	}
	return out, nil
}

// DGI is one Data Grouping Identifier record of STORE DATA in DGI format.
type DGI struct {
	// ID is the 2-byte DGI, e.g. 0x00B9 (key CRT) or 0x8113 (secret key).
	ID uint16
	// Value is the DGI content.
	Value []byte
}

// AppendDGI appends ID ‖ length ‖ value: the length is one byte for 0–254
// and FF followed by two bytes otherwise (GPCS 2.3.1 §11.11.2.3, Table
// 11-90). It returns an error above 65535 bytes.
func AppendDGI(b []byte, d DGI) ([]byte, error) {
	b = append(b, byte(d.ID>>8), byte(d.ID))
	switch n := len(d.Value); {
	case n < 0xFF:
		b = append(b, byte(n))
	case n <= 0xFFFF:
		b = append(b, 0xFF, byte(n>>8), byte(n))
	default:
		return nil, fmt.Errorf("DGI %04X: %d bytes exceed 65535", d.ID, n)
	}
	return append(b, d.Value...), nil
}

// ParseDGIs parses a concatenation of DGI records, the inverse of AppendDGI.
// All input must be consumed; values are copied.
func ParseDGIs(data []byte) ([]DGI, error) {
	var out []DGI
	for off := 0; off < len(data); {
		if len(data)-off < 3 {
			return nil, fmt.Errorf("DGI: offset %d: header: %w", off, tlv.ErrTruncated)
		}
		d := DGI{ID: uint16(data[off])<<8 | uint16(data[off+1])}
		n, hdr := int(data[off+2]), 3
		if n == 0xFF {
			if len(data)-off < 5 {
				return nil, fmt.Errorf("DGI %04X: offset %d: length: %w", d.ID, off+2, tlv.ErrTruncated)
			}
			n, hdr = int(data[off+3])<<8|int(data[off+4]), 5
		}
		if len(data)-off-hdr < n {
			return nil, fmt.Errorf("DGI %04X: offset %d: value of %d bytes: %w", d.ID, off+hdr, n, tlv.ErrTruncated)
		}
		d.Value = append([]byte{}, data[off+hdr:off+hdr+n]...)
		out = append(out, d)
		off += hdr + n
	}
	return out, nil
}
