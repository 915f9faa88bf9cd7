package payment

import (
	"fmt"

	"github.com/cardhost/cardhost/gpcard/tlv"
)

// Install parameter tags (the value of C9); see the package doc.
const (
	tagInstallVersion tlv.Tag = 0x80
	tagInstallFlags   tlv.Tag = 0x81
)

// maxVersionLen is the longest version string an install parameter may set.
const maxVersionLen = 16

// installParams are the parsed install parameters; zero means none given.
type installParams struct {
	version  string
	flags    Flags
	hasFlags bool
}

// parseInstallParams parses the value of C9: empty, or BER-TLV with tags 80
// (version) and 81 (flags), each at most once.
func parseInstallParams(b []byte) (installParams, error) {
	var ip installParams
	list, err := tlv.Parse(b)
	if err != nil {
		return ip, fmt.Errorf("payment: install parameters: %w", err)
	}
	seen := map[tlv.Tag]bool{}
	for _, t := range list {
		if seen[t.Tag] {
			return ip, fmt.Errorf("payment: install parameters: tag %s twice", t.Tag)
		}
		seen[t.Tag] = true
		switch t.Tag {
		case tagInstallVersion:
			if !validVersion(t.Value) {
				return ip, fmt.Errorf("payment: install parameters: version must be 1 to %d printable ASCII bytes", maxVersionLen)
			}
			ip.version = string(t.Value)
		case tagInstallFlags:
			if len(t.Value) != 1 || !validFlags(t.Value) {
				return ip, fmt.Errorf("payment: install parameters: flags must be one byte with bits %02X only", byte(flagsKnown))
			}
			ip.flags, ip.hasFlags = Flags(t.Value[0]), true
		default:
			return ip, fmt.Errorf("payment: install parameters: unknown tag %s", t.Tag)
		}
	}
	return ip, nil
}

// validVersion reports whether v is 1 to maxVersionLen printable ASCII bytes.
func validVersion(v []byte) bool {
	if len(v) == 0 || len(v) > maxVersionLen {
		return false
	}
	for _, c := range v {
		if c < 0x20 || c > 0x7E {
			return false
		}
	}
	return true
}
