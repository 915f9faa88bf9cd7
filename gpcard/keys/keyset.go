package keys

import (
	"fmt"

	"github.com/cardhost/cardhost/gpcard/gpcrypto"
	"github.com/cardhost/cardhost/gpcard/secret"
)

// Type is a secure-channel key algorithm and length. The zero value is unset.
type Type int

// Key types of the secure channels (GPCS 2.3.1 §B.1, Amendment D §6.1).
const (
	DES3   Type = iota + 1 // two-key triple DES, 16 bytes (SCP02)
	AES128                 // AES, 16 bytes (SCP03)
	AES192                 // AES, 24 bytes (SCP03)
	AES256                 // AES, 32 bytes (SCP03)
)

// Len returns the key length in bytes, or 0 for an unknown type.
func (t Type) Len() int {
	switch t {
	case DES3, AES128:
		return 16
	case AES192:
		return 24
	case AES256:
		return 32
	}
	return 0
}

// IsAES reports whether t is one of the AES types.
func (t Type) IsAES() bool { return t == AES128 || t == AES192 || t == AES256 }

// KeyTypeByte returns the PUT KEY key type: 80 for DES, 88 for AES (GPCS 2.3.1
// §11.1.8, Table 11-16).
func (t Type) KeyTypeByte() byte {
	if t.IsAES() {
		return 0x88
	}
	return 0x80
}

// String names the type, e.g. "AES-128".
func (t Type) String() string {
	switch t {
	case DES3:
		return "3DES"
	case AES128:
		return "AES-128"
	case AES192:
		return "AES-192"
	case AES256:
		return "AES-256"
	}
	return fmt.Sprintf("Type(%d)", int(t))
}

// TypeFor returns the key type an SCP (0x02 or 0x03) uses for an n-byte key.
func TypeFor(scp byte, n int) (Type, error) {
	switch {
	case scp == 0x02 && n == 16:
		return DES3, nil
	case scp == 0x03 && n == 16:
		return AES128, nil
	case scp == 0x03 && n == 24:
		return AES192, nil
	case scp == 0x03 && n == 32:
		return AES256, nil
	}
	return 0, fmt.Errorf("keys: no SCP%02X key type of %d bytes", scp, n)
}

// KCV returns the 3-byte key check value of key as a key of type t: 3DES-ECB
// of 00×8 for DES, AES-ECB of 01×16 for AES (GPCS 2.3.1 §B.6, Amd D §7.2.2).
func KCV(t Type, key secret.Key) ([]byte, error) {
	if key.Len() != t.Len() {
		return nil, fmt.Errorf("keys: %v key must be %d bytes, got %d", t, t.Len(), key.Len())
	}
	var kcv []byte
	err := key.Use(func(b []byte) error {
		var err error
		if t.IsAES() {
			kcv, err = gpcrypto.KCVAES(b)
		} else {
			kcv, err = gpcrypto.KCVDES(b)
		}
		return err
	})
	return kcv, err
}

// KeySet is a static secure-channel key set: Key-ENC (KID 1), Key-MAC (KID 2)
// and Key-DEK (KID 3) of one key version (GPCS 2.3.1 §7.5.1). KVN 0 means "any
// version": such a set answers for whichever KVN the card reports. The keys
// are plain byte strings; their algorithm follows the SCP that uses them
// (3DES for SCP02, AES for SCP03), as on real cards shipping 40..4F for both.
//
// For the SCP02 options with one base key (i bit b1 = 0), ENC is the base key.
type KeySet struct {
	KVN           byte       // key version number; 0 answers for any
	ENC, MAC, DEK secret.Key // KID 1, 2 and 3
}

// Zero wipes the three keys.
func (s *KeySet) Zero() {
	s.ENC.Zero()
	s.MAC.Zero()
	s.DEK.Zero()
}

// Info describes a key set without its key bytes.
type Info struct {
	KVN  byte // key version number
	Type Type // algorithm the KCVs were computed for
	// KCV holds the check values of ENC, MAC and DEK, in that order.
	KCV [3][]byte
}

// Info returns the set's KVN and KCVs computed as keys of type t.
func (s KeySet) Info(t Type) (Info, error) {
	in := Info{KVN: s.KVN, Type: t}
	for i, k := range []secret.Key{s.ENC, s.MAC, s.DEK} {
		kcv, err := KCV(t, k)
		if err != nil {
			return Info{}, err
		}
		in.KCV[i] = kcv
	}
	return in, nil
}

// key returns the set's key with key identifier kid (1 ENC, 2 MAC, 3 DEK).
func (s KeySet) key(kid byte) (secret.Key, error) {
	switch kid {
	case 1:
		return s.ENC, nil
	case 2:
		return s.MAC, nil
	case 3:
		return s.DEK, nil
	}
	return secret.Key{}, fmt.Errorf("keys: key identifier %d is not ENC (1), MAC (2) or DEK (3)", kid)
}
