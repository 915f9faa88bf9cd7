//go:build cgo

package pkcs11

import (
	"context"
	"fmt"

	p11 "github.com/miekg/pkcs11"

	"github.com/cardhost/cardhost/gpcard/gpcrypto"
	"github.com/cardhost/cardhost/gpcard/keys"
	"github.com/cardhost/cardhost/gpcard/secret"
	"github.com/cardhost/cardhost/tsm/keystore"
)

// SCP02 derivation constants (GPCS 2.3.1 §E.4.1, Table E-2).
var (
	scp02CMAC = [2]byte{0x01, 0x01}
	scp02RMAC = [2]byte{0x01, 0x02}
	scp02DEK  = [2]byte{0x01, 0x81}
	scp02ENC  = [2]byte{0x01, 0x82}
)

// Provider implements keystore.Store.
func (s *store) Provider(ctx context.Context, labels ...string) (keystore.Provider, error) {
	p := &provider{s: s, labels: append([]string(nil), labels...)}
	err := s.session(ctx, func(sh p11.SessionHandle) error {
		_, err := p.selection(sh)
		return err
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// provider computes with the token's key objects; see the package doc for
// what runs inside the token.
type provider struct {
	s      *store
	labels []string
}

var _ keystore.Provider = (*provider)(nil)

func (p *provider) selection(sh p11.SessionHandle) (keystore.Selection, error) {
	var ms []keystore.Metadata
	for _, l := range p.labels {
		m, err := p.s.metadata(sh, l)
		if err != nil {
			return nil, err
		}
		ms = append(ms, m)
	}
	return keystore.NewSelection(ms)
}

// entry returns the entry answering for kvn.
func (p *provider) entry(sh p11.SessionHandle, kvn byte) (keystore.Metadata, error) {
	sel, err := p.selection(sh)
	if err != nil {
		return keystore.Metadata{}, err
	}
	return sel.For(kvn)
}

// cardKey returns key kid (1 ENC, 2 MAC, 3 DEK) as the card with kdd holds
// it: the stored object of a static set, or a session object diversified
// from a master.
func (p *provider) cardKey(sh p11.SessionHandle, m keystore.Metadata, kid byte, kdd []byte) (p11.ObjectHandle, error) {
	if m.Kind != keystore.Master {
		return p.s.keyObject(sh, m.Label, kid)
	}
	master, err := p.s.keyObject(sh, m.Label, 0)
	if err != nil {
		return 0, err
	}
	return p.s.diversify(sh, master, m, kid, kdd)
}

// scp02Base maps a key identifier to the one SCP02 derives from: with one
// base key (i bit b1 = 0, GPCS 2.3.1 Table E-1) ENC serves for all.
func scp02Base(i, kid byte) byte {
	if i&0x01 == 0 {
		return 1
	}
	return kid
}

// SessionKeys implements keys.Provider. The static keys stay in the token;
// the session keys it returns are computed there and handed to the channel.
func (p *provider) SessionKeys(ctx context.Context, in keys.SessionInput) (*keys.SessionKeys, error) {
	var raw [3][]byte
	defer func() {
		for _, r := range raw {
			clear(r)
		}
	}()
	err := p.s.session(ctx, func(sh p11.SessionHandle) error {
		m, err := p.entry(sh, in.KVN)
		if err != nil {
			return err
		}
		if err := keystore.CheckSession(m, in.SCP); err != nil {
			return err
		}
		enc, err := p.cardKey(sh, m, scp02BaseFor(in, 1), in.KDD)
		if err != nil {
			return err
		}
		mac, err := p.cardKey(sh, m, scp02BaseFor(in, 2), in.KDD)
		if err != nil {
			return err
		}
		if in.SCP == 0x02 {
			if len(in.Sequence) != 2 {
				return fmt.Errorf("pkcs11: SCP02 sequence counter must be 2 bytes, got %d", len(in.Sequence))
			}
			if raw[0], err = p.s.scp02Derive(sh, enc, scp02ENC, in.Sequence); err != nil {
				return err
			}
			if raw[1], err = p.s.scp02Derive(sh, mac, scp02CMAC, in.Sequence); err != nil {
				return err
			}
			raw[2], err = p.s.scp02Derive(sh, mac, scp02RMAC, in.Sequence)
			return err
		}
		// SCP03 (Amd D §6.2.1): S-ENC from Key-ENC (04), S-MAC (06) and
		// S-RMAC (07) from Key-MAC; L = key length; context = host ‖ card
		// challenge. Key-ENC and Key-MAC of one entry share one type.
		c := append(append([]byte(nil), in.HostChallenge...), in.CardChallenge...)
		bits := m.Type.Len() * 8
		if raw[0], err = p.s.kdf(sh, enc, gpcrypto.KDFSENC, c, bits); err != nil {
			return err
		}
		if raw[1], err = p.s.kdf(sh, mac, gpcrypto.KDFSMAC, c, bits); err != nil {
			return err
		}
		raw[2], err = p.s.kdf(sh, mac, gpcrypto.KDFSRMAC, c, bits)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &keys.SessionKeys{ENC: secret.New(raw[0]), MAC: secret.New(raw[1]), RMAC: secret.New(raw[2])}, nil
}

// PseudoRandomChallenge implements keys.Provider: KDF(Key-ENC, 02,
// sequence ‖ invoking AID), 64 bits or 128 in S16 mode (Amd D §6.2.2.1),
// computed with C_Sign CKM_AES_CMAC.
func (p *provider) PseudoRandomChallenge(ctx context.Context, in keys.SessionInput, invokingAID []byte) ([]byte, error) {
	if in.SCP != 0x03 || len(in.Sequence) != 3 {
		return nil, fmt.Errorf("pkcs11: pseudo-random challenge needs SCP03 and a 3-byte sequence counter")
	}
	var out []byte
	err := p.s.session(ctx, func(sh p11.SessionHandle) error {
		m, err := p.entry(sh, in.KVN)
		if err != nil {
			return err
		}
		if err := keystore.CheckSession(m, in.SCP); err != nil {
			return err
		}
		enc, err := p.cardKey(sh, m, 1, in.KDD)
		if err != nil {
			return err
		}
		bits := 64
		if in.I&0x01 != 0 { // S16 (Amd D §5.1, Table 5-1 b1)
			bits = 128
		}
		out, err = p.s.kdf(sh, enc, gpcrypto.KDFCardChallenge, append(append([]byte(nil), in.Sequence...), invokingAID...), bits)
		return err
	})
	return out, err
}

// WrapKey implements keys.Provider. SCP03: C_WrapKey CKM_AES_CBC (ICV 0)
// under the static Key-DEK. SCP02: the session DEK is derived inside the
// token and encrypts the new key there (3DES-ECB, or CBC with implicit
// initiation, GPCS 2.3.1 §E.4.7), but the new 3DES key's value is read out
// to be encrypted (package doc).
func (p *provider) WrapKey(ctx context.Context, req keys.WrapRequest) (keys.WrappedKey, error) {
	var w keys.WrappedKey
	in := req.Session
	err := p.s.session(ctx, func(sh p11.SessionHandle) error {
		cm, err := p.entry(sh, in.KVN)
		if err != nil {
			return err
		}
		nm, err := p.entry(sh, req.New.KVN)
		if err != nil {
			return err
		}
		if err := keystore.CheckWrap(cm, nm, in.SCP); err != nil {
			return err
		}
		if req.New.KID < 1 || req.New.KID > 3 {
			return fmt.Errorf("pkcs11: key identifier %d is not ENC (1), MAC (2) or DEK (3)", req.New.KID)
		}
		nk, err := p.cardKey(sh, nm, req.New.KID, in.KDD)
		if err != nil {
			return err
		}
		w = keys.WrappedKey{Type: nm.Type, ClearLen: nm.Type.Len()}
		if w.KCV, err = p.s.kcv(sh, nk, nm.Type); err != nil {
			return err
		}
		dek, err := p.cardKey(sh, cm, scp02BaseFor(in, 3), in.KDD)
		if err != nil {
			return err
		}
		if in.SCP == 0x02 {
			w.Cipher, err = p.scp02Wrap(sh, in, dek, nk, nm.Label)
			return err
		}
		if nm.Type == keys.AES192 {
			return fmt.Errorf("pkcs11: %q: AES-192 keys need padding before encryption (Amd D §6.2.8), which C_WrapKey cannot add: %w", nm.Label, keystore.ErrUnsupported)
		}
		if cm.Type.Len() < nm.Type.Len() {
			// GPCS 2.3.1 §11.8.2.3.4: an AES key is encrypted by a DEK of the same or higher strength.
			return fmt.Errorf("pkcs11: a %v DEK cannot protect a %v key", cm.Type, nm.Type)
		}
		w.Cipher, err = p.s.mod.ctx.WrapKey(sh, []*p11.Mechanism{p11.NewMechanism(p11.CKM_AES_CBC, make([]byte, 16))}, dek, nk)
		if err != nil {
			return fmt.Errorf("pkcs11: %q: wrapping key %d: %w", nm.Label, req.New.KID, err)
		}
		return nil
	})
	if err != nil {
		return keys.WrappedKey{}, err
	}
	return w, nil
}

// scp02BaseFor is scp02Base for SCP02 sessions and the identity for SCP03.
func scp02BaseFor(in keys.SessionInput, kid byte) byte {
	if in.SCP == 0x02 {
		return scp02Base(in.I, kid)
	}
	return kid
}

// scp02Wrap derives the session DEK into a session object (C_DeriveKey
// CKM_DES3_CBC_ENCRYPT_DATA, ICV 0) and encrypts the new key under it.
func (p *provider) scp02Wrap(sh p11.SessionHandle, in keys.SessionInput, dek, nk p11.ObjectHandle, label string) ([]byte, error) {
	if len(in.Sequence) != 2 {
		return nil, fmt.Errorf("pkcs11: SCP02 sequence counter must be 2 bytes, got %d", len(in.Sequence))
	}
	sdek, err := p.s.derive(sh, p11.CKM_DES3_CBC_ENCRYPT_DATA, desCBCEncryptData(scp02Data(scp02DEK, in.Sequence)), dek, keys.DES3, false)
	if err != nil {
		return nil, err
	}
	attrs, err := p.s.mod.ctx.GetAttributeValue(sh, nk, []*p11.Attribute{p11.NewAttribute(p11.CKA_VALUE, nil)})
	if err != nil {
		return nil, fmt.Errorf("pkcs11: %q: the token cannot encrypt this 3DES key for SCP02 PUT KEY: %w", label, err)
	}
	clearKey := attrs[0].Value
	defer clear(clearKey)
	if in.I&0x04 != 0 { // explicit initiation: 3DES-ECB
		return p.s.encrypt(sh, p11.CKM_DES3_ECB, nil, sdek, clearKey)
	}
	return p.s.encrypt(sh, p11.CKM_DES3_CBC, make([]byte, 8), sdek, clearKey)
}

// KeySet implements keystore.Provider: the KCVs are computed inside the
// token, of the stored or diversified keys.
func (p *provider) KeySet(ctx context.Context, kvn byte, kdd []byte) (keys.Info, error) {
	info := keys.Info{KVN: kvn}
	err := p.s.session(ctx, func(sh p11.SessionHandle) error {
		m, err := p.entry(sh, kvn)
		if err != nil {
			return err
		}
		info.Type = m.Type
		for i := range info.KCV {
			o, err := p.cardKey(sh, m, byte(i+1), kdd)
			if err != nil {
				return err
			}
			kcv, err := p.s.kcv(sh, o, m.Type)
			if err != nil {
				return err
			}
			info.KCV[i] = kcv
		}
		return nil
	})
	if err != nil {
		return keys.Info{}, err
	}
	return info, nil
}
