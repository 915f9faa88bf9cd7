package payment

import (
	"encoding/binary"

	"github.com/cardhost/cardhost/gpcard/sw"
)

// command is a parsed short-length command APDU (ISO/IEC 7816-4 §5.1).
type command struct {
	data []byte // aliases the APDU
	le   int    // expected response length, 1–256; 0 when absent
}

// parseCommand splits apdu (at least 4 bytes) into its cases 1–4 with short
// lengths. It reports false for any other layout: an Lc of 00 (extended
// lengths, unsupported) or a body whose size disagrees with Lc.
func parseCommand(apdu []byte) (command, bool) {
	body := apdu[4:]
	switch {
	case len(body) == 0:
		return command{}, true
	case len(body) == 1:
		return command{le: leValue(body[0])}, true
	}
	lc := int(body[0])
	switch {
	case lc == 0:
		return command{}, false
	case len(body) == 1+lc:
		return command{data: body[1:]}, true
	case len(body) == 2+lc:
		return command{data: body[1 : 1+lc], le: leValue(body[1+lc])}, true
	}
	return command{}, false
}

// leValue decodes a short Le byte: 00 means 256.
func leValue(b byte) int {
	if b == 0 {
		return 256
	}
	return int(b)
}

// respond answers data with 9000, or 6Cxx when the command's Le is shorter
// than data (ISO/IEC 7816-3 §10.3.3: the terminal repeats with Le = xx).
func (c command) respond(data []byte) ([]byte, uint16) {
	if c.le != 0 && c.le < len(data) {
		return nil, 0x6C00 | uint16(len(data))
	}
	return data, sw.OK
}

// be32 returns v as 4 big-endian bytes.
func be32(v uint32) []byte { return binary.BigEndian.AppendUint32(nil, v) }
