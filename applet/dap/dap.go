package dap

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"math/big"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Scheme is a DAP signature scheme. The zero value is unset.
type Scheme int

// DAP signature schemes.
const (
	// RSAPKCS1SHA1 is RSA scheme 1: PKCS#1 v1.5 with SHA-1 (GPCS 2.3.1 B.3.1).
	RSAPKCS1SHA1 Scheme = iota + 1
	// RSAPSSSHA256 is RSA scheme 2: RSASSA-PSS with SHA-256, MGF1-SHA-256 and
	// a 32-byte salt (GPCS 2.3.1 B.3.2).
	RSAPSSSHA256
	// ECDSAP256SHA256 is ECDSA over P-256 with SHA-256, signature r‖s of 64
	// bytes (GPCS 2.3.1 B.4.3).
	ECDSAP256SHA256
)

// String returns the scheme's name.
func (s Scheme) String() string {
	switch s {
	case RSAPKCS1SHA1:
		return "RSA PKCS#1 v1.5 SHA-1"
	case RSAPSSSHA256:
		return "RSASSA-PSS SHA-256"
	case ECDSAP256SHA256:
		return "ECDSA P-256 SHA-256"
	}
	return fmt.Sprintf("Scheme(%d)", int(s))
}

// ErrVerification is returned (possibly wrapped) when a DAP does not verify.
var ErrVerification = errors.New("dap: signature verification failed")

// ecdsaLen is the length of r and of s for P-256.
const ecdsaLen = 32

// checkHash accepts a Load File Data Block Hash of SHA-1, SHA-256, SHA-384 or
// SHA-512 length (GPCS 2.3.1 C.2).
func checkHash(lfdbHash []byte) error {
	switch len(lfdbHash) {
	case 20, 32, 48, 64:
		return nil
	}
	return fmt.Errorf("dap: load file data block hash of %d bytes, want 20, 32, 48 or 64", len(lfdbHash))
}

// digest hashes the Load File Data Block Hash as scheme s requires.
func digest(s Scheme, lfdbHash []byte) ([]byte, crypto.Hash, error) {
	switch s {
	case RSAPKCS1SHA1:
		d := sha1.Sum(lfdbHash)
		return d[:], crypto.SHA1, nil
	case RSAPSSSHA256, ECDSAP256SHA256:
		d := sha256.Sum256(lfdbHash)
		return d[:], crypto.SHA256, nil
	}
	return nil, 0, fmt.Errorf("dap: unknown scheme %d", int(s))
}

// Sign computes the DAP (Load File Data Block Signature) of lfdbHash with key
// under scheme s. rand is passed to key.Sign (PSS salt, ECDSA nonce). The key
// type must match the scheme: RSA for schemes 1 and 2, ECDSA P-256 for ECDSA.
func Sign(rand io.Reader, s Scheme, key crypto.Signer, lfdbHash []byte) ([]byte, error) {
	if err := checkHash(lfdbHash); err != nil {
		return nil, err
	}
	d, h, err := digest(s, lfdbHash)
	if err != nil {
		return nil, err
	}
	if err := checkKey(s, key.Public()); err != nil {
		return nil, err
	}
	var opts crypto.SignerOpts = h
	if s == RSAPSSSHA256 {
		opts = &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: h}
	}
	sig, err := key.Sign(rand, d, opts)
	if err != nil {
		return nil, fmt.Errorf("dap: signing with %v: %w", s, err)
	}
	if s == ECDSAP256SHA256 {
		return derToPlain(sig)
	}
	return sig, nil
}

// checkKey checks that pub suits scheme s.
func checkKey(s Scheme, pub crypto.PublicKey) error {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		if s == RSAPKCS1SHA1 || s == RSAPSSSHA256 {
			return nil
		}
	case *ecdsa.PublicKey:
		if s == ECDSAP256SHA256 {
			if k.Curve != elliptic.P256() {
				return fmt.Errorf("dap: %v needs a P-256 key, got %s", s, k.Curve.Params().Name)
			}
			return nil
		}
	}
	return fmt.Errorf("dap: a %T key cannot be used with %v", pub, s)
}

// Verify checks that sig is the DAP of lfdbHash under pub and scheme s. It
// returns an error matching ErrVerification when the signature is wrong, and
// another error when the inputs cannot be used (bad hash length, key type).
func Verify(s Scheme, pub crypto.PublicKey, lfdbHash, sig []byte) error {
	if err := checkHash(lfdbHash); err != nil {
		return err
	}
	d, h, err := digest(s, lfdbHash)
	if err != nil {
		return err
	}
	if err := checkKey(s, pub); err != nil {
		return err
	}
	ok := false
	switch s {
	case RSAPKCS1SHA1:
		ok = rsa.VerifyPKCS1v15(pub.(*rsa.PublicKey), h, d, sig) == nil
	case RSAPSSSHA256:
		opts := &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: h}
		ok = rsa.VerifyPSS(pub.(*rsa.PublicKey), h, d, sig, opts) == nil
	case ECDSAP256SHA256:
		if len(sig) != 2*ecdsaLen {
			return fmt.Errorf("%w: ECDSA signature of %d bytes, want r‖s of 64", ErrVerification, len(sig))
		}
		r := new(big.Int).SetBytes(sig[:ecdsaLen])
		sv := new(big.Int).SetBytes(sig[ecdsaLen:])
		ok = ecdsa.Verify(pub.(*ecdsa.PublicKey), d, r, sv)
	}
	if !ok {
		return fmt.Errorf("%w (%v)", ErrVerification, s)
	}
	return nil
}

// derToPlain converts an ASN.1 ECDSA-Sig-Value SEQUENCE {r INTEGER, s
// INTEGER} into r‖s, each left-padded to 32 bytes.
func derToPlain(der []byte) ([]byte, error) {
	var seq cryptobyte.String
	r, sv := new(big.Int), new(big.Int)
	in := cryptobyte.String(der)
	if !in.ReadASN1(&seq, cbasn1.SEQUENCE) || !in.Empty() ||
		!seq.ReadASN1Integer(r) || !seq.ReadASN1Integer(sv) || !seq.Empty() {
		return nil, errors.New("dap: signer returned a malformed ECDSA signature")
	}
	out := make([]byte, 2*ecdsaLen)
	for i, n := range []*big.Int{r, sv} {
		if n.Sign() <= 0 || n.BitLen() > 8*ecdsaLen {
			return nil, errors.New("dap: signer returned an out-of-range ECDSA value")
		}
		n.FillBytes(out[i*ecdsaLen : (i+1)*ecdsaLen])
	}
	return out, nil
}
