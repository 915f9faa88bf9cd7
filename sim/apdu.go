package sim

import "github.com/cardhost/cardhost/gpcard/sw"

// Instruction bytes (GPCS 2.3.1 §11, Table 11-2; ISO/IEC 7816-4 §11).
const (
	insDelete        = 0xE4
	insGetData       = 0xCA
	insGetDataOdd    = 0xCB
	insGetStatus     = 0xF2
	insInstall       = 0xE6
	insLoad          = 0xE8
	insManageChannel = 0x70
	insPutKey        = 0xD8
	insSelect        = 0xA4
	insSetStatus     = 0xF0
	insStoreData     = 0xE2
	insInitUpdate    = 0x50
	insExtAuth       = 0x82
)

// Status words not in package sw.
const (
	swChannelNotSupported uint16 = 0x6881 // ISO/IEC 7816-4 Table 6: logical channel not supported
	swChainingUnsupported uint16 = 0x6884 // ISO/IEC 7816-4 Table 6: command chaining not supported
	swMemoryFailure       uint16 = 0x6581 // ISO/IEC 7816-4 Table 6: memory failure (commit failed)
)

// command is one parsed command APDU (ISO/IEC 7816-3 §12.1 cases 1–4, short
// and extended).
type command struct {
	cla, ins, p1, p2 byte
	data             []byte // aliases the input
	le               int    // -1 when absent; 256 or 65536 for a zero Le
	extended         bool
}

// parseCommand decodes b; it returns 6700 for a malformed length.
func parseCommand(b []byte) (command, uint16) {
	c := command{le: -1}
	if len(b) < 4 {
		return c, sw.WrongLength
	}
	c.cla, c.ins, c.p1, c.p2 = b[0], b[1], b[2], b[3]
	body := b[4:]
	switch {
	case len(body) == 0: // case 1
	case len(body) == 1: // case 2S
		c.le = leShort(body[0])
	case body[0] != 0: // case 3S / 4S
		lc := int(body[0])
		switch len(body) {
		case 1 + lc:
		case 2 + lc:
			c.le = leShort(body[1+lc])
		default:
			return c, sw.WrongLength
		}
		c.data = body[1 : 1+lc]
	case len(body) == 3: // case 2E
		c.extended = true
		c.le = leExtended(body[1:3])
	case len(body) >= 4: // case 3E / 4E
		c.extended = true
		lc := int(body[1])<<8 | int(body[2])
		if lc == 0 {
			return c, sw.WrongLength
		}
		switch len(body) {
		case 3 + lc:
		case 5 + lc:
			c.le = leExtended(body[3+lc:])
		default:
			return c, sw.WrongLength
		}
		c.data = body[3 : 3+lc]
	default:
		return c, sw.WrongLength
	}
	return c, 0
}

func leShort(b byte) int {
	if b == 0 {
		return 256
	}
	return int(b)
}

func leExtended(b []byte) int {
	n := int(b[0])<<8 | int(b[1])
	if n == 0 {
		return 65536
	}
	return n
}

// class is a decoded CLA byte.
type class struct {
	channel     int
	sm          bool // secure messaging indicated
	proprietary bool // b8 set: GlobalPlatform proprietary class
}

// decodeClass decodes CLA (ISO/IEC 7816-4 §5.4.1 Tables 2–3; GPCS 2.3.1
// §11.1.4 Table 11-11: GP commands use 80–8F, C0–CF, E0–EF, b3 / b6 = secure
// messaging). Command chaining (b5) is not supported.
func decodeClass(cla byte) (class, uint16) {
	if cla == 0xFF {
		return class{}, sw.ClaNotSupported
	}
	cl := class{proprietary: cla&0x80 != 0}
	switch cla & 0x60 {
	case 0x00: // first interindustry: 000x xxxx (or 100x xxxx)
		if cla&0x10 != 0 {
			return cl, swChainingUnsupported
		}
		cl.channel = int(cla & 0x03)
		cl.sm = cla&0x0C != 0
	case 0x40, 0x60: // further interindustry: 01xx xxxx (or 11xx xxxx)
		if cla&0x10 != 0 {
			return cl, swChainingUnsupported
		}
		cl.channel = 4 + int(cla&0x0F)
		cl.sm = cla&0x20 != 0
	default: // 001x xxxx and 101x xxxx are RFU
		return cl, sw.ClaNotSupported
	}
	return cl, 0
}

// respond appends the status word to data.
func respond(data []byte, status uint16) []byte {
	out := make([]byte, len(data), len(data)+2)
	copy(out, data)
	return append(out, byte(status>>8), byte(status))
}
