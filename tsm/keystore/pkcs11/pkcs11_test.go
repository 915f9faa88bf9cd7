//go:build cgo

package pkcs11_test

import (
	"context"
	"crypto/aes"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	p11 "github.com/miekg/pkcs11"

	"github.com/cardhost/cardhost/gpcard/keys"
	"github.com/cardhost/cardhost/gpcard/secret"
	"github.com/cardhost/cardhost/tsm/keystore"
	"github.com/cardhost/cardhost/tsm/keystore/keystoretest"
	"github.com/cardhost/cardhost/tsm/keystore/pkcs11"
	"github.com/cardhost/cardhost/tsm/keystore/softhsmtest"
)

func open(t *testing.T, cfg keystore.PKCS11Config, o keystore.Options) keystore.Store {
	t.Helper()
	s, err := pkcs11.Open(context.Background(), cfg, o)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestConformance(t *testing.T) {
	keystoretest.Run(t, func(t *testing.T, o keystore.Options) (keystore.Store, func(*testing.T) keystore.Store) {
		cfg := softhsmtest.New(t).Config()
		cfg.InsecureAllowDESExport = true // the SCP02 PUT KEY vector (package doc)
		return open(t, cfg, o), func(t *testing.T) keystore.Store { return open(t, cfg, o) }
	})
}

func TestOpen_WrongPIN(t *testing.T) {
	tk := softhsmtest.New(t)
	cfg := tk.Config()
	cfg.PIN = tk.WrongPIN
	s, err := pkcs11.Open(context.Background(), cfg, keystore.Options{})
	if s != nil || !errors.Is(err, keystore.ErrWrongPIN) || strings.Contains(err.Error(), "not-the-pin") {
		t.Fatalf("Open with wrong PIN = %v, %v; want ErrWrongPIN without the PIN", s, err)
	}
	// The module is released: a correct open afterwards works.
	open(t, tk.Config(), keystore.Options{}).Close()
}

func TestOpen_UnknownToken(t *testing.T) {
	cfg := softhsmtest.New(t).Config()
	cfg.TokenLabel = "no-such-token"
	if _, err := pkcs11.Open(context.Background(), cfg, keystore.Options{}); err == nil || !strings.Contains(err.Error(), "no-such-token") {
		t.Fatalf("Open = %v, want an error naming the token", err)
	}
}

const keyK = "404142434445464748494A4B4C4D4E4F"

// zeroBlockKCV is what PKCS#11 defines as an AES key's CKA_CHECK_VALUE:
// the first 3 bytes of AES-ECB(K, 00×16).
func zeroBlockKCV(t *testing.T) string {
	k, _ := hex.DecodeString(keyK)
	b, err := aes.NewCipher(k)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]byte, 16)
	b.Encrypt(out, out)
	return hex.EncodeToString(out[:3])
}

func importK(s keystore.Store, label string, ty keys.Type, kcv []byte, u keystore.Usage) (keystore.Metadata, error) {
	k, _ := hex.DecodeString(keyK)
	km := keystore.KeyMaterial{Components: []keystore.Component{{Key: secret.New(k), KCV: kcv}}, KCV: kcv}
	return s.Import(context.Background(), keystore.ImportRequest{Label: label, Kind: keystore.Static, Type: ty, KVN: 1, Usage: u, Keys: []keystore.KeyMaterial{km, km, km}})
}

func TestImport_DESForPutKeyNeedsInsecureOption(t *testing.T) {
	s := open(t, softhsmtest.New(t).Config(), keystore.Options{})
	defer s.Close()
	_, err := importK(s, "des-k", keys.DES3, []byte{0x8B, 0xAF, 0x47}, keystore.UseChannel|keystore.UsePutKey)
	if !errors.Is(err, keystore.ErrUnsupported) || !strings.Contains(err.Error(), "insecure_allow_des_export") {
		t.Fatalf("Import = %v, want ErrUnsupported naming the option", err)
	}
	if l, _ := s.List(context.Background()); len(l) != 0 {
		t.Errorf("a refused import left %d entries", len(l))
	}
}

// TestKeys_StayInToken reads the token's objects directly: channel keys
// are sensitive and not extractable, and the GP AES KCV differs from the
// token's CKA_CHECK_VALUE (gp-card.md §1.9).
func TestKeys_StayInToken(t *testing.T) {
	tk := softhsmtest.New(t)
	s := open(t, tk.Config(), keystore.Options{})
	defer s.Close()
	m, err := importK(s, "aes-k", keys.AES128, []byte{0x50, 0x4A, 0x77}, keystore.UseChannel)
	if err != nil {
		t.Fatal(err)
	}
	if m.KCVs[0].String() != "504A77" {
		t.Fatalf("KCV %v, want 504A77", m.KCVs[0])
	}
	c := p11.New(softhsmtest.Module) // shares the initialised module
	defer c.Destroy()
	slots, err := c.GetSlotList(true)
	if err != nil {
		t.Fatal(err)
	}
	sh, err := c.OpenSession(slots[0], p11.CKF_SERIAL_SESSION)
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseSession(sh)
	if err := c.FindObjectsInit(sh, []*p11.Attribute{p11.NewAttribute(p11.CKA_CLASS, p11.CKO_SECRET_KEY), p11.NewAttribute(p11.CKA_LABEL, "aes-k")}); err != nil {
		t.Fatal(err)
	}
	objs, _, err := c.FindObjects(sh, 10)
	c.FindObjectsFinal(sh)
	if err != nil || len(objs) != 3 {
		t.Fatalf("found %d key objects (%v), want 3", len(objs), err)
	}
	for _, o := range objs {
		attrs, err := c.GetAttributeValue(sh, o, []*p11.Attribute{p11.NewAttribute(p11.CKA_SENSITIVE, nil), p11.NewAttribute(p11.CKA_EXTRACTABLE, nil), p11.NewAttribute(p11.CKA_CHECK_VALUE, nil)})
		if err != nil {
			t.Fatal(err)
		}
		if attrs[0].Value[0] != 1 || attrs[1].Value[0] != 0 {
			t.Errorf("key object sensitive=%v extractable=%v, want true/false", attrs[0].Value, attrs[1].Value)
		}
		if got := hex.EncodeToString(attrs[2].Value); got != zeroBlockKCV(t) {
			t.Errorf("CKA_CHECK_VALUE = %s, want %s (AES of zeros, unlike the GP KCV 504A77)", got, zeroBlockKCV(t))
		}
		if _, err := c.GetAttributeValue(sh, o, []*p11.Attribute{p11.NewAttribute(p11.CKA_VALUE, nil)}); !errors.Is(err, p11.Error(p11.CKR_ATTRIBUTE_SENSITIVE)) {
			t.Errorf("reading CKA_VALUE: %v, want CKR_ATTRIBUTE_SENSITIVE", err)
		}
	}
}

// TestKDF3_MasterWithHighBitL compares the token's KDF3 derivation with
// gpcard/keys for a master whose L = AES(master, 00×16) has its top bit set
// (C6…), the CMAC subkey case the published masters do not reach.
func TestKDF3_MasterWithHighBitL(t *testing.T) {
	s := open(t, softhsmtest.New(t).Config(), keystore.Options{})
	defer s.Close()
	mk, _ := hex.DecodeString("000102030405060708090A0B0C0D0E0F")
	kdd, _ := hex.DecodeString("00010203040506070809")
	master := secret.New(mk)
	kcv, err := keys.KCV(keys.AES128, master)
	if err != nil {
		t.Fatal(err)
	}
	km := keystore.KeyMaterial{Components: []keystore.Component{{Key: master, KCV: kcv}}, KCV: kcv}
	ctx := context.Background()
	if _, err := s.Import(ctx, keystore.ImportRequest{Label: "m", Kind: keystore.Master, Type: keys.AES128, Method: keys.KDF3, Usage: keystore.UseChannel, Keys: []keystore.KeyMaterial{km}}); err != nil {
		t.Fatal(err)
	}
	p, err := s.Provider(ctx, "m")
	if err != nil {
		t.Fatal(err)
	}
	got, err := p.KeySet(ctx, 0x30, kdd)
	if err != nil {
		t.Fatal(err)
	}
	set, err := keys.Diversify(secret.New(mk), keys.KDF3, kdd)
	if err != nil {
		t.Fatal(err)
	}
	want, err := set.Info(keys.AES128)
	if err != nil {
		t.Fatal(err)
	}
	for i := range want.KCV {
		if hex.EncodeToString(got.KCV[i]) != hex.EncodeToString(want.KCV[i]) {
			t.Errorf("key %d: token KCV %X, gpcard/keys KCV %X", i+1, got.KCV[i], want.KCV[i])
		}
	}
}

func TestRegistered(t *testing.T) {
	cfg := softhsmtest.New(t).Config()
	s, err := keystore.Open(context.Background(), keystore.Config{Backend: "pkcs11", PKCS11: &cfg}, keystore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
}
