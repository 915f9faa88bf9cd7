package scp03

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"

	"github.com/cardhost/cardhost/gpcard/gpcrypto"
	"github.com/cardhost/cardhost/gpcard/keys"
	"github.com/cardhost/cardhost/gpcard/scp"
	"github.com/cardhost/cardhost/gpcard/secret"
	"github.com/cardhost/cardhost/reader"
)

// initResponse is a parsed INITIALIZE UPDATE response; slices are copies.
type initResponse struct {
	kdd                           []byte
	kvn, scp, i                   byte
	cardChallenge, cardCryptogram []byte
	seq                           []byte // nil without pseudo-random mode
}

// parseInitUpdate parses the response data (without SW) per Amd D §7.1.1.4,
// Table 7-2: KDD(10) ‖ KVN(1) ‖ 03 ‖ i(1) ‖ card challenge(8|16) ‖ card
// cryptogram(8|16) [‖ sequence counter(3) when i b5]. S8 is 29 bytes, +16 in
// S16 (i b1), +3 with the counter.
func parseInitUpdate(b []byte) (initResponse, error) {
	if len(b) < 13 {
		return initResponse{}, scp.Protocolf("INITIALIZE UPDATE response is %d bytes, want at least 29", len(b))
	}
	r := initResponse{kvn: b[10], scp: b[11], i: b[12]}
	if r.scp != 0x03 {
		return initResponse{}, scp.Protocolf("card answered INITIALIZE UPDATE with SCP %02X at offset 11, want 03", r.scp)
	}
	if err := checkI(r.i); err != nil {
		return initResponse{}, err
	}
	n := 8
	if r.i&iS16 != 0 {
		n = 16
	}
	want := 13 + 2*n
	if r.i&iPseudoRandom != 0 {
		want += 3
	}
	if len(b) != want {
		return initResponse{}, scp.Protocolf("INITIALIZE UPDATE response is %d bytes, want %d for i=%02X", len(b), want, r.i)
	}
	cp := func(from, to int) []byte { return append([]byte(nil), b[from:to]...) }
	r.kdd, r.cardChallenge, r.cardCryptogram = cp(0, 10), cp(13, 13+n), cp(13+n, 13+2*n)
	if r.i&iPseudoRandom != 0 {
		r.seq = cp(13+2*n, want)
	}
	return r, nil
}

// Open authenticates to the card with SCP03 and returns the session that
// wraps every later command: INITIALIZE UPDATE (host challenge from o.Rand),
// response and version checks, the pseudo-random card challenge check (i
// b5), the card cryptogram check, then EXTERNAL AUTHENTICATE at o.Level. The
// Security Domain whose keys are used must already be selected. A failed
// check is a *CryptogramError and is never retried.
func Open(ctx context.Context, t reader.Transport, kp keys.Provider, o Options) (*Session, error) {
	o, err := o.withDefaults()
	if err != nil {
		return nil, err
	}
	if t == nil || kp == nil {
		return nil, errors.New("scp03: Open needs a transport and a key provider")
	}
	op := &opener{ctx: ctx, t: t, kp: kp, o: o}
	steps := []func() error{op.initializeUpdate, op.checkOptions, op.deriveSessionKeys, op.checkCardChallenge, op.checkCardCryptogram, op.externalAuthenticate}
	for _, step := range steps {
		if err := step(); err != nil {
			if op.sk != nil {
				op.sk.Zero()
			}
			return nil, err
		}
	}
	c := &codec{i: op.i, level: o.Level, s16: op.i&iS16 != 0, sk: op.sk, mcv: op.mcv}
	return newSession(t, kp, op.in, c, o.ExtendedLength), nil
}

// opener is the state of one Open call.
type opener struct {
	ctx  context.Context
	t    reader.Transport
	kp   keys.Provider
	o    Options
	host []byte
	resp initResponse
	i    byte
	in   keys.SessionInput
	sk   *keys.SessionKeys
	mcv  []byte
}

func (op *opener) initializeUpdate() error {
	n := 8
	if op.o.S16 {
		n = 16
	}
	var err error
	if op.host, err = scp.HostChallenge(op.o.Rand, n); err != nil {
		return fmt.Errorf("scp03: %w", err)
	}
	b, err := scp.InitializeUpdate(op.ctx, op.t, op.o.Channel, op.o.KVN, op.host)
	if err != nil {
		return fmt.Errorf("scp03: %w", err)
	}
	op.resp, err = parseInitUpdate(b)
	return err
}

// checkOptions settles i (the card's unless forced) and checks it against
// the requested KVN, S16 mode and level.
func (op *opener) checkOptions() error {
	op.i = op.resp.i
	if op.o.ForceI {
		op.i = op.o.I
	}
	switch {
	case op.o.KVN != 0 && op.resp.kvn != op.o.KVN:
		return scp.Protocolf("card answered with KVN %02X, requested %02X", op.resp.kvn, op.o.KVN)
	case (op.i&iS16 != 0) != op.o.S16 || (op.resp.i&iS16 != 0) != op.o.S16:
		return scp.Protocolf("card i=%02X (in force %02X) does not match S16=%v", op.resp.i, op.i, op.o.S16)
	case op.o.Level&RMAC != 0 && op.i&iRMAC == 0:
		return fmt.Errorf("scp03: R-MAC requested but i=%02X has no R-MAC support", op.i)
	case op.o.Level&RENC != 0 && op.i&iRENC == 0:
		return fmt.Errorf("scp03: R-ENC requested but i=%02X has no R-ENC support", op.i)
	case op.i&iPseudoRandom != 0 && op.resp.seq == nil:
		return scp.Protocolf("i=%02X is pseudo-random but the card sent no sequence counter", op.i)
	}
	return nil
}

func (op *opener) deriveSessionKeys() error {
	op.in = keys.SessionInput{SCP: 0x03, I: op.i, KVN: op.resp.kvn, KDD: op.resp.kdd, Sequence: op.resp.seq, HostChallenge: op.host, CardChallenge: op.resp.cardChallenge}
	sk, err := op.kp.SessionKeys(op.ctx, op.in)
	if err != nil {
		return fmt.Errorf("scp03: session keys: %w", err)
	}
	op.sk = sk
	return nil
}

func (op *opener) checkCardChallenge() error {
	if op.i&iPseudoRandom == 0 {
		return nil
	}
	want, err := op.kp.PseudoRandomChallenge(op.ctx, op.in, op.o.AID)
	if err != nil {
		return fmt.Errorf("scp03: pseudo-random challenge: %w", err)
	}
	if subtle.ConstantTimeCompare(want, op.resp.cardChallenge) != 1 {
		return &CryptogramError{SCP: 0x03, I: op.i, KVN: op.resp.kvn, What: "card challenge", Expected: want, Received: op.resp.cardChallenge}
	}
	return nil
}

// cryptogram is KDF(S-MAC, constant, host ‖ card challenge) with L = 64 (128
// in S16) (Amd D §6.2.2.2, §6.2.2.3).
func (op *opener) cryptogram(constant byte) ([]byte, error) {
	ctxt := append(append([]byte(nil), op.host...), op.resp.cardChallenge...)
	return kdf(op.sk.MAC, constant, ctxt, 8*len(op.resp.cardChallenge))
}

func (op *opener) checkCardCryptogram() error {
	want, err := op.cryptogram(gpcrypto.KDFCardCryptogram)
	if err != nil {
		return err
	}
	if subtle.ConstantTimeCompare(want, op.resp.cardCryptogram) != 1 {
		return &CryptogramError{SCP: 0x03, I: op.i, KVN: op.resp.kvn, What: "card cryptogram", Expected: want, Received: op.resp.cardCryptogram}
	}
	return nil
}

func (op *opener) externalAuthenticate() error {
	hc, err := op.cryptogram(gpcrypto.KDFHostCryptogram)
	if err != nil {
		return err
	}
	// Amd D §7.1.2: 84 82 level 00 Lc host-cryptogram ‖ C-MAC, MAC chaining
	// value 00×16 (§6.2.4).
	ml := len(hc)
	lc := byte(len(hc) + ml)
	cla, err := scp.AuthClass(op.o.Channel, true)
	if err != nil {
		return err
	}
	in := append(make([]byte, 16), cla, 0x82, byte(op.o.Level), 0x00, lc)
	full, err := cmac(op.sk.MAC, append(in, hc...))
	if err != nil {
		return err
	}
	if err := scp.ExternalAuthenticate(op.ctx, op.t, op.o.Channel, byte(op.o.Level), append(hc, full[:ml]...)); err != nil {
		return fmt.Errorf("scp03: %w", err)
	}
	op.mcv = full
	return nil
}

func kdf(k secret.Key, constant byte, context []byte, bits int) ([]byte, error) {
	var out []byte
	err := k.Use(func(b []byte) error {
		var err error
		out, err = gpcrypto.KDF(b, constant, context, bits)
		return err
	})
	return out, err
}

func cmac(k secret.Key, data []byte) ([]byte, error) {
	var out []byte
	err := k.Use(func(b []byte) error {
		var err error
		out, err = gpcrypto.CMAC(b, data)
		return err
	})
	return out, err
}
