//go:build cgo

package pkcs11

import (
	"fmt"

	p11 "github.com/miekg/pkcs11"

	"github.com/cardhost/cardhost/gpcard/keys"
	"github.com/cardhost/cardhost/tsm/keystore"
)

// encrypt runs a single-part C_Encrypt with mechanism mech (iv: its
// parameter, nil for ECB) under object o.
func (s *store) encrypt(sh p11.SessionHandle, mech uint, iv []byte, o p11.ObjectHandle, data []byte) ([]byte, error) {
	var m *p11.Mechanism
	if iv != nil {
		m = p11.NewMechanism(mech, iv)
	} else {
		m = p11.NewMechanism(mech, nil)
	}
	if err := s.mod.ctx.EncryptInit(sh, []*p11.Mechanism{m}, o); err != nil {
		return nil, fmt.Errorf("pkcs11: token %q: encrypt: %w", s.token, err)
	}
	out, err := s.mod.ctx.Encrypt(sh, data)
	if err != nil {
		return nil, fmt.Errorf("pkcs11: token %q: encrypt: %w", s.token, err)
	}
	return out, nil
}

// cmac returns the 16-byte AES-CMAC of msg under o (C_Sign CKM_AES_CMAC).
func (s *store) cmac(sh p11.SessionHandle, o p11.ObjectHandle, msg []byte) ([]byte, error) {
	if err := s.mod.ctx.SignInit(sh, []*p11.Mechanism{p11.NewMechanism(p11.CKM_AES_CMAC, nil)}, o); err != nil {
		return nil, fmt.Errorf("pkcs11: token %q: CMAC: %w", s.token, err)
	}
	out, err := s.mod.ctx.Sign(sh, msg)
	if err != nil {
		return nil, fmt.Errorf("pkcs11: token %q: CMAC: %w", s.token, err)
	}
	return out, nil
}

// kcv computes the GP key check value inside the token: 3DES-ECB of 00×8,
// or AES-ECB of 01×16 — not CKA_CHECK_VALUE, which encrypts zeros for AES
// too (GPCS 2.3.1 §B.6, Amd D §7.2.2, gp-card.md §1.9).
func (s *store) kcv(sh p11.SessionHandle, o p11.ObjectHandle, t keys.Type) (keystore.KCV, error) {
	mech, block := uint(p11.CKM_DES3_ECB), make([]byte, 8)
	if t.IsAES() {
		mech, block = p11.CKM_AES_ECB, make([]byte, 16)
		for i := range block {
			block[i] = 0x01
		}
	}
	out, err := s.encrypt(sh, mech, nil, o, block)
	if err != nil {
		return nil, err
	}
	defer clear(out)
	return keystore.KCV(append([]byte(nil), out[:3]...)), nil
}

// kdf is the SCP03 KDF (NIST SP 800-108 counter mode, PRF AES-CMAC, Amd D
// §6.2.1 / gp-card.md §1.12): blocks CMAC(o, 00×11 ‖ c ‖ 00 ‖ L(2) ‖ i ‖
// context) for i = 1, 2, …, truncated to bits/8 bytes.
func (s *store) kdf(sh p11.SessionHandle, o p11.ObjectHandle, c byte, context []byte, bits int) ([]byte, error) {
	msg := make([]byte, 16, 16+len(context))
	msg[11] = c
	msg[13], msg[14] = byte(bits>>8), byte(bits)
	msg = append(msg, context...)
	var out []byte
	for i := byte(1); len(out) < bits/8; i++ {
		msg[15] = i
		blk, err := s.cmac(sh, o, msg)
		if err != nil {
			clear(out)
			return nil, err
		}
		out = append(out, blk...)
		clear(blk)
	}
	return out[:bits/8], nil
}

// scp02Derive returns 3DES-CBC(static, ICV 0, c ‖ seq ‖ 00×12), an SCP02
// session key (GPCS 2.3.1 §E.4.1); it leaves the token by design.
func (s *store) scp02Derive(sh p11.SessionHandle, static p11.ObjectHandle, c [2]byte, seq []byte) ([]byte, error) {
	return s.encrypt(sh, p11.CKM_DES3_CBC, make([]byte, 8), static, scp02Data(c, seq))
}

func scp02Data(c [2]byte, seq []byte) []byte {
	d := make([]byte, 16)
	d[0], d[1], d[2], d[3] = c[0], c[1], seq[0], seq[1]
	return d
}

// derive creates a session key object of type t from base with a key
// derivation by data encryption mechanism. The object is sensitive; it is
// extractable (for C_WrapKey only) when wrappable is set.
func (s *store) derive(sh p11.SessionHandle, mech uint, prm cParam, base p11.ObjectHandle, t keys.Type, wrappable bool) (p11.ObjectHandle, error) {
	defer prm.free()
	tmpl := []*p11.Attribute{
		p11.NewAttribute(p11.CKA_CLASS, p11.CKO_SECRET_KEY),
		p11.NewAttribute(p11.CKA_KEY_TYPE, keyType(t)),
		p11.NewAttribute(p11.CKA_TOKEN, false),
		p11.NewAttribute(p11.CKA_PRIVATE, true),
		p11.NewAttribute(p11.CKA_SENSITIVE, true),
		p11.NewAttribute(p11.CKA_EXTRACTABLE, wrappable),
		p11.NewAttribute(p11.CKA_ENCRYPT, true),
		p11.NewAttribute(p11.CKA_SIGN, true),
		p11.NewAttribute(p11.CKA_DERIVE, true),
		p11.NewAttribute(p11.CKA_WRAP, true),
	}
	if t.IsAES() {
		tmpl = append(tmpl, p11.NewAttribute(p11.CKA_VALUE_LEN, t.Len()))
	}
	o, err := s.mod.ctx.DeriveKey(sh, []*p11.Mechanism{p11.NewMechanism(mech, prm.bytes)}, base, tmpl)
	if err != nil {
		return 0, fmt.Errorf("pkcs11: token %q: deriving a key: %w", s.token, err)
	}
	return o, nil
}

// diversify derives card key kid (1 ENC, 2 MAC, 3 DEK) of the card with
// kdd from master entry m, as a session object (gp-card.md §9.1).
func (s *store) diversify(sh p11.SessionHandle, master p11.ObjectHandle, m keystore.Metadata, kid byte, kdd []byte) (p11.ObjectHandle, error) {
	if len(kdd) != keys.KDDLen {
		return 0, fmt.Errorf("pkcs11: KDD must be %d bytes, got %d", keys.KDDLen, len(kdd))
	}
	wrappable := m.Usage&keystore.UsePutKey != 0 && m.Type.IsAES()
	var half []byte
	switch m.Method {
	case keys.EMV: // KDD[4..9] F0 k KDD[4..9] 0F k
		half = append(half, kdd[4:10]...)
	case keys.VISA2: // KDD[0..1] KDD[4..7] F0 k KDD[0..1] KDD[4..7] 0F k
		half = append(append(half, kdd[0:2]...), kdd[4:8]...)
	case keys.KDF3:
		return s.kdf3(sh, master, m.Type, kid, kdd, wrappable)
	default:
		return 0, fmt.Errorf("pkcs11: %q: unknown diversification method %v", m.Label, m.Method)
	}
	data := append(append(append([]byte(nil), half...), 0xF0, kid), half...)
	data = append(data, 0x0F, kid)
	return s.derive(sh, p11.CKM_DES3_ECB_ENCRYPT_DATA, ecbEncryptData(data), master, m.Type, wrappable)
}

// kdf3 derives a KDF3 card key: each 16-byte output block is
// CMAC(master, i ‖ 00 00 00 ‖ k ‖ 00 ‖ KDD), a one-complete-block CMAC,
// which equals AES(master, block ⊕ K1) with K1 = dbl(AES(master, 00×16))
// (NIST SP 800-38B §6.1-6.2). CKM_AES_ECB_ENCRYPT_DATA over the masked
// blocks gives the key inside the token; only L = AES(master, 00×16) is
// seen here (see the package doc).
func (s *store) kdf3(sh p11.SessionHandle, master p11.ObjectHandle, t keys.Type, kid byte, kdd []byte, wrappable bool) (p11.ObjectHandle, error) {
	l, err := s.encrypt(sh, p11.CKM_AES_ECB, nil, master, make([]byte, 16))
	if err != nil {
		return 0, err
	}
	k1 := dbl(l)
	clear(l)
	defer clear(k1)
	var data []byte
	for i := 1; len(data) < t.Len(); i++ {
		blk := append([]byte{byte(i), 0, 0, 0, kid, 0}, kdd...)
		for j := range blk {
			blk[j] ^= k1[j]
		}
		data = append(data, blk...)
	}
	defer clear(data)
	return s.derive(sh, p11.CKM_AES_ECB_ENCRYPT_DATA, ecbEncryptData(data), master, t, wrappable)
}

// dbl is the CMAC subkey doubling in GF(2^128): shift left one bit and, if
// the top bit was set, XOR the last byte with 0x87 (NIST SP 800-38B §6.1).
func dbl(l []byte) []byte {
	out := make([]byte, len(l))
	for i := range l {
		out[i] = l[i] << 1
		if i+1 < len(l) {
			out[i] |= l[i+1] >> 7
		}
	}
	if l[0]&0x80 != 0 {
		out[len(out)-1] ^= 0x87
	}
	return out
}
