package command

import (
	"fmt"
	"strings"
)

// Privileges is the 3-byte privilege bitmap of an application or security
// domain (GPCS 2.3.1 §11.1.2, Tables 11-7, 11-8, 11-9).
type Privileges [3]byte

// privilege names a bit pattern: it is held when every bit of mask is set in
// byte idx. Names and order as GlobalPlatformPro prints them (clients.md).
type privilege struct {
	name string
	idx  int
	mask byte
}

var privilegeTable = []privilege{
	{"SecurityDomain", 0, 0x80},
	{"DAPVerification", 0, 0xC0},
	{"DelegatedManagement", 0, 0xA0},
	{"CardLock", 0, 0x10},
	{"CardTerminate", 0, 0x08},
	{"CardReset", 0, 0x04},
	{"CVMManagement", 0, 0x02},
	{"MandatedDAPVerification", 0, 0xC1},
	{"TrustedPath", 1, 0x80},
	{"AuthorizedManagement", 1, 0x40},
	{"TokenVerification", 1, 0x20},
	{"GlobalDelete", 1, 0x10},
	{"GlobalLock", 1, 0x08},
	{"GlobalRegistry", 1, 0x04},
	{"FinalApplication", 1, 0x02},
	{"GlobalService", 1, 0x01},
	{"ReceiptGeneration", 2, 0x80},
	{"CipheredLoadFileDataBlock", 2, 0x40},
	{"ContactlessActivation", 2, 0x20},
	{"ContactlessSelfActivation", 2, 0x10},
	{"PrivacyTrusted", 2, 0x08},
}

// ParsePrivileges reads a 1- or 3-byte privilege field; a single byte leaves
// bytes 2 and 3 zero (GPCS 2.3.1 §11.5.2.3.2 lets the card default them).
func ParsePrivileges(b []byte) (Privileges, error) {
	var p Privileges
	if len(b) != 1 && len(b) != 3 {
		return p, fmt.Errorf("privileges: length %d, want 1 or 3", len(b))
	}
	copy(p[:], b)
	return p, nil
}

// Has reports whether every bit of the named privilege is set; unknown names
// are never held.
func (p Privileges) Has(name string) bool {
	for _, e := range privilegeTable {
		if strings.EqualFold(e.name, name) {
			return p[e.idx]&e.mask == e.mask
		}
	}
	return false
}

// Names lists the privileges held, in table order.
func (p Privileges) Names() []string {
	var out []string
	for _, e := range privilegeTable {
		if p[e.idx]&e.mask == e.mask {
			out = append(out, e.name)
		}
	}
	return out
}

// String joins Names with ", ", the `gp -l` "Privs:" format.
func (p Privileges) String() string { return strings.Join(p.Names(), ", ") }

// ParsePrivilegeNames turns a list of privilege names (case-insensitive, as
// `--privs` accepts them) into a bitmap. Empty items are skipped; an unknown
// name is an error naming it.
func ParsePrivilegeNames(names []string) (Privileges, error) {
	var p Privileges
	for _, n := range names {
		n = strings.TrimSpace(n)
		if n == "" {
			continue
		}
		found := false
		for _, e := range privilegeTable {
			if strings.EqualFold(e.name, n) {
				p[e.idx] |= e.mask
				found = true
				break
			}
		}
		if !found {
			return Privileges{}, fmt.Errorf("privileges: unknown name %q", n)
		}
	}
	return p, nil
}
