package keys

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"

	"github.com/cardhost/cardhost/gpcard/gpcrypto"
	"github.com/cardhost/cardhost/gpcard/secret"
)

// Local is a Provider over key material held in process memory: plain static
// key sets (NewPlain) or master keys diversified per card (NewDiversified). It
// is safe for concurrent use as long as it is not modified.
type Local struct {
	// Rand supplies the arbitrary padding of 24-byte AES keys for PUT KEY
	// (Amd D §6.2.8). Nil means crypto/rand.
	Rand io.Reader

	resolve func(kvn byte, kdd []byte) (KeySet, error)
}

var _ Provider = (*Local)(nil)

// NewPlain returns a provider for static key sets, chosen by the KVN the card
// reports; a set with KVN 0 answers for any KVN without a set of its own.
func NewPlain(sets ...KeySet) *Local {
	sets = append([]KeySet(nil), sets...)
	return &Local{resolve: func(kvn byte, _ []byte) (KeySet, error) {
		s, ok := pick(sets, kvn, func(s KeySet) byte { return s.KVN })
		if !ok {
			return KeySet{}, fmt.Errorf("%w %02X", ErrNoKeySet, kvn)
		}
		return s, nil
	}}
}

// Master is a master key from which card keys of version KVN are diversified
// (KVN 0: any version).
type Master struct {
	KVN    byte       // key version the derived keys answer for (0: any)
	Method Method     // diversification method
	Key    secret.Key // the master key
}

// NewDiversified returns a provider that derives each card's static keys from
// a master key and the KDD the card returns in INITIALIZE UPDATE.
func NewDiversified(masters ...Master) *Local {
	masters = append([]Master(nil), masters...)
	return &Local{resolve: func(kvn byte, kdd []byte) (KeySet, error) {
		m, ok := pick(masters, kvn, func(m Master) byte { return m.KVN })
		if !ok {
			return KeySet{}, fmt.Errorf("%w %02X", ErrNoKeySet, kvn)
		}
		s, err := Diversify(m.Key, m.Method, kdd)
		s.KVN = kvn
		return s, err
	}}
}

func pick[T any](xs []T, kvn byte, version func(T) byte) (T, bool) {
	var wildcard T
	found := false
	for _, x := range xs {
		switch version(x) {
		case kvn:
			return x, true
		case 0:
			if !found {
				wildcard, found = x, true
			}
		}
	}
	return wildcard, found
}

// SessionKeys implements Provider.
func (l *Local) SessionKeys(ctx context.Context, in SessionInput) (*SessionKeys, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	set, err := l.resolve(in.KVN, in.KDD)
	if err != nil {
		return nil, err
	}
	switch in.SCP {
	case 0x02:
		return scp02SessionKeys(set, in.I, in.Sequence)
	case 0x03:
		return scp03SessionKeys(set, append(append([]byte(nil), in.HostChallenge...), in.CardChallenge...))
	}
	return nil, fmt.Errorf("keys: unsupported SCP %02X", in.SCP)
}

// PseudoRandomChallenge implements Provider.
func (l *Local) PseudoRandomChallenge(ctx context.Context, in SessionInput, invokingAID []byte) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if in.SCP != 0x03 || len(in.Sequence) != 3 {
		return nil, fmt.Errorf("keys: pseudo-random challenge needs SCP03 and a 3-byte sequence counter")
	}
	set, err := l.resolve(in.KVN, in.KDD)
	if err != nil {
		return nil, err
	}
	bits := 64
	if in.I&0x01 != 0 { // S16 (Amd D §5.1, Table 5-1 b1)
		bits = 128
	}
	// Amd D §6.2.2.1: card challenge = KDF(Key-ENC, 02, L, counter ‖ invoking AID).
	ctxt := append(append([]byte(nil), in.Sequence...), invokingAID...)
	var out []byte
	err = set.ENC.Use(func(k []byte) error {
		var err error
		out, err = gpcrypto.KDF(k, gpcrypto.KDFCardChallenge, ctxt, bits)
		return err
	})
	return out, err
}

// WrapKey implements Provider.
func (l *Local) WrapKey(ctx context.Context, req WrapRequest) (WrappedKey, error) {
	if err := ctx.Err(); err != nil {
		return WrappedKey{}, err
	}
	cur, err := l.resolve(req.Session.KVN, req.Session.KDD)
	if err != nil {
		return WrappedKey{}, err
	}
	next, err := l.resolve(req.New.KVN, req.Session.KDD)
	if err != nil {
		return WrappedKey{}, err
	}
	nk, err := next.key(req.New.KID)
	if err != nil {
		return WrappedKey{}, err
	}
	t, err := TypeFor(req.Session.SCP, nk.Len())
	if err != nil {
		return WrappedKey{}, err
	}
	kcv, err := KCV(t, nk)
	if err != nil {
		return WrappedKey{}, err
	}
	w := WrappedKey{Type: t, ClearLen: nk.Len(), KCV: kcv}
	switch req.Session.SCP {
	case 0x02:
		w.Cipher, err = scp02WrapKey(cur, req.Session, nk)
	default:
		w.Cipher, err = scp03WrapKey(cur.DEK, nk, l.Rand)
	}
	if err != nil {
		return WrappedKey{}, err
	}
	return w, nil
}

// scp03WrapKey encrypts nk with AES-CBC under the static Key-DEK, ICV zero,
// after padding a 24-byte key with 8 arbitrary bytes (Amd D §6.2.1, §6.2.8).
func scp03WrapKey(dek, nk secret.Key, r io.Reader) ([]byte, error) {
	if dek.Len() < nk.Len() {
		// GPCS 2.3.1 §11.8.2.3.4: an AES key is encrypted by a DEK of the same or higher strength.
		return nil, fmt.Errorf("keys: a %d-byte DEK cannot protect a %d-byte key", dek.Len(), nk.Len())
	}
	plain := nk.Bytes()
	defer clear(plain)
	if pad := (16 - len(plain)%16) % 16; pad > 0 {
		if r == nil {
			r = rand.Reader
		}
		p := make([]byte, pad)
		if _, err := io.ReadFull(r, p); err != nil {
			return nil, fmt.Errorf("keys: padding for PUT KEY: %w", err)
		}
		plain = append(plain, p...)
	}
	var out []byte
	err := dek.Use(func(k []byte) error {
		var err error
		out, err = gpcrypto.AESCBC(k, nil, plain)
		return err
	})
	return out, err
}
