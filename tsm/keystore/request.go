package keystore

import (
	"crypto/subtle"
	"fmt"

	"github.com/cardhost/cardhost/gpcard/keys"
	"github.com/cardhost/cardhost/gpcard/secret"
)

// Component is one share of a key in a split-knowledge ceremony, entered by
// one custodian together with its KCV.
type Component struct {
	Key secret.Key // the component's bytes; the store never keeps them
	KCV []byte     // the component's 3-byte KCV, checked before combining
}

// KeyMaterial is one key as entered in a ceremony: the XOR of its
// components (one component is the whole key) and the KCV the combined key
// must have (gp-card.md §9.3: dual control, KCV at every hand-over).
type KeyMaterial struct {
	Components []Component
	KCV        []byte
}

// ImportRequest asks a Store to keep ceremony key material.
type ImportRequest struct {
	Label  string
	Kind   Kind
	Type   keys.Type
	Method keys.Method // diversification method, Master only
	KVN    byte        // 0 answers for any KVN
	Usage  Usage
	// Keys holds ENC, MAC and DEK (KID 1, 2, 3) for a Static set, the one
	// master key for a Master.
	Keys []KeyMaterial
}

// GenerateRequest asks a Store to create random keys inside itself: a
// Static set of three keys or one Master key of the given type.
type GenerateRequest struct {
	Label  string
	Kind   Kind
	Type   keys.Type
	Method keys.Method // Master only
	KVN    byte
	Usage  Usage
}

// Metadata returns the metadata of the entry req would create, without
// KCVs and creation time, after checking the request's fields.
func (req GenerateRequest) Metadata() (Metadata, error) {
	m := Metadata{Label: req.Label, Kind: req.Kind, Type: req.Type, Method: req.Method, KVN: req.KVN, Usage: req.Usage}
	if err := m.validateFields(); err != nil {
		return Metadata{}, err
	}
	return m, nil
}

// Combine checks req and turns its key material into keys: every
// component must have the key's length and match its KCV, and the XOR of
// the components must match the key's KCV. It returns the entry's metadata
// (without creation time) and the combined keys, which the caller must
// Zero. Errors name the label, key and component, never key bytes; KCVs,
// which are public, may appear.
func (req ImportRequest) Combine() (Metadata, []secret.Key, error) {
	m := Metadata{Label: req.Label, Kind: req.Kind, Type: req.Type, Method: req.Method, KVN: req.KVN, Usage: req.Usage}
	if len(req.Keys) != req.Kind.KeyCount() {
		return Metadata{}, nil, fmt.Errorf("keystore: %q: a %v entry needs %d keys, got %d", req.Label, req.Kind, req.Kind.KeyCount(), len(req.Keys))
	}
	var out []secret.Key
	fail := func(err error) (Metadata, []secret.Key, error) {
		for i := range out {
			out[i].Zero()
		}
		return Metadata{}, nil, err
	}
	for i, km := range req.Keys {
		k, kcv, err := combine(req.Type, km)
		if err != nil {
			return fail(fmt.Errorf("keystore: %q key %d: %w", req.Label, i+1, err))
		}
		out = append(out, k)
		m.KCVs = append(m.KCVs, kcv)
	}
	if err := m.Validate(); err != nil {
		return fail(err)
	}
	return m, out, nil
}

func combine(t keys.Type, km KeyMaterial) (secret.Key, KCV, error) {
	if len(km.Components) == 0 {
		return secret.Key{}, nil, fmt.Errorf("no components")
	}
	n := t.Len()
	if n == 0 {
		return secret.Key{}, nil, fmt.Errorf("unknown key type %v", t)
	}
	sum := make([]byte, n)
	defer clear(sum)
	for j, c := range km.Components {
		if c.Key.Len() != n {
			return secret.Key{}, nil, fmt.Errorf("component %d: %v needs %d bytes, got %d", j+1, t, n, c.Key.Len())
		}
		if err := checkKCV(t, c.Key, c.KCV); err != nil {
			return secret.Key{}, nil, fmt.Errorf("component %d: %w", j+1, err)
		}
		_ = c.Key.Use(func(b []byte) error { subtle.XORBytes(sum, sum, b); return nil })
	}
	k := secret.New(sum)
	if err := checkKCV(t, k, km.KCV); err != nil {
		k.Zero()
		return secret.Key{}, nil, fmt.Errorf("combined key: %w", err)
	}
	return k, KCV(append([]byte(nil), km.KCV...)), nil
}

func checkKCV(t keys.Type, k secret.Key, want []byte) error {
	got, err := keys.KCV(t, k)
	if err != nil {
		return err
	}
	if len(want) != 3 || subtle.ConstantTimeCompare(got, want) != 1 {
		return fmt.Errorf("%w: computed %v, entered %v", ErrKCVMismatch, KCV(got), KCV(want))
	}
	return nil
}

// ValidLabel checks a label: 1 to 128 characters from A-Z a-z 0-9 and
// . _ - : / (labels appear in logs, errors and PKCS#11 CKA_LABEL).
func ValidLabel(s string) error {
	if s == "" || len(s) > 128 {
		return fmt.Errorf("keystore: label must be 1 to 128 characters, got %d", len(s))
	}
	for _, r := range s {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-' || r == ':' || r == '/'
		if !ok {
			return fmt.Errorf("keystore: label %q: character %q not allowed (A-Z a-z 0-9 . _ - : /)", s, r)
		}
	}
	return nil
}
