package hostsim

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/cardhost/cardhost/applet/dap"
	"github.com/cardhost/cardhost/gpcard"
	"github.com/cardhost/cardhost/gpcard/command"
	"github.com/cardhost/cardhost/gpcard/keys"
	"github.com/cardhost/cardhost/gpcard/sw"
	"github.com/cardhost/cardhost/sim"
	"github.com/cardhost/cardhost/sim/profile"
)

// issuer holds the Card Issuer's token keys: an ECDSA P-256 key and an RSA
// key (generated once: RSA key generation is slow under -race), plus an
// ECDSA key the card does not know. The RSA key has 1024 bits: a 256-byte
// RSA-2048 token does not fit INSTALL [for install] in a short APDU next to
// its other fields (found here; cards then need extended length).
var issuer = sync.OnceValues(func() (*issuerKeys, error) {
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	rk, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		return nil, err
	}
	other, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	return &issuerKeys{ec: ec, rsa: rk, other: other}, nil
})

type issuerKeys struct {
	ec, other *ecdsa.PrivateKey
	rsa       *rsa.PrivateKey
}

// tokenScheme is the token scheme of one variant: RSASSA-PSS SHA-256 for
// SCP02 cards, ECDSA P-256 SHA-256 for SCP03 (both GPCS 2.3.1 §B.3/§B.4).
func tokenScheme(t testing.TB, p *profile.Profile) (crypto.Signer, command.TokenAlgorithm, dap.Scheme) {
	k, err := issuer()
	if err != nil {
		t.Fatal(err)
	}
	if p.SCP == 2 {
		return k.rsa, command.TokenRSAPSSSHA256, dap.RSAPSSSHA256
	}
	return k.ec, command.TokenECDSASHA256, dap.ECDSAP256SHA256
}

// receiptAlg is the receipt algorithm of the profile's key type: 3DES
// retail MAC for SCP02 cards, AES-CMAC for SCP03 cards (GPCS 2.3.1 §C.5).
func receiptAlg(p *profile.Profile) command.ReceiptAlgorithm {
	if p.SCP == 2 {
		return command.ReceiptDES
	}
	return command.ReceiptAES
}

// receiptLog records the receipts that verified: operation and counter.
type receiptLog struct {
	v        gpcard.ReceiptVerifier
	ops      []string
	counters []uint16
}

func (l *receiptLog) VerifyReceipt(ctx context.Context, op string, r command.Receipt, rc []byte) error {
	if err := l.v.VerifyReceipt(ctx, op, r, rc); err != nil {
		return err
	}
	d, err := r.ParseConfirmationData()
	if err != nil {
		return err
	}
	l.ops, l.counters = append(l.ops, op), append(l.counters, d.Counter)
	return nil
}

// ssdCard is a card of v whose ISD has a receipt key (profile) and the
// issuer's token key (sim.Card.SetTokenKey), with SSD 1 created by the ISD
// with privs and keys kvnSSD; the returned Card is authenticated to the SSD.
func ssdCard(t *testing.T, v variant, k transportKind, log *traceLog, privs ...string) (*sim.Card, *gpcard.Card, *countingTransport, keys.Provider) {
	t.Helper()
	p := v.profile(t)
	p.ReceiptKey = hx(t, receiptKeyHex)
	card, tr := newCard(t, p, k)
	_, _, scheme := tokenScheme(t, p)
	signer, _, _ := tokenScheme(t, p)
	if err := card.SetTokenKey(scheme, signer.Public()); err != nil {
		t.Fatal(err)
	}
	ct := &countingTransport{Transport: tr}
	ctx := context.Background()
	c, err := gpcard.Connect(ctx, ct, gpcard.Options{Trace: log.trace})
	if err != nil {
		t.Fatal(err)
	}
	kp := keys.NewPlain(set(t, byte(p.KVN), factoryKeyHex), set(t, kvnSSD, ssdKeyHex))
	if err := c.Authenticate(ctx, kp, gpcard.AuthOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateSSD(ctx, gpcard.SSDOptions{AID: ssd1AID, Privileges: privs,
		InitialKeys: &gpcard.InitialKeys{Via: gpcard.ByStoreData, KVN: kvnSSD}}); err != nil {
		t.Fatal(err)
	}
	if err := c.Select(ctx, ssd1AID); err != nil {
		t.Fatal(err)
	}
	if err := c.Authenticate(ctx, kp, gpcard.AuthOptions{KVN: kvnSSD}); err != nil {
		t.Fatal(err)
	}
	return card, c, ct, kp
}

// dmCases is the matrix of the Delegated Management and ciphered LFDB
// tests: both protocols in process, one of them through pcscd too.
var dmCases = []struct {
	k transportKind
	v variant
}{
	{inProcess, variants[0]}, // SCP02 i=15: RSA-PSS tokens, 3DES receipts
	{inProcess, variants[4]}, // SCP03 i=70: ECDSA tokens, AES receipts
	{viaPCSC, variants[4]},
}

// An SSD with Delegated Management loads, installs, deletes and extradites
// only with tokens signed by the Card Issuer and verified with the ISD's
// token key; the ISD (Receipt Generation) answers each with a receipt the
// host verifies, the confirmation counter going up by one each time. No
// token, a token from another key: 6982 and nothing changes. A wrong
// receipt key: the host reports ErrReceipt although the card did the work.
func TestDelegatedManagement_TokensAndReceipts(t *testing.T) {
	for _, tc := range dmCases {
		t.Run(fmt.Sprintf("%s/%s", tc.k, tc.v.name), func(t *testing.T) {
			if tc.k == viaPCSC {
				t.Parallel()
			}
			log := &traceLog{}
			defer log.checkNoKeys(t)
			card, c, _, _ := ssdCard(t, tc.v, tc.k, log, "DelegatedManagement")
			ctx := context.Background()
			p := tc.v.profile(t)
			signer, alg, _ := tokenScheme(t, p)
			f := testCAP(t, []byte{0xD0, 0xD1, 0xD2, 0xD3, 0xD4, 0x0D}, 300)
			load := gpcard.InstallCAPOptions{Load: gpcard.LoadOptions{Hash: crypto.SHA256}}

			_, err := c.InstallCAP(ctx, f, load)
			log.add(fmt.Sprint(err))
			if !errors.Is(err, sw.ErrSecurityStatus) || card.Snapshot().LoadFile(f.LoadFileAID()) != nil {
				t.Fatalf("load without token: %v, want 6982 and no load file", err)
			}
			k, _ := issuer()
			c.SetDelegation(gpcard.Delegation{Token: gpcard.SignTokens(k.other, command.TokenECDSASHA256, nil)})
			_, err = c.InstallCAP(ctx, f, load)
			if !errors.Is(err, sw.ErrSecurityStatus) {
				t.Fatalf("load with a token from another key: %v, want 6982", err)
			}

			rl := &receiptLog{v: gpcard.NewReceiptKey(receiptAlg(p), key(t, receiptKeyHex))}
			c.SetDelegation(gpcard.Delegation{Token: gpcard.SignTokens(signer, alg, nil), Receipts: rl})
			if _, err := c.InstallCAP(ctx, f, load); err != nil {
				t.Fatalf("delegated install: %v", err)
			}
			app := f.Applets[0].AID
			if err := c.Delete(ctx, app, false); err != nil {
				t.Fatalf("delegated delete: %v", err)
			}
			if err := c.Extradite(ctx, isdAID, f.LoadFileAID()); err != nil {
				t.Fatalf("delegated extradition: %v", err)
			}
			s := card.Snapshot()
			if lf := s.LoadFile(f.LoadFileAID()); lf == nil || string(lf.SD) != string(isdAID) || s.App(app) != nil {
				t.Fatalf("card state after delegated operations: load file %+v, app %v", lf, s.App(app) != nil)
			}
			wantOps := []string{command.NameLoad, command.NameInstallForInstallMakeSelectable, command.NameDelete, command.NameInstallForExtradition}
			if fmt.Sprint(rl.ops) != fmt.Sprint(wantOps) || fmt.Sprint(rl.counters) != "[1 2 3 4]" {
				t.Fatalf("receipts %v counters %v, want %v [1 2 3 4]", rl.ops, rl.counters, wantOps)
			}

			c.SetDelegation(gpcard.Delegation{Token: gpcard.SignTokens(signer, alg, nil),
				Receipts: gpcard.NewReceiptKey(receiptAlg(p), key(t, wrongKeyHex))})
			f2 := testCAP(t, []byte{0xD0, 0xD1, 0xD2, 0xD3, 0xD4, 0x0E}, 40)
			_, err = c.Load(ctx, f2, load.Load)
			log.add(fmt.Sprint(err))
			if !errors.Is(err, gpcard.ErrReceipt) || card.Snapshot().LoadFile(f2.LoadFileAID()) == nil {
				t.Fatalf("wrong receipt key: %v, want ErrReceipt with the load done", err)
			}
		})
	}
}

// A Security Domain with the Ciphered Load File Data Block privilege takes
// the block only encrypted (D4) under its Key-DEK: the host encrypts it in
// the key provider; a plain block is refused (6982), one encrypted under
// another DEK too (6A80), and the clear block never travels.
func TestCipheredLoadFileDataBlock(t *testing.T) {
	for _, tc := range dmCases {
		t.Run(fmt.Sprintf("%s/%s", tc.k, tc.v.name), func(t *testing.T) {
			if tc.k == viaPCSC {
				t.Parallel()
			}
			log := &traceLog{}
			defer log.checkNoKeys(t)
			card, c, ct, kp := ssdCard(t, tc.v, tc.k, log, "AuthorizedManagement", "CipheredLoadFileDataBlock")
			ctx := context.Background()
			f := testCAP(t, []byte{0xD0, 0xD1, 0xD2, 0xD3, 0xD4, 0x0C}, 500)
			if _, err := c.Load(ctx, f, gpcard.LoadOptions{Hash: crypto.SHA256}); !errors.Is(err, sw.ErrSecurityStatus) {
				t.Fatalf("plain LFDB: %v, want 6982", err)
			}
			mark := ct.n()
			if _, err := c.Load(ctx, f, gpcard.LoadOptions{Ciphered: true}); err == nil || ct.n() != mark {
				t.Fatalf("ciphered LFDB without hash: %v after %d APDUs, want an error before any", err, ct.n()-mark)
			}
			bad := keys.NewPlain(keys.KeySet{KVN: kvnSSD, ENC: key(t, ssdKeyHex), MAC: key(t, ssdKeyHex), DEK: key(t, wrongKeyHex)})
			if err := c.Authenticate(ctx, bad, gpcard.AuthOptions{KVN: kvnSSD}); err != nil {
				t.Fatal(err)
			}
			if _, err := c.Load(ctx, f, gpcard.LoadOptions{Hash: crypto.SHA256, Ciphered: true}); !errors.Is(err, sw.ErrWrongData) {
				t.Fatalf("LFDB under the wrong DEK: %v, want 6A80", err)
			}
			if err := c.Authenticate(ctx, kp, gpcard.AuthOptions{KVN: kvnSSD}); err != nil {
				t.Fatal(err)
			}
			mark = ct.n()
			if _, err := c.InstallCAP(ctx, f, gpcard.InstallCAPOptions{Load: gpcard.LoadOptions{Hash: crypto.SHA256, Ciphered: true}}); err != nil {
				t.Fatalf("ciphered install: %v", err)
			}
			first := ct.cmds[mark+1] // the first LOAD (C-MAC only: data in clear)
			if first[1] != 0xE8 || first[5] != 0xD4 {
				t.Fatalf("first LOAD %X, want a D4 block", first[:8])
			}
			if lf := card.Snapshot().LoadFile(f.LoadFileAID()); lf == nil || string(lf.SD) != string(ssd1AID) {
				t.Fatalf("load file %+v", lf)
			}
		})
	}
}
