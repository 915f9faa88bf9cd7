package main

import (
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	"github.com/cardhost/cardhost/gpcard"
	"github.com/spf13/pflag"
)

// globalFlags are the flags every card command shares, as typed on the
// command line (or taken from CARDHOST_ variables); settings parses them.
type globalFlags struct {
	reader                      string
	sd                          string
	key, keyENC, keyMAC, keyDEK string
	kvn                         string
	scp, scpI, sec              string
	trace                       int
	json                        bool
}

// register declares the global flags on fs.
func (g *globalFlags) register(fs *pflag.FlagSet) {
	fs.StringVarP(&g.reader, "reader", "r", "", "PC/SC reader: name, unique substring or index; sim:PATH for a simulated card image")
	fs.StringVar(&g.sd, "sd", "", "AID of the security domain to work with (default: the discovered ISD)")
	fs.StringVar(&g.key, "key", "", "key SPEC for ENC, MAC and DEK: default | HEX | emv:HEX | visa2:HEX | kdf3:HEX (default \"default\")")
	fs.StringVar(&g.keyENC, "key-enc", "", "Key-ENC (HEX), overriding --key")
	fs.StringVar(&g.keyMAC, "key-mac", "", "Key-MAC (HEX), overriding --key")
	fs.StringVar(&g.keyDEK, "key-dek", "", "Key-DEK (HEX), overriding --key")
	fs.StringVar(&g.kvn, "kvn", "", "key version to authenticate with, hex (default: the card's choice)")
	fs.StringVar(&g.scp, "scp", "", "secure channel protocol: 02 or 03 (default: what the card announces)")
	fs.StringVar(&g.scpI, "scp-i", "", "SCP implementation option i, hex (default: the card's)")
	fs.StringVar(&g.sec, "sec", "", "security level: mac, enc, rmac or renc; combine with commas (default mac)")
	fs.CountVarP(&g.trace, "trace", "d", "trace APDUs to stderr, secrets redacted; twice (-dd) adds debug log lines")
	fs.BoolVar(&g.json, "json", false, "print machine-readable JSON on stdout")
}

// authOptions parses --kvn, --scp, --scp-i and --sec.
func (g *globalFlags) authOptions() (gpcard.AuthOptions, error) {
	var o gpcard.AuthOptions
	var err error
	if o.KVN, err = optHexByte("--kvn", g.kvn); err != nil {
		return o, err
	}
	switch strings.TrimPrefix(strings.ToUpper(g.scp), "SCP") {
	case "":
	case "2", "02":
		o.SCP = 0x02
	case "3", "03":
		o.SCP = 0x03
	default:
		return o, usagef("--scp %q: want 02 or 03", g.scp)
	}
	if o.I, err = optHexByte("--scp-i", g.scpI); err != nil {
		return o, err
	}
	o.Level, err = parseLevel(g.sec)
	return o, err
}

// parseLevel turns "mac", "enc", "rmac", "renc" (comma separated) into
// security level bits: enc and rmac imply mac, renc implies enc and rmac.
func parseLevel(s string) (gpcard.Level, error) {
	var l gpcard.Level
	for _, p := range strings.Split(s, ",") {
		switch strings.ToLower(strings.TrimSpace(p)) {
		case "":
		case "mac", "cmac":
			l |= gpcard.CMAC
		case "enc", "cdec":
			l |= gpcard.CMAC | gpcard.CDEC
		case "rmac":
			l |= gpcard.CMAC | gpcard.RMAC
		case "renc":
			l |= gpcard.CMAC | gpcard.CDEC | gpcard.RMAC | gpcard.RENC
		default:
			return 0, usagef("--sec %q: want mac, enc, rmac or renc", p)
		}
	}
	return l, nil
}

// optHexByte parses an optional one-byte hex flag value; "" is 0.
func optHexByte(flag, s string) (byte, error) {
	if s == "" {
		return 0, nil
	}
	v, err := strconv.ParseUint(strings.TrimPrefix(strings.ToLower(s), "0x"), 16, 8)
	if err != nil {
		return 0, usagef("%s %q: want one byte in hex, e.g. 01", flag, s)
	}
	return byte(v), nil
}

// parseHex parses a hex argument (spaces and colons allowed) named what.
func parseHex(what, s string) ([]byte, error) {
	clean := strings.NewReplacer(" ", "", ":", "").Replace(s)
	b, err := hex.DecodeString(clean)
	if err != nil {
		return nil, usagef("%s %q is not hex", what, s)
	}
	return b, nil
}

// parseAID parses an AID: 5 to 16 bytes of hex.
func parseAID(what, s string) ([]byte, error) {
	b, err := parseHex(what, s)
	if err != nil {
		return nil, err
	}
	if len(b) < 5 || len(b) > 16 {
		return nil, usagef("%s %s: an AID has 5 to 16 bytes, got %d", what, s, len(b))
	}
	return b, nil
}

// optAID parses an optional AID flag; "" is nil.
func optAID(what, s string) ([]byte, error) {
	if s == "" {
		return nil, nil
	}
	return parseAID(what, s)
}

// splitList splits a comma- or space-separated flag value (privileges).
func splitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' })
}

// hexUpperByte prints a byte as two upper-case hex digits.
func hexUpperByte(b byte) string { return fmt.Sprintf("%02X", b) }
