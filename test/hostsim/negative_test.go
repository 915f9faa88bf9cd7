package hostsim

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/cardhost/cardhost/gpcard"
	"github.com/cardhost/cardhost/gpcard/scp"
	"github.com/cardhost/cardhost/gpcard/sw"
	"github.com/cardhost/cardhost/reader"
)

// connect returns a counting transport to a fresh card of v and a Card
// connected to its ISD.
func connect(t *testing.T, v variant, k transportKind, log *traceLog) (*run, *countingTransport) {
	t.Helper()
	p := v.profile(t)
	card, tr := newCard(t, p, k)
	ct := &countingTransport{Transport: tr}
	c, err := gpcard.Connect(context.Background(), ct, gpcard.Options{Trace: log.trace})
	if err != nil {
		t.Fatal(err)
	}
	return &run{t: t, ctx: context.Background(), p: p, card: card, ct: ct, log: log, c: c, counts: counts}, ct
}

// Wrong static keys: the host sees the card cryptogram (or, in
// pseudo-random mode, the card challenge) mismatch after INITIALIZE UPDATE
// and stops with an *AuthError, sending no EXTERNAL AUTHENTICATE and never
// retrying — so the card's failure counter does not move, however often an
// operator tries, and the right keys still work afterwards.
func TestAuthenticate_WrongKeys_AuthErrorNotRetried(t *testing.T) {
	for _, k := range []transportKind{inProcess, viaPCSC} {
		for _, v := range variants {
			t.Run(fmt.Sprintf("%s/%s", k, v.name), func(t *testing.T) {
				if k == viaPCSC {
					t.Parallel()
				}
				log := &traceLog{}
				defer log.checkNoKeys(t)
				r, ct := connect(t, v, k, log)
				wrong := keysProvider(t, 0, wrongKeyHex)
				attempts := r.p.AuthFailureLimit + 2
				for i := 0; i < attempts; i++ {
					mark := ct.n()
					err := r.c.Authenticate(r.ctx, wrong, gpcard.AuthOptions{})
					log.add(fmt.Sprint(err))
					var ae *gpcard.AuthError
					var ce *scp.CryptogramError
					if !errors.As(err, &ae) || !errors.Is(err, scp.ErrAuthFailed) || !errors.As(err, &ce) {
						t.Fatalf("attempt %d: %v, want an *AuthError with a *CryptogramError", i, err)
					}
					if !strings.Contains(err.Error(), "do not retry") {
						t.Errorf("error does not warn against retrying: %v", err)
					}
					if got := ct.since(mark); string(got) != "\x50" {
						t.Fatalf("attempt %d sent INS %X, want only INITIALIZE UPDATE (50)", i, got)
					}
				}
				if f := r.card.Snapshot().ISD().Domain.AuthFailures; f != 0 {
					t.Errorf("card counted %d failures; the host never sent EXTERNAL AUTHENTICATE", f)
				}
				if err := r.c.Authenticate(r.ctx, keysProvider(t, 0, factoryKeyHex), gpcard.AuthOptions{}); err != nil {
					t.Fatalf("right keys after %d wrong attempts: %v", attempts, err)
				}
			})
		}
	}
}

// A card refusing EXTERNAL AUTHENTICATE (here 6982 injected by the sim's
// FailNext) gives an *AuthError after exactly two APDUs: no retry.
func TestAuthenticate_ExternalAuthenticateRefused_NotRetried(t *testing.T) {
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			log := &traceLog{}
			r, ct := connect(t, v, inProcess, log)
			r.card.FailNext(0x82, sw.SecurityStatus)
			mark := ct.n()
			err := r.c.Authenticate(r.ctx, keysProvider(t, 0, factoryKeyHex), gpcard.AuthOptions{})
			var ae *gpcard.AuthError
			if !errors.As(err, &ae) || !errors.Is(err, scp.ErrAuthFailed) || !errors.Is(err, sw.ErrSecurityStatus) {
				t.Fatalf("err = %v, want an *AuthError for 6982", err)
			}
			if got := ct.since(mark); string(got) != "\x50\x82" {
				t.Fatalf("sent INS %X, want 50 82", got)
			}
			log.add(err.Error())
			log.checkNoKeys(t)
		})
	}
}

// After the profile's failure limit of refused EXTERNAL AUTHENTICATEs (bad
// host cryptograms sent raw: gpcard never sends one) the card blocks the
// Security Domain: INITIALIZE UPDATE answers 6983 (GPCS 2.3.1 §E.5.1.4 /
// Amd D §7.1.1; clients.md §1.2 "card LOCKED?"), even with the right keys,
// and the host reports it after one APDU.
func TestAuthenticate_FailureLimit_6983(t *testing.T) {
	for _, k := range []transportKind{inProcess, viaPCSC} {
		for _, v := range variants {
			t.Run(fmt.Sprintf("%s/%s", k, v.name), func(t *testing.T) {
				if k == viaPCSC {
					t.Parallel()
				}
				log := &traceLog{}
				r, ct := connect(t, v, k, log)
				n := 8 // challenge, cryptogram and MAC length: S8
				if v.profile(t).SCP == 3 && v.profile(t).I&0x01 != 0 {
					n = 16
				}
				for i := 0; i < r.p.AuthFailureLimit; i++ {
					iu := append(append([]byte{0x80, 0x50, 0x00, 0x00, byte(n)}, make([]byte, n)...), 0x00)
					if resp := transmit(t, ct, iu); swOf(resp) != sw.OK {
						t.Fatalf("INITIALIZE UPDATE %d: %X", i, resp)
					}
					ea := append([]byte{0x84, 0x82, 0x01, 0x00, byte(2 * n)}, make([]byte, 2*n)...)
					if resp := transmit(t, ct, ea); swOf(resp) != sw.SecurityStatus {
						t.Fatalf("EXTERNAL AUTHENTICATE %d with a bad cryptogram: %X, want 6982", i, resp)
					}
				}
				if f := r.card.Snapshot().ISD().Domain.AuthFailures; f != r.p.AuthFailureLimit {
					t.Errorf("card counted %d failures, want %d", f, r.p.AuthFailureLimit)
				}
				mark := ct.n()
				err := r.c.Authenticate(r.ctx, keysProvider(t, 0, factoryKeyHex), gpcard.AuthOptions{})
				var se *sw.StatusError
				if !errors.As(err, &se) || se.SW != sw.AuthMethodBlocked || !errors.Is(err, sw.ErrAuthBlocked) {
					t.Fatalf("authenticate to a blocked SD: %v, want 6983", err)
				}
				if got := ct.since(mark); string(got) != "\x50" {
					t.Errorf("sent INS %X, want only INITIALIZE UPDATE", got)
				}
				log.add(err.Error())
				log.checkNoKeys(t)
			})
		}
	}
}

func transmit(t *testing.T, tr reader.Transport, c []byte) []byte {
	t.Helper()
	resp, err := tr.Transmit(context.Background(), c)
	if err != nil || len(resp) < 2 {
		t.Fatalf("transmit %X: %X, %v", c, resp, err)
	}
	return resp
}

func swOf(resp []byte) uint16 { return uint16(resp[len(resp)-2])<<8 | uint16(resp[len(resp)-1]) }
