package keystore

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/cardhost/cardhost/gpcard/keys"
)

// metadataJSON is the stored form of Metadata: names instead of enum
// numbers, so stored files survive reordering of the Go constants.
type metadataJSON struct {
	Label   string    `json:"label"`
	Kind    string    `json:"kind"`
	Type    string    `json:"type"`
	Method  string    `json:"method,omitempty"`
	KVN     byte      `json:"kvn"`
	KCVs    []KCV     `json:"kcvs"`
	Usage   Usage     `json:"usage"`
	Created time.Time `json:"created"`
}

// MarshalJSON encodes m with kind, type and method as names.
func (m Metadata) MarshalJSON() ([]byte, error) {
	j := metadataJSON{Label: m.Label, Kind: m.Kind.String(), Type: m.Type.String(), KVN: m.KVN, KCVs: m.KCVs, Usage: m.Usage, Created: m.Created}
	if m.Method != 0 {
		j.Method = m.Method.String()
	}
	return json.Marshal(j)
}

// UnmarshalJSON decodes what MarshalJSON produced and checks it is
// consistent (Validate).
func (m *Metadata) UnmarshalJSON(b []byte) error {
	var j metadataJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return fmt.Errorf("keystore: metadata: %w", err)
	}
	out := Metadata{Label: j.Label, KVN: j.KVN, KCVs: j.KCVs, Usage: j.Usage, Created: j.Created}
	switch j.Kind {
	case Static.String():
		out.Kind = Static
	case Master.String():
		out.Kind = Master
	default:
		return fmt.Errorf("keystore: metadata of %q: unknown kind %q", j.Label, j.Kind)
	}
	var err error
	if out.Type, err = ParseType(j.Type); err != nil {
		return err
	}
	if j.Method != "" {
		if out.Method, err = ParseMethod(j.Method); err != nil {
			return err
		}
	}
	if err := out.Validate(); err != nil {
		return err
	}
	*m = out
	return nil
}

// Validate checks that m is self-consistent: a valid label, a known kind
// and type, a method only for a Master and one that fits the type, KVN at
// most 7F, and one 3-byte KCV per key.
func (m Metadata) Validate() error {
	if err := m.validateFields(); err != nil {
		return err
	}
	if len(m.KCVs) != m.Kind.KeyCount() {
		return fmt.Errorf("keystore: %q: %d KCVs for a %v entry", m.Label, len(m.KCVs), m.Kind)
	}
	for _, k := range m.KCVs {
		if len(k) != 3 {
			return fmt.Errorf("keystore: %q: KCV of %d bytes", m.Label, len(k))
		}
	}
	return nil
}

// validateFields checks everything Validate does except the KCVs.
func (m Metadata) validateFields() error {
	if err := ValidLabel(m.Label); err != nil {
		return err
	}
	if m.Type.Len() == 0 {
		return fmt.Errorf("keystore: %q: unknown key type %v", m.Label, m.Type)
	}
	switch m.Kind {
	case Static:
		if m.Method != 0 {
			return fmt.Errorf("keystore: %q: a static key set has no diversification method", m.Label)
		}
	case Master:
		if err := methodFits(m.Method, m.Type); err != nil {
			return fmt.Errorf("keystore: %q: %w", m.Label, err)
		}
	default:
		return fmt.Errorf("keystore: %q: unknown kind %v", m.Label, m.Kind)
	}
	if m.KVN > 0x7F {
		return fmt.Errorf("keystore: %q: KVN %02X out of range 00-7F", m.Label, m.KVN)
	}
	return nil
}

// methodFits checks that a diversification method suits a master key type:
// EMV and VISA2 need a 3DES master, KDF3 an AES master (gp-card.md §9.1).
func methodFits(m keys.Method, t keys.Type) error {
	switch m {
	case keys.EMV, keys.VISA2:
		if t != keys.DES3 {
			return fmt.Errorf("%v diversification needs a 3DES master key", m)
		}
	case keys.KDF3:
		if !t.IsAES() {
			return fmt.Errorf("kdf3 diversification needs an AES master key")
		}
	default:
		return fmt.Errorf("a master key needs a diversification method (emv, visa2, kdf3)")
	}
	return nil
}
