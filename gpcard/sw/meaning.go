package sw

import "fmt"

// meanings maps exact status words to their meaning: ISO/IEC 7816-4:2013
// §5.6 Tables 5 and 6 (interindustry values) and GPCS 2.3.1 §11.1.3 Tables
// 11-10 and the per-command error tables of §11 (GlobalPlatform values).
// Extend the table; do not special-case callers.
var meanings = map[uint16]string{
	// Normal processing.
	0x9000: "success",
	// Warnings, non-volatile memory unchanged (ISO/IEC 7816-4 Table 6).
	0x6200: "warning: no information given, memory unchanged",
	0x6281: "part of returned data may be corrupted",
	0x6282: "end of file or record reached before reading Ne bytes",
	0x6283: "selected file invalidated (card or application locked)",
	0x6284: "file control information not formatted correctly",
	0x6285: "selected file in termination state",
	0x6286: "no input data available from a sensor on the card",
	0x6287: "at least one of the referenced records is deactivated",
	// Warnings, non-volatile memory changed.
	0x6300: "warning: no information given, memory changed (authentication failed)",
	0x6310: "more data available",
	0x6381: "file filled up by the last write",
	// Execution errors.
	0x6400: "execution error, memory unchanged",
	0x6401: "immediate response required by the card",
	0x6500: "execution error, memory changed",
	0x6581: "memory failure",
	0x6600: "security-related issue",
	// Checking errors.
	0x6700: "wrong length",
	0x6800: "functions in CLA not supported",
	0x6881: "logical channel not supported",
	0x6882: "secure messaging not supported",
	0x6883: "last command of the chain expected",
	0x6884: "command chaining not supported",
	0x6900: "command not allowed",
	0x6981: "command incompatible with file structure",
	0x6982: "security status not satisfied",
	0x6983: "authentication method blocked",
	0x6984: "reference data not usable",
	0x6985: "conditions of use not satisfied",
	0x6986: "command not allowed (no current EF)",
	0x6987: "expected secure messaging data objects missing",
	0x6988: "incorrect secure messaging data objects",
	0x6999: "applet selection failed",
	0x6A00: "wrong parameters P1-P2, no information given",
	0x6A80: "incorrect values in command data",
	0x6A81: "function not supported",
	0x6A82: "application or file not found",
	0x6A83: "record not found",
	0x6A84: "not enough memory space",
	0x6A85: "Nc inconsistent with TLV structure",
	0x6A86: "incorrect P1 P2",
	0x6A87: "Nc inconsistent with P1 P2",
	0x6A88: "referenced data not found",
	0x6A89: "file already exists",
	0x6A8A: "DF name already exists",
	0x6B00: "wrong parameters P1-P2",
	0x6D00: "instruction not supported or invalid",
	0x6E00: "class not supported",
	0x6F00: "no precise diagnosis",
	// GlobalPlatform deprecated PUT KEY errors (GPCS 2.3.1 §11.8.3.2).
	0x9484: "algorithm not supported",
	0x9485: "invalid key check value",
}

// Meaning returns a short lower-case description of status, or a generic one
// by SW1 range when the exact word is unknown.
func Meaning(status uint16) string {
	if m, ok := meanings[status]; ok {
		return m
	}
	lo := status & 0xFF
	switch status >> 8 {
	case 0x61:
		return fmt.Sprintf("%d response bytes still available", lo)
	case 0x6C:
		return fmt.Sprintf("wrong Le; exact length is %d", lo)
	case 0x63:
		if lo&0xF0 == 0xC0 {
			return fmt.Sprintf("verification failed, %d tries left", lo&0x0F)
		}
		return "warning, memory changed"
	case 0x62:
		if lo >= 0x02 && lo <= 0x80 {
			return fmt.Sprintf("triggering by the card, %d bytes of query data", lo)
		}
		return "warning, memory unchanged"
	case 0x64:
		return "execution error, memory unchanged"
	case 0x65:
		return "execution error, memory changed"
	case 0x66:
		return "security-related issue"
	case 0x68:
		return "functions in CLA not supported"
	case 0x69:
		return "command not allowed"
	case 0x6A:
		return "wrong parameters P1-P2"
	}
	return "unknown status"
}
