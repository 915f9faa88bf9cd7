package keys

import (
	"context"
	"fmt"

	"github.com/cardhost/cardhost/gpcard/gpcrypto"
)

// LoadFileEncrypter is an optional Provider ability (found by type
// assertion): encrypting a Load File Data Block for a Security Domain with
// the Ciphered Load File Data Block privilege, with the static Key-DEK of
// the key set the session was opened with, so the key never leaves the
// provider. Local implements it.
type LoadFileEncrypter interface {
	// EncryptLoadFile returns the ciphered LFDB (see Local.EncryptLoadFile).
	EncryptLoadFile(ctx context.Context, s SessionInput, lfdb []byte) ([]byte, error)
}

var _ LoadFileEncrypter = (*Local)(nil)

// EncryptLoadFile encrypts lfdb, padded by ISO/IEC 9797-1 method 2 (80 00…)
// to the block size, in CBC mode with a zero ICV under the static Key-DEK
// (KID 3) of key set s.KVN: AES for SCP03, two-key 3DES for SCP02 (the
// base key for SCP02 i b1 = 0). The ciphered LFDB goes in tag D4 (GPCS
// 2.3.1 §11.6.2.3, Table 11-58); the choice of key and mode is cardhost's
// profile (shared/spec: GPCS names the privilege and tags, see the BUG note
// in gpcard/load.go).
func (l *Local) EncryptLoadFile(ctx context.Context, s SessionInput, lfdb []byte) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	set, err := l.resolve(s.KVN, s.KDD)
	if err != nil {
		return nil, err
	}
	dek := set.DEK
	var out []byte
	switch s.SCP {
	case 0x02:
		_, _, dek = scp02Base(set, s.I)
		err = dek.Use(func(k []byte) error {
			out, err = gpcrypto.TripleDESCBC(k, nil, gpcrypto.Pad80(lfdb, 8))
			return err
		})
	case 0x03:
		err = dek.Use(func(k []byte) error {
			out, err = gpcrypto.AESCBC(k, nil, gpcrypto.Pad80(lfdb, 16))
			return err
		})
	default:
		return nil, fmt.Errorf("keys: unsupported SCP %02X", s.SCP)
	}
	if err != nil {
		return nil, fmt.Errorf("keys: encrypting the load file: %w", err)
	}
	return out, nil
}
