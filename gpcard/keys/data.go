package keys

import (
	"context"
	"errors"
	"fmt"

	"github.com/cardhost/cardhost/gpcard/gpcrypto"
)

// DataEncrypter is an optional Provider ability (found by type assertion):
// encrypting sensitive data sent in a secure channel session — the values of
// the DGIs of a STORE DATA block announced as encrypted (P1 b7–b6 = 11, GPCS
// 2.3.1 §11.11.2.1, Table 11-89) — under the DEK that session's protocol
// prescribes, so the DEK never leaves the provider. Local implements it.
//
// A provider backed by an HSM implements it with the operations it already
// needs for WrapKey: for SCP02, derive the session DEK inside the token
// (3DES-CBC of 0181 ‖ sequence counter ‖ 00×12 under the static DEK, ICV 0)
// and encrypt with it (3DES-ECB, or CBC with ICV 0 for implicit initiation);
// for SCP03, AES-CBC with ICV 0 under the static Key-DEK. The clear data
// enters the provider; the DEK does not leave it.
type DataEncrypter interface {
	// EncryptData returns data encrypted for the session s (see
	// Local.EncryptData). data is only read.
	EncryptData(ctx context.Context, s SessionInput, data []byte) ([]byte, error)
}

var _ DataEncrypter = (*Local)(nil)

// ErrDataLength: sensitive data to encrypt is empty or not a whole number of
// cipher blocks (8 bytes for SCP02, 16 for SCP03). Neither protocol defines a
// padding for it: the GlobalPlatform API (org.globalplatform.SecureChannel
// decryptData/encryptData, export file 1.6) leaves padding to the
// application ("if the underlying security protocol is SCP '02', then no
// padding method is defined") and refuses data that is not block-aligned
// (6700); so the caller pads as the receiving application expects.
var ErrDataLength = errors.New("keys: sensitive data must be a non-empty multiple of the cipher block size")

// BlockSize returns the cipher block size of sensitive data encryption for
// an SCP: 8 (3DES) for SCP02, 16 (AES) for SCP03, 0 otherwise.
func BlockSize(scp byte) int {
	switch scp {
	case 0x02:
		return 8
	case 0x03:
		return 16
	}
	return 0
}

// EncryptData encrypts data, a non-empty multiple of BlockSize(s.SCP)
// bytes, under the DEK rules of the session s (gp-card.md §1.8), without
// padding:
//
//   - SCP02: the session DEK of s (derived from the static DEK, or the base
//     key for i b1 = 0, and s.Sequence; GPCS 2.3.1 §E.4.1), 3DES-ECB with
//     explicit initiation and 3DES-CBC with ICV 0 with implicit initiation
//     (§E.4.7) — the same encryption as WrapKey, so a DGI value encrypted here
//     decrypts as a PUT KEY key component does;
//   - SCP03: the static Key-DEK of key set s.KVN, AES-CBC with ICV 0 (Amd D
//     §6.2.1: there is no session DEK), so the result does not depend on the
//     session's challenges.
//
// Errors: ErrDataLength (wrapped, naming the length, never the data),
// ErrNoKeySet, or an unsupported SCP.
func (l *Local) EncryptData(ctx context.Context, s SessionInput, data []byte) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	bs := BlockSize(s.SCP)
	if bs == 0 {
		return nil, fmt.Errorf("keys: unsupported SCP %02X", s.SCP)
	}
	if len(data) == 0 || len(data)%bs != 0 {
		return nil, fmt.Errorf("%w: %d bytes for SCP%02X (%d-byte blocks)", ErrDataLength, len(data), s.SCP, bs)
	}
	set, err := l.resolve(s.KVN, s.KDD)
	if err != nil {
		return nil, err
	}
	var out []byte
	if s.SCP == 0x02 {
		out, err = scp02DEKEncrypt(set, s, data)
	} else {
		err = set.DEK.Use(func(k []byte) error {
			if n := len(k); n != 16 && n != 24 && n != 32 {
				return fmt.Errorf("keys: SCP03 Key-DEK of %d bytes", n)
			}
			var err error
			out, err = gpcrypto.AESCBC(k, nil, data)
			return err
		})
	}
	if err != nil {
		return nil, fmt.Errorf("keys: encrypting sensitive data: %w", err)
	}
	return out, nil
}
