package keys

import (
	"fmt"

	"github.com/cardhost/cardhost/gpcard/gpcrypto"
	"github.com/cardhost/cardhost/gpcard/secret"
)

// SCP02 derivation constants (GPCS 2.3.1 §E.4.1, Table E-2).
var (
	scp02ConstCMAC = [2]byte{0x01, 0x01}
	scp02ConstRMAC = [2]byte{0x01, 0x02}
	scp02ConstDEK  = [2]byte{0x01, 0x81}
	scp02ConstENC  = [2]byte{0x01, 0x82}
)

// scp02Derive computes 3DES-CBC(static, ICV 0, const ‖ seq ‖ 00×12), the
// SCP02 session key derivation of GPCS 2.3.1 §E.4.1.
func scp02Derive(static secret.Key, c [2]byte, seq []byte) (secret.Key, error) {
	if len(seq) != 2 {
		return secret.Key{}, fmt.Errorf("keys: SCP02 sequence counter must be 2 bytes, got %d", len(seq))
	}
	if static.Len() != 16 {
		return secret.Key{}, fmt.Errorf("keys: SCP02 static key must be 16 bytes, got %d", static.Len())
	}
	data := make([]byte, 16)
	data[0], data[1], data[2], data[3] = c[0], c[1], seq[0], seq[1]
	var out []byte
	err := static.Use(func(k []byte) error {
		var err error
		out, err = gpcrypto.TripleDESCBC(k, nil, data)
		return err
	})
	if err != nil {
		return secret.Key{}, err
	}
	defer clear(out)
	return secret.New(out), nil
}

// scp02Base returns the static keys SCP02 derives from: the three keys, or
// with one base key (i bit b1 = 0, GPCS 2.3.1 Table E-1) ENC for all.
func scp02Base(set KeySet, i byte) (enc, mac, dek secret.Key) {
	if i&0x01 == 0 {
		return set.ENC, set.ENC, set.ENC
	}
	return set.ENC, set.MAC, set.DEK
}

func scp02SessionKeys(set KeySet, i byte, seq []byte) (*SessionKeys, error) {
	enc, mac, _ := scp02Base(set, i)
	var sk SessionKeys
	var err error
	if sk.ENC, err = scp02Derive(enc, scp02ConstENC, seq); err != nil {
		return nil, err
	}
	if sk.MAC, err = scp02Derive(mac, scp02ConstCMAC, seq); err != nil {
		return nil, err
	}
	if sk.RMAC, err = scp02Derive(mac, scp02ConstRMAC, seq); err != nil {
		return nil, err
	}
	return &sk, nil
}

// scp02WrapKey encrypts nk under the session DEK (scp02DEKEncrypt).
func scp02WrapKey(cur KeySet, in SessionInput, nk secret.Key) ([]byte, error) {
	var out []byte
	err := nk.Use(func(k []byte) error {
		var err error
		out, err = scp02DEKEncrypt(cur, in, k)
		return err
	})
	return out, err
}

// scp02DEKEncrypt encrypts plain (a multiple of 8 bytes) under the session
// DEK of the session in: 3DES-ECB with explicit initiation, 3DES-CBC (ICV 0)
// with implicit initiation (i bit b3 = 0) (GPCS 2.3.1 §E.4.7, gp-card.md
// §1.8). The session DEK is derived from the static DEK (the base key for i
// b1 = 0) with constant 0181 and the sequence counter (§E.4.1) and wiped
// before returning.
func scp02DEKEncrypt(cur KeySet, in SessionInput, plain []byte) ([]byte, error) {
	_, _, dek := scp02Base(cur, in.I)
	sdek, err := scp02Derive(dek, scp02ConstDEK, in.Sequence)
	if err != nil {
		return nil, err
	}
	defer sdek.Zero()
	var out []byte
	err = sdek.Use(func(d []byte) error {
		var err error
		if in.I&0x04 != 0 {
			out, err = gpcrypto.TripleDESECB(d, plain)
		} else {
			out, err = gpcrypto.TripleDESCBC(d, nil, plain)
		}
		return err
	})
	return out, err
}

// scp03SessionKeys derives S-ENC (const 04, from Key-ENC), S-MAC (06) and
// S-RMAC (07, both from Key-MAC) with L = key length in bits over context =
// host challenge ‖ card challenge (Amd D §6.2.1, Table 6-1).
func scp03SessionKeys(set KeySet, context []byte) (*SessionKeys, error) {
	n := set.ENC.Len()
	if (n != 16 && n != 24 && n != 32) || set.MAC.Len() != n {
		return nil, fmt.Errorf("keys: SCP03 Key-ENC and Key-MAC must be AES keys of one length (16, 24, 32), got %d and %d", n, set.MAC.Len())
	}
	derive := func(k secret.Key, c byte) (secret.Key, error) {
		var out []byte
		err := k.Use(func(b []byte) error {
			var err error
			out, err = gpcrypto.KDF(b, c, context, n*8)
			return err
		})
		defer clear(out)
		return secret.New(out), err
	}
	var sk SessionKeys
	var err error
	if sk.ENC, err = derive(set.ENC, gpcrypto.KDFSENC); err != nil {
		return nil, err
	}
	if sk.MAC, err = derive(set.MAC, gpcrypto.KDFSMAC); err != nil {
		return nil, err
	}
	if sk.RMAC, err = derive(set.MAC, gpcrypto.KDFSRMAC); err != nil {
		return nil, err
	}
	return &sk, nil
}
