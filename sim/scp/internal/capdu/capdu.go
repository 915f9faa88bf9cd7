package capdu

import "github.com/cardhost/cardhost/gpcard/sw"

// MaxShort is the longest short command APDU: header(4) ‖ Lc ‖ 255 data
// bytes ‖ Le (ISO/IEC 7816-4 §5.1).
const MaxShort = 4 + 1 + 255 + 1

// Command is a parsed short command APDU. Data is a copy owned by the
// Command.
type Command struct {
	CLA, INS, P1, P2 byte
	Data             []byte
	// HasLe is true when the APDU carried an Le byte (case 2 or 4); Le is its value.
	HasLe bool
	Le    byte
}

// Parse decodes a short command APDU of ISO/IEC 7816-4 §5.1 cases 1–4. It
// returns sw.WrongLength (6700) when the length does not match Lc, when the
// APDU is longer than MaxShort, or when it uses extended length (Lc byte 00
// followed by data), and sw.OK otherwise.
func Parse(b []byte) (Command, uint16) {
	if len(b) < 4 || len(b) > MaxShort {
		return Command{}, sw.WrongLength
	}
	c := Command{CLA: b[0], INS: b[1], P1: b[2], P2: b[3]}
	switch body := b[4:]; {
	case len(body) == 0: // case 1
	case len(body) == 1: // case 2: Le only
		c.HasLe, c.Le = true, body[0]
	case body[0] == 0: // extended length is not supported here
		return Command{}, sw.WrongLength
	case len(body) == 1+int(body[0]): // case 3
		c.Data = append([]byte(nil), body[1:]...)
	case len(body) == 2+int(body[0]): // case 4
		c.Data = append([]byte(nil), body[1:len(body)-1]...)
		c.HasLe, c.Le = true, body[len(body)-1]
	default:
		return Command{}, sw.WrongLength
	}
	return c, sw.OK
}

// Bytes encodes c as a short APDU: header, then Lc ‖ Data when Data is not
// empty, then Le when HasLe. It returns a new slice.
func (c Command) Bytes() []byte {
	out := make([]byte, 0, 6+len(c.Data))
	out = append(out, c.CLA, c.INS, c.P1, c.P2)
	if len(c.Data) > 0 {
		out = append(out, byte(len(c.Data)))
		out = append(out, c.Data...)
	}
	if c.HasLe {
		out = append(out, c.Le)
	}
	return out
}

// SMBit returns the CLA bit that marks secure messaging: b3 ('04') for the
// first interindustry and GlobalPlatform proprietary classes 00–0F / 80–8F,
// b6 ('20') for the further classes 40–7F / C0–FF (ISO/IEC 7816-4 §5.4.1,
// GPCS 2.3.1 §11.1.4 Table 11-11).
func SMBit(cla byte) byte {
	if cla&0x40 != 0 {
		return 0x20
	}
	return 0x04
}

// Secured reports whether cla announces secure messaging.
func Secured(cla byte) bool { return cla&SMBit(cla) != 0 }

// Status splits a response APDU into data and status word. ok is false when
// the response is shorter than the two status bytes.
func Status(rapdu []byte) (data []byte, status uint16, ok bool) {
	if len(rapdu) < 2 {
		return nil, 0, false
	}
	n := len(rapdu) - 2
	return rapdu[:n], uint16(rapdu[n])<<8 | uint16(rapdu[n+1]), true
}

// Append returns data ‖ SW1 SW2 in a new slice.
func Append(data []byte, status uint16) []byte {
	out := make([]byte, 0, len(data)+2)
	out = append(out, data...)
	return append(out, byte(status>>8), byte(status))
}
