package profile

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
)

// DefaultName is the name of the default embedded profile.
const DefaultName = "gp231-scp02-i15"

//go:embed profiles/*.json
var embedded embed.FS

// Profile is a card model. Zero-valued optional fields take the defaults
// documented on each field when the card is built.
type Profile struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	ATR         Hex    `json:"atr"`
	ISDAID      Hex    `json:"isd_aid"`    // default A000000151000000
	GPVersion   string `json:"gp_version"` // "2.3.1"
	// SCP is the secure channel protocol of the ISD (2 or 3) and I its
	// implementation option.
	SCP Byte `json:"scp"`
	I   Byte `json:"i"`
	// KeyType is "DES3" (16-byte two-key 3DES, SCP02) or "AES" (16, 24 or
	// 32 bytes, SCP03).
	KeyType string `json:"key_type"`
	KVN     Byte   `json:"kvn"`
	Keys    struct {
		ENC Hex `json:"enc"`
		MAC Hex `json:"mac"`
		DEK Hex `json:"dek"`
	} `json:"keys"`
	// ReceiptKey is the ISD's receipt key for Delegated Management receipts
	// (GPCS 2.3.1 §C.5), of KeyType: a DES3 key gives 8-byte 3DES retail-MAC
	// receipts, an AES key 16-byte AES-CMAC receipts. Empty: no receipts.
	// The ISD needs the Receipt Generation privilege (byte 3, 80) too.
	ReceiptKey Hex `json:"receipt_key,omitempty"`
	// SequenceCounter is the initial sequence counter of the key set.
	SequenceCounter uint32 `json:"sequence_counter,omitempty"`
	KDD             Hex    `json:"kdd"` // 10 bytes
	IIN             Hex    `json:"iin,omitempty"`
	CIN             Hex    `json:"cin,omitempty"`
	CPLC            CPLC   `json:"cplc"`
	// LifeCycle is the initial card life cycle: OP_READY, INITIALIZED or
	// SECURED (default OP_READY).
	LifeCycle     string `json:"life_cycle,omitempty"`
	ISDPrivileges Hex    `json:"isd_privileges"` // 3 bytes
	// Memory is the non-volatile memory available to load files and
	// applications, in bytes.
	Memory int `json:"memory"`
	// MaxBlock is the maximum length of a command data field (FCI 9F65).
	MaxBlock         int  `json:"max_block"`
	ExtendedLength   bool `json:"extended_length,omitempty"`
	AuthFailureLimit int  `json:"auth_failure_limit"`
	// Packages are load files present at manufacture (ROM), such as the
	// Security Domain package A0000001515350 with module A000000151535041.
	Packages []Package `json:"packages,omitempty"`
}

// Package is a preloaded Executable Load File.
type Package struct {
	AID     Hex    `json:"aid"`
	Version string `json:"version,omitempty"` // "major.minor"
	Modules []Hex  `json:"modules"`
}

// Names lists the embedded profiles.
func Names() []string {
	entries, err := embedded.ReadDir("profiles")
	if err != nil {
		return nil
	}
	var names []string
	for _, e := range entries {
		names = append(names, strings.TrimSuffix(e.Name(), ".json"))
	}
	sort.Strings(names)
	return names
}

// Embedded returns a fresh copy of the embedded profile name.
func Embedded(name string) (*Profile, error) {
	b, err := embedded.ReadFile("profiles/" + name + ".json")
	if err != nil {
		return nil, fmt.Errorf("profile: no embedded profile %q (have %s)", name, strings.Join(Names(), ", "))
	}
	return Parse(name, b)
}

// Default returns a fresh copy of the default profile (DefaultName).
func Default() *Profile {
	p, err := Embedded(DefaultName)
	if err != nil {
		panic(err) // the embedded profile is checked by the package tests
	}
	return p
}

// Load reads and validates the profile file at path.
func Load(path string) (*Profile, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("profile: %w", err)
	}
	return Parse(path, b)
}

// Parse decodes and validates a profile; name is used in errors. Unknown
// fields are errors.
func Parse(name string, b []byte) (*Profile, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	p := new(Profile)
	if err := d.Decode(p); err != nil {
		return nil, fmt.Errorf("profile %s: %w", name, err)
	}
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("profile %s: %w", name, err)
	}
	return p, nil
}

// LifeCycleByte returns the card life-cycle coding of LifeCycle (GPCS 2.3.1
// Table 11-6).
func (p *Profile) LifeCycleByte() (byte, error) {
	switch p.LifeCycle {
	case "", "OP_READY":
		return 0x01, nil
	case "INITIALIZED":
		return 0x07, nil
	case "SECURED":
		return 0x0F, nil
	}
	return 0, fmt.Errorf("life_cycle: %q is not OP_READY, INITIALIZED or SECURED", p.LifeCycle)
}

// GPVersionBytes returns the GlobalPlatform version as major, minor, patch.
func (p *Profile) GPVersionBytes() ([3]byte, error) {
	var v [3]byte
	parts := strings.Split(p.GPVersion, ".")
	if len(parts) < 2 || len(parts) > 3 {
		return v, fmt.Errorf("gp_version: %q is not major.minor[.patch]", p.GPVersion)
	}
	for i, s := range parts {
		var n int
		if _, err := fmt.Sscanf(s, "%d", &n); err != nil || n < 0 || n > 127 || fmt.Sprint(n) != s {
			return v, fmt.Errorf("gp_version: bad component %q", s)
		}
		v[i] = byte(n)
	}
	return v, nil
}

// Validate checks every field; the error names the first bad field.
func (p *Profile) Validate() error {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	if len(p.ATR) < 2 || len(p.ATR) > 33 {
		bad("atr: %d bytes, want 2 to 33", len(p.ATR))
	}
	if l := len(p.ISDAID); l < 5 || l > 16 {
		bad("isd_aid: %d bytes, want 5 to 16", l)
	}
	if _, err := p.GPVersionBytes(); err != nil {
		bad("%v", err)
	}
	if _, err := p.LifeCycleByte(); err != nil {
		bad("%v", err)
	}
	switch p.SCP {
	case 2:
		if p.KeyType != "DES3" {
			bad("key_type: SCP02 needs DES3 keys, not %q", p.KeyType)
		}
	case 3:
		if p.KeyType != "AES" {
			bad("key_type: SCP03 needs AES keys, not %q", p.KeyType)
		}
	default:
		bad("scp: %02X, want 02 or 03", byte(p.SCP))
	}
	if p.KVN == 0 {
		bad("kvn: must not be 00")
	}
	for _, k := range []struct {
		name string
		v    Hex
	}{{"keys.enc", p.Keys.ENC}, {"keys.mac", p.Keys.MAC}, {"keys.dek", p.Keys.DEK}} {
		if err := checkKeyLength(p.KeyType, len(k.v)); err != nil {
			bad("%s: %v", k.name, err)
		}
	}
	if len(p.Keys.ENC) != len(p.Keys.MAC) || len(p.Keys.ENC) != len(p.Keys.DEK) {
		bad("keys: ENC, MAC and DEK must have the same length")
	}
	if len(p.ReceiptKey) > 0 {
		if err := checkKeyLength(p.KeyType, len(p.ReceiptKey)); err != nil {
			bad("receipt_key: %v", err)
		}
	}
	if len(p.KDD) != 10 {
		bad("kdd: %d bytes, want 10", len(p.KDD))
	}
	if _, err := p.CPLC.Bytes(); err != nil {
		bad("%v", err)
	}
	if len(p.ISDPrivileges) != 3 || p.ISDPrivileges[0]&0x80 == 0 {
		bad("isd_privileges: want 3 bytes with the Security Domain bit (80) set")
	}
	if p.Memory <= 0 {
		bad("memory: must be positive")
	}
	if p.MaxBlock < 16 || p.MaxBlock > 65535 || (!p.ExtendedLength && p.MaxBlock > 255) {
		bad("max_block: %d, want 16 to 255 (65535 with extended_length)", p.MaxBlock)
	}
	if p.AuthFailureLimit <= 0 || p.AuthFailureLimit > 255 {
		bad("auth_failure_limit: %d, want 1 to 255", p.AuthFailureLimit)
	}
	for i, pk := range p.Packages {
		if l := len(pk.AID); l < 5 || l > 16 {
			bad("packages[%d].aid: %d bytes, want 5 to 16", i, l)
		}
		if _, err := ParseVersion(pk.Version); err != nil {
			bad("packages[%d].version: %v", i, err)
		}
		for j, m := range pk.Modules {
			if l := len(m); l < 5 || l > 16 {
				bad("packages[%d].modules[%d]: %d bytes, want 5 to 16", i, j, l)
			}
		}
	}
	return errors.Join(errs...)
}

func checkKeyLength(keyType string, n int) error {
	switch {
	case keyType == "DES3" && n == 16:
	case keyType == "AES" && (n == 16 || n == 24 || n == 32):
	default:
		return fmt.Errorf("%d bytes is not a valid %s key length", n, keyType)
	}
	return nil
}

// ParseVersion parses "major.minor" (each 0–255); "" is 1.0.
func ParseVersion(s string) ([2]byte, error) {
	if s == "" {
		return [2]byte{1, 0}, nil
	}
	var maj, min int
	if _, err := fmt.Sscanf(s, "%d.%d", &maj, &min); err != nil || maj < 0 || maj > 255 || min < 0 || min > 255 ||
		fmt.Sprintf("%d.%d", maj, min) != s {
		return [2]byte{}, fmt.Errorf("%q is not major.minor", s)
	}
	return [2]byte{byte(maj), byte(min)}, nil
}
