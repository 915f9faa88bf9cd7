//go:build cgo

package pkcs11

import (
	"encoding/json"
	"fmt"

	p11 "github.com/miekg/pkcs11"

	"github.com/cardhost/cardhost/gpcard/keys"
	"github.com/cardhost/cardhost/tsm/keystore"
)

// find returns the objects matching template.
func (s *store) find(sh p11.SessionHandle, template []*p11.Attribute) ([]p11.ObjectHandle, error) {
	c := s.mod.ctx
	if err := c.FindObjectsInit(sh, template); err != nil {
		return nil, err
	}
	defer c.FindObjectsFinal(sh)
	var all []p11.ObjectHandle
	for {
		objs, _, err := c.FindObjects(sh, 64)
		if err != nil {
			return nil, err
		}
		if len(objs) == 0 {
			return all, nil
		}
		all = append(all, objs...)
	}
}

func metaTemplate(label string) []*p11.Attribute {
	t := []*p11.Attribute{p11.NewAttribute(p11.CKA_CLASS, p11.CKO_DATA), p11.NewAttribute(p11.CKA_APPLICATION, application)}
	if label != "" {
		t = append(t, p11.NewAttribute(p11.CKA_LABEL, label))
	}
	return t
}

// metadata reads the metadata of label.
func (s *store) metadata(sh p11.SessionHandle, label string) (keystore.Metadata, error) {
	objs, err := s.find(sh, metaTemplate(label))
	if err != nil {
		return keystore.Metadata{}, fmt.Errorf("pkcs11: token %q: %w", s.token, err)
	}
	if len(objs) != 1 {
		return keystore.Metadata{}, fmt.Errorf("pkcs11: %q: %w", label, keystore.ErrNotFound)
	}
	return s.readMeta(sh, objs[0])
}

func (s *store) readMeta(sh p11.SessionHandle, o p11.ObjectHandle) (keystore.Metadata, error) {
	attrs, err := s.mod.ctx.GetAttributeValue(sh, o, []*p11.Attribute{p11.NewAttribute(p11.CKA_VALUE, nil)})
	if err != nil {
		return keystore.Metadata{}, fmt.Errorf("pkcs11: token %q: reading metadata: %w", s.token, err)
	}
	var m keystore.Metadata
	if err := json.Unmarshal(attrs[0].Value, &m); err != nil {
		return keystore.Metadata{}, fmt.Errorf("pkcs11: token %q: %w", s.token, err)
	}
	return m, nil
}

// keyObject finds the key object kid (0 master, 1-3 ENC/MAC/DEK) of label.
func (s *store) keyObject(sh p11.SessionHandle, label string, kid byte) (p11.ObjectHandle, error) {
	objs, err := s.find(sh, []*p11.Attribute{
		p11.NewAttribute(p11.CKA_CLASS, p11.CKO_SECRET_KEY), p11.NewAttribute(p11.CKA_LABEL, label), p11.NewAttribute(p11.CKA_ID, []byte{kid}),
	})
	if err != nil {
		return 0, fmt.Errorf("pkcs11: token %q: %w", s.token, err)
	}
	if len(objs) != 1 {
		return 0, fmt.Errorf("pkcs11: %q key %d: %w", label, kid, keystore.ErrNotFound)
	}
	return objs[0], nil
}

// keyTemplate is the template of a stored key object of entry m. Keys are
// private and sensitive; UsePutKey makes them extractable (for C_WrapKey),
// and 3DES ones non-sensitive (see the package doc).
func (s *store) keyTemplate(m keystore.Metadata, kid byte) ([]*p11.Attribute, error) {
	sensitive, extractable := true, false
	if m.Usage&keystore.UsePutKey != 0 {
		if m.Type == keys.DES3 && (m.Kind == keystore.Master || !s.desClear) {
			return nil, fmt.Errorf("pkcs11: %q: 3DES keys for PUT KEY need insecure_allow_des_export (static sets only): %w", m.Label, keystore.ErrUnsupported)
		}
		extractable = true
		sensitive = m.Type != keys.DES3
	}
	return []*p11.Attribute{
		p11.NewAttribute(p11.CKA_CLASS, p11.CKO_SECRET_KEY),
		p11.NewAttribute(p11.CKA_KEY_TYPE, keyType(m.Type)),
		p11.NewAttribute(p11.CKA_TOKEN, true),
		p11.NewAttribute(p11.CKA_PRIVATE, true),
		p11.NewAttribute(p11.CKA_LABEL, m.Label),
		p11.NewAttribute(p11.CKA_ID, []byte{kid}),
		p11.NewAttribute(p11.CKA_SENSITIVE, sensitive),
		p11.NewAttribute(p11.CKA_EXTRACTABLE, extractable),
		p11.NewAttribute(p11.CKA_ENCRYPT, true),
		p11.NewAttribute(p11.CKA_DECRYPT, false),
		p11.NewAttribute(p11.CKA_SIGN, true),
		p11.NewAttribute(p11.CKA_DERIVE, true),
		p11.NewAttribute(p11.CKA_WRAP, true),
		p11.NewAttribute(p11.CKA_UNWRAP, false),
	}, nil
}

func keyType(t keys.Type) uint {
	if t == keys.DES3 {
		return p11.CKK_DES2
	}
	return p11.CKK_AES
}

// kids returns the key identifiers of an entry's key objects.
func kids(k keystore.Kind) []byte {
	if k == keystore.Master {
		return []byte{0}
	}
	return []byte{1, 2, 3}
}
