package sw

import "fmt"

// meanings maps exact status words to their meaning (ISO/IEC 7816-4 §5.6,
// GPCS 2.3.1 §11.1.3). Extend the table; do not special-case callers.
var meanings = map[uint16]string{
	0x9000: "success",
	0x6283: "selected file invalidated (card or application locked)",
	0x6310: "more data available",
	0x6700: "wrong length",
	0x6982: "security status not satisfied",
	0x6983: "authentication method blocked",
	0x6985: "conditions of use not satisfied",
	0x6A80: "incorrect values in command data",
	0x6A81: "function not supported",
	0x6A82: "application or file not found",
	0x6A84: "not enough memory space",
	0x6A86: "incorrect P1 P2",
	0x6A88: "referenced data not found",
	0x6D00: "instruction not supported or invalid",
	0x6E00: "class not supported",
	0x6F00: "no precise diagnosis",
}

// Meaning returns a short lower-case description of status, or a generic one
// by SW1 range when the exact word is unknown.
func Meaning(status uint16) string {
	if m, ok := meanings[status]; ok {
		return m
	}
	switch status >> 8 {
	case 0x61:
		return fmt.Sprintf("%d response bytes still available", status&0xFF)
	case 0x6C:
		return fmt.Sprintf("wrong Le; exact length is %d", status&0xFF)
	case 0x63:
		if status&0xF0 == 0xC0 {
			return fmt.Sprintf("verification failed, %d tries left", status&0x0F)
		}
	}
	return "unknown status"
}
