package keystore

import (
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/cardhost/cardhost/gpcard/keys"
)

// Kind says how an entry's keys reach a card. The zero value is unset.
type Kind int

// Entry kinds.
const (
	// Static is a key set (ENC, MAC, DEK) used as it is.
	Static Kind = iota + 1
	// Master is one master key; each card's ENC, MAC and DEK are diversified
	// from it and the card's KDD (gp-card.md §9.1).
	Master
)

// String returns "static" or "master".
func (k Kind) String() string {
	switch k {
	case Static:
		return "static"
	case Master:
		return "master"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// KeyCount returns how many keys an entry of kind k holds: 1 for a Master,
// 3 (ENC, MAC, DEK) otherwise.
func (k Kind) KeyCount() int {
	if k == Master {
		return 1
	}
	return 3
}

// Usage is the set of operations an entry's keys may serve. The zero value
// allows nothing.
type Usage uint8

// Usage bits.
const (
	// UseChannel lets the keys open secure channels: session keys and
	// pseudo-random challenges.
	UseChannel Usage = 1 << iota
	// UsePutKey lets the keys be encrypted for a card in PUT KEY (WrapKey).
	UsePutKey
)

// String lists the usage bits, e.g. "channel+put-key".
func (u Usage) String() string {
	var s []string
	if u&UseChannel != 0 {
		s = append(s, "channel")
	}
	if u&UsePutKey != 0 {
		s = append(s, "put-key")
	}
	if rest := u &^ (UseChannel | UsePutKey); rest != 0 {
		s = append(s, fmt.Sprintf("0x%02x", byte(rest)))
	}
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, "+")
}

// KCV is a 3-byte key check value. It prints and marshals as upper-case hex.
type KCV []byte

// String returns the KCV in upper-case hex.
func (k KCV) String() string { return strings.ToUpper(hex.EncodeToString(k)) }

// MarshalText returns the KCV in upper-case hex.
func (k KCV) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText parses a hex KCV.
func (k *KCV) UnmarshalText(b []byte) error {
	v, err := hex.DecodeString(string(b))
	if err != nil {
		return fmt.Errorf("keystore: KCV %q is not hex", b)
	}
	*k = v
	return nil
}

// Metadata describes an entry without its key bytes; it is safe to log,
// store in job records and return from APIs.
type Metadata struct {
	Label  string      // unique name of the entry
	Kind   Kind        // static key set or master key
	Type   keys.Type   // algorithm and length of every key in the entry
	Method keys.Method // diversification method of a Master; zero for Static
	KVN    byte        // key version the entry answers for; 0 answers for any
	// KCVs holds the check values of ENC, MAC and DEK (Static) or of the
	// master key (Master): 3DES-ECB(00×8) or AES-ECB(01×16), first 3 bytes.
	KCVs    []KCV
	Usage   Usage     // what the keys may be used for
	Created time.Time // when the entry was imported or generated
}

// ParseType parses a key type name as printed by keys.Type.String
// ("3DES", "AES-128", "AES-192", "AES-256").
func ParseType(s string) (keys.Type, error) {
	for t := keys.DES3; t <= keys.AES256; t++ {
		if t.String() == s {
			return t, nil
		}
	}
	return 0, fmt.Errorf("keystore: unknown key type %q", s)
}

// ParseMethod parses a diversification method name as printed by
// keys.Method.String ("emv", "visa2", "kdf3").
func ParseMethod(s string) (keys.Method, error) {
	for m := keys.EMV; m <= keys.KDF3; m++ {
		if m.String() == s {
			return m, nil
		}
	}
	return 0, fmt.Errorf("keystore: unknown diversification method %q", s)
}
