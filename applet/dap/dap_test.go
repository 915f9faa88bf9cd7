package dap

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"errors"
	"math/big"
	"strings"
	"sync"
	"testing"
)

var (
	keysOnce sync.Once
	rsa1024  *rsa.PrivateKey
	rsa2048  *rsa.PrivateKey
	p256     *ecdsa.PrivateKey
	p384     *ecdsa.PrivateKey
)

// keys generates the test keys once per test binary.
func keys(t testing.TB) {
	t.Helper()
	keysOnce.Do(func() {
		var err error
		if rsa1024, err = rsa.GenerateKey(rand.Reader, 1024); err != nil {
			panic(err)
		}
		if rsa2048, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
		if p256, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
			panic(err)
		}
		if p384, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader); err != nil {
			panic(err)
		}
	})
}

// lfdbh is a stand-in Load File Data Block Hash: SHA-256 of a fixed string.
var lfdbh = func() []byte { h := sha256.Sum256([]byte("load file data block")); return h[:] }()

func TestSignVerify_RoundTrip(t *testing.T) {
	keys(t)
	sha1Hash := sha1.Sum([]byte("x"))
	for _, tc := range []struct {
		name   string
		scheme Scheme
		key    crypto.Signer
		hash   []byte
		sigLen int
	}{
		{"scheme1 RSA-1024 SHA-256 LFDBH", RSAPKCS1SHA1, rsa1024, lfdbh, 128},
		{"scheme1 RSA-1024 SHA-1 LFDBH", RSAPKCS1SHA1, rsa1024, sha1Hash[:], 128},
		{"scheme2 RSA-2048", RSAPSSSHA256, rsa2048, lfdbh, 256},
		{"ECDSA P-256", ECDSAP256SHA256, p256, lfdbh, 64},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sig, err := Sign(rand.Reader, tc.scheme, tc.key, tc.hash)
			if err != nil {
				t.Fatalf("Sign: %v", err)
			}
			if len(sig) != tc.sigLen {
				t.Fatalf("signature length %d, want %d", len(sig), tc.sigLen)
			}
			if err := Verify(tc.scheme, tc.key.Public(), tc.hash, sig); err != nil {
				t.Fatalf("Verify: %v", err)
			}
		})
	}
}

// TestSign_SignsHashOfLFDBH checks, with the standard library alone, that the
// message signed is the Load File Data Block Hash itself (GPCS C.3), hashed by
// the scheme's digest.
func TestSign_SignsHashOfLFDBH(t *testing.T) {
	keys(t)
	sig, err := Sign(rand.Reader, RSAPKCS1SHA1, rsa1024, lfdbh)
	if err != nil {
		t.Fatal(err)
	}
	d1 := sha1.Sum(lfdbh)
	if err := rsa.VerifyPKCS1v15(&rsa1024.PublicKey, crypto.SHA1, d1[:], sig); err != nil {
		t.Errorf("scheme 1 is not PKCS#1 v1.5 over SHA-1(LFDBH): %v", err)
	}
	sig, err = Sign(rand.Reader, RSAPSSSHA256, rsa2048, lfdbh)
	if err != nil {
		t.Fatal(err)
	}
	d256 := sha256.Sum256(lfdbh)
	if err := rsa.VerifyPSS(&rsa2048.PublicKey, crypto.SHA256, d256[:], sig, &rsa.PSSOptions{SaltLength: 32}); err != nil {
		t.Errorf("scheme 2 is not PSS/SHA-256, salt 32, over SHA-256(LFDBH): %v", err)
	}
	sig, err = Sign(rand.Reader, ECDSAP256SHA256, p256, lfdbh)
	if err != nil {
		t.Fatal(err)
	}
	r, s := new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])
	if !ecdsa.Verify(&p256.PublicKey, d256[:], r, s) {
		t.Error("ECDSA signature is not r||s over SHA-256(LFDBH)")
	}
}

func TestVerify_Rejects(t *testing.T) {
	keys(t)
	other, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	otherEC, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	sign := func(s Scheme, k crypto.Signer) []byte {
		sig, err := Sign(rand.Reader, s, k, lfdbh)
		if err != nil {
			t.Fatal(err)
		}
		return sig
	}
	tampered := bytes.Clone(lfdbh)
	tampered[0] ^= 1
	sig1, sig2, sigEC := sign(RSAPKCS1SHA1, rsa1024), sign(RSAPSSSHA256, rsa2048), sign(ECDSAP256SHA256, p256)
	flipped := bytes.Clone(sigEC)
	flipped[63] ^= 1
	for _, tc := range []struct {
		name   string
		scheme Scheme
		pub    crypto.PublicKey
		hash   []byte
		sig    []byte
		isVer  bool // error must match ErrVerification
		substr string
	}{
		{"scheme1 tampered hash", RSAPKCS1SHA1, &rsa1024.PublicKey, tampered, sig1, true, ""},
		{"scheme1 wrong key", RSAPKCS1SHA1, &other.PublicKey, lfdbh, sig1, true, ""},
		{"scheme1 sig checked as scheme2", RSAPSSSHA256, &rsa1024.PublicKey, lfdbh, sig1, true, ""},
		{"scheme2 tampered hash", RSAPSSSHA256, &rsa2048.PublicKey, tampered, sig2, true, ""},
		{"scheme2 sig checked as scheme1", RSAPKCS1SHA1, &rsa2048.PublicKey, lfdbh, sig2, true, ""},
		{"ECDSA tampered hash", ECDSAP256SHA256, &p256.PublicKey, tampered, sigEC, true, ""},
		{"ECDSA wrong key", ECDSAP256SHA256, &otherEC.PublicKey, lfdbh, sigEC, true, ""},
		{"ECDSA flipped signature", ECDSAP256SHA256, &p256.PublicKey, lfdbh, flipped, true, ""},
		{"ECDSA short signature", ECDSAP256SHA256, &p256.PublicKey, lfdbh, sigEC[:63], true, "64"},
		{"ECDSA sig with RSA scheme", RSAPKCS1SHA1, &p256.PublicKey, lfdbh, sigEC, false, "cannot be used"},
		{"RSA key with ECDSA scheme", ECDSAP256SHA256, &rsa1024.PublicKey, lfdbh, sig1, false, "cannot be used"},
		{"P-384 key", ECDSAP256SHA256, &p384.PublicKey, lfdbh, sigEC, false, "P-256"},
		{"unknown scheme", Scheme(9), &rsa1024.PublicKey, lfdbh, sig1, false, "unknown scheme"},
		{"bad hash length", RSAPKCS1SHA1, &rsa1024.PublicKey, lfdbh[:31], sig1, false, "31 bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Verify(tc.scheme, tc.pub, tc.hash, tc.sig)
			if err == nil {
				t.Fatal("Verify succeeded, want error")
			}
			if errors.Is(err, ErrVerification) != tc.isVer {
				t.Errorf("errors.Is(ErrVerification) = %t, want %t (%v)", !tc.isVer, tc.isVer, err)
			}
			if !strings.Contains(err.Error(), tc.substr) {
				t.Errorf("error %q does not mention %q", err, tc.substr)
			}
		})
	}
}

func TestSign_Rejects(t *testing.T) {
	keys(t)
	_, edKey, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		scheme Scheme
		key    crypto.Signer
		hash   []byte
		substr string
	}{
		{"ECDSA key, RSA scheme", RSAPKCS1SHA1, p256, lfdbh, "cannot be used"},
		{"RSA key, ECDSA scheme", ECDSAP256SHA256, rsa2048, lfdbh, "cannot be used"},
		{"Ed25519 key", ECDSAP256SHA256, edKey, lfdbh, "cannot be used"},
		{"P-384 key", ECDSAP256SHA256, p384, lfdbh, "P-256"},
		{"empty hash", RSAPSSSHA256, rsa2048, nil, "0 bytes"},
		{"unset scheme", 0, rsa2048, lfdbh, "unknown scheme"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Sign(rand.Reader, tc.scheme, tc.key, tc.hash)
			if err == nil || !strings.Contains(err.Error(), tc.substr) {
				t.Fatalf("Sign error %v, want one mentioning %q", err, tc.substr)
			}
		})
	}
}
