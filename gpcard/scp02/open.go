package scp02

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"

	"github.com/cardhost/cardhost/gpcard/gpcrypto"
	"github.com/cardhost/cardhost/gpcard/keys"
	"github.com/cardhost/cardhost/gpcard/scp"
	"github.com/cardhost/cardhost/gpcard/sw"
	"github.com/cardhost/cardhost/reader"
	"github.com/skythen/apdu"
)

// insGetData is GET DATA (GPCS 2.3.1 §11.1, Table 11-2), used to read the
// sequence counter for implicit initiation.
const insGetData = 0xCA

// initUpdateLen is the SCP02 INITIALIZE UPDATE response data length: KDD(10)
// ‖ KVN(1) ‖ SCP(1) ‖ sequence counter(2) ‖ card challenge(6) ‖ card
// cryptogram(8) (GPCS 2.3.1 §E.5.1.3, Table E-3).
const initUpdateLen = 28

// initResponse is a parsed INITIALIZE UPDATE response; slices are copies.
type initResponse struct {
	kdd            []byte
	kvn, scp       byte
	seq            []byte
	cardChallenge  []byte
	cardCryptogram []byte
}

// parseInitUpdate parses the response data (without SW) per Table E-3.
func parseInitUpdate(b []byte) (initResponse, error) {
	if len(b) != initUpdateLen {
		return initResponse{}, scp.Protocolf("INITIALIZE UPDATE response is %d bytes, want %d", len(b), initUpdateLen)
	}
	cp := func(from, to int) []byte { return append([]byte(nil), b[from:to]...) }
	r := initResponse{kdd: cp(0, 10), kvn: b[10], scp: b[11], seq: cp(12, 14), cardChallenge: cp(14, 20), cardCryptogram: cp(20, 28)}
	if r.scp != 0x02 {
		return initResponse{}, scp.Protocolf("card answered INITIALIZE UPDATE with SCP %02X at offset 11, want 02", r.scp)
	}
	return r, nil
}

// Open authenticates to the card with SCP02 and returns the session that
// wraps every later command. With an explicit i (b3 = 1) it sends INITIALIZE
// UPDATE (host challenge from o.Rand), checks the response, the optional
// pseudo-random card challenge and the card cryptogram, then sends EXTERNAL
// AUTHENTICATE at o.Level. With an implicit i it reads the sequence counter
// with GET DATA C1 and starts C-MAC on the next command. The application
// whose keys are used must already be selected. A failed cryptogram check is
// a *CryptogramError and is never retried.
func Open(ctx context.Context, t reader.Transport, kp keys.Provider, o Options) (*Session, error) {
	o, err := o.withDefaults()
	if err != nil {
		return nil, err
	}
	if t == nil || kp == nil {
		return nil, errors.New("scp02: Open needs a transport and a key provider")
	}
	op := &opener{ctx: ctx, t: t, kp: kp, o: o}
	if o.I&iExplicit == 0 {
		return op.openImplicit()
	}
	steps := []func() error{op.initializeUpdate, op.deriveSessionKeys, op.checkCardChallenge, op.checkCardCryptogram, op.externalAuthenticate}
	for _, step := range steps {
		if err := step(); err != nil {
			op.zero()
			return nil, err
		}
	}
	return op.session(false)
}

// opener is the state of one Open call.
type opener struct {
	ctx  context.Context
	t    reader.Transport
	kp   keys.Provider
	o    Options
	host []byte
	resp initResponse
	in   keys.SessionInput
	sk   *keys.SessionKeys
	icv  []byte // C-MAC chaining value after the last MACed command
}

func (op *opener) zero() {
	if op.sk != nil {
		op.sk.Zero()
	}
}

func (op *opener) initializeUpdate() error {
	var err error
	if op.host, err = scp.HostChallenge(op.o.Rand, 8); err != nil {
		return fmt.Errorf("scp02: %w", err)
	}
	b, err := scp.InitializeUpdate(op.ctx, op.t, op.o.Channel, op.o.KVN, op.host)
	if err != nil {
		return fmt.Errorf("scp02: %w", err)
	}
	if op.resp, err = parseInitUpdate(b); err != nil {
		return err
	}
	if op.o.KVN != 0 && op.resp.kvn != op.o.KVN {
		return scp.Protocolf("card answered with KVN %02X, requested %02X", op.resp.kvn, op.o.KVN)
	}
	return nil
}

func (op *opener) deriveSessionKeys() error {
	op.in = keys.SessionInput{SCP: 0x02, I: op.o.I, KVN: op.resp.kvn, KDD: op.resp.kdd, Sequence: op.resp.seq, HostChallenge: op.host, CardChallenge: op.resp.cardChallenge}
	sk, err := op.kp.SessionKeys(op.ctx, op.in)
	if err != nil {
		return fmt.Errorf("scp02: session keys: %w", err)
	}
	op.sk = sk
	return nil
}

// checkCardChallenge verifies the well-known pseudo-random card challenge
// (i b7): the first 6 bytes of a C-MAC (ISO 9797-1 alg. 3, S-MAC, ICV 0)
// over the padded AID of the selected application (GPCS 2.3.1 §E.4.2.3).
func (op *opener) checkCardChallenge() error {
	if op.o.I&iPseudoRandom == 0 {
		return nil
	}
	m, err := retailMAC(op.sk.MAC, nil, gpcrypto.Pad80(op.o.AID, 8))
	if err != nil {
		return err
	}
	if subtle.ConstantTimeCompare(m[:6], op.resp.cardChallenge) != 1 {
		return &CryptogramError{SCP: 0x02, I: op.o.I, KVN: op.resp.kvn, What: "card challenge", Expected: m[:6], Received: op.resp.cardChallenge}
	}
	return nil
}

// cryptogram is the full 3DES CBC-MAC under S-ENC, ICV 0, of pad80(a‖b‖c)
// (GPCS 2.3.1 §E.4.2.1 card, §E.4.2.2 host cryptogram).
func (op *opener) cryptogram(a, b, c []byte) ([]byte, error) {
	data := gpcrypto.Pad80(append(append(append([]byte(nil), a...), b...), c...), 8)
	var out []byte
	err := op.sk.ENC.Use(func(k []byte) error {
		var err error
		out, err = gpcrypto.TripleDESCBCMAC(k, nil, data)
		return err
	})
	return out, err
}

func (op *opener) checkCardCryptogram() error {
	want, err := op.cryptogram(op.host, op.resp.seq, op.resp.cardChallenge)
	if err != nil {
		return err
	}
	if subtle.ConstantTimeCompare(want, op.resp.cardCryptogram) != 1 {
		return &CryptogramError{SCP: 0x02, I: op.o.I, KVN: op.resp.kvn, What: "card cryptogram", Expected: want, Received: op.resp.cardCryptogram}
	}
	return nil
}

func (op *opener) externalAuthenticate() error {
	hc, err := op.cryptogram(op.resp.seq, op.resp.cardChallenge, op.host)
	if err != nil {
		return err
	}
	// GPCS 2.3.1 §E.5.2: 84 82 level 00 10 host-cryptogram ‖ C-MAC; the C-MAC
	// covers the modified header with ICV zero (b4 = 0) or the MAC over the AID.
	icv, err := op.initialICV()
	if err != nil {
		return err
	}
	cla, err := scp.AuthClass(op.o.Channel, true)
	if err != nil {
		return err
	}
	hdr := append([]byte{cla, 0x82, byte(op.o.Level), 0x00, 0x10}, hc...)
	mac, err := retailMAC(op.sk.MAC, icv, gpcrypto.Pad80(hdr, 8))
	if err != nil {
		return err
	}
	if err := scp.ExternalAuthenticate(op.ctx, op.t, op.o.Channel, byte(op.o.Level), append(hc, mac...)); err != nil {
		return fmt.Errorf("scp02: %w", err)
	}
	op.icv = mac
	return nil
}

// initialICV is the first C-MAC's ICV: zeros, or with i b4 a MAC (S-MAC,
// ICV 0) over the padded AID (GPCS 2.3.1 §E.4.4).
func (op *opener) initialICV() ([]byte, error) {
	if op.o.I&iICVAID == 0 {
		return make([]byte, 8), nil
	}
	return retailMAC(op.sk.MAC, nil, gpcrypto.Pad80(op.o.AID, 8))
}

// openImplicit starts a session without INITIALIZE UPDATE (GPCS 2.3.1
// §E.5.1.2): session keys come from the sequence counter read with GET DATA
// C1 and the card starts verifying C-MACs with the first MACed command.
func (op *opener) openImplicit() (*Session, error) {
	cla, err := scp.AuthClass(op.o.Channel, false)
	if err != nil {
		return nil, err
	}
	c := apdu.Capdu{Cla: cla, Ins: insGetData, P1: 0x00, P2: 0xC1, Ne: 256}
	rp, err := scp.TransmitRaw(op.ctx, op.t, c)
	if err != nil {
		return nil, fmt.Errorf("scp02: GET DATA sequence counter: %w", err)
	}
	if err := sw.Check("GET DATA [sequence counter]", scp.SW(rp)); err != nil {
		return nil, err
	}
	// GPCS 2.3.1 §11.3.3.1: the data object is C1 02 <counter>.
	if len(rp.Data) != 4 || rp.Data[0] != 0xC1 || rp.Data[1] != 0x02 {
		return nil, scp.Protocolf("GET DATA C1 returned %X, want C1 02 <2-byte counter>", rp.Data)
	}
	op.in = keys.SessionInput{SCP: 0x02, I: op.o.I, KVN: op.o.KVN, KDD: op.o.KDD, Sequence: append([]byte(nil), rp.Data[2:]...)}
	sk, err := op.kp.SessionKeys(op.ctx, op.in)
	if err != nil {
		return nil, fmt.Errorf("scp02: session keys: %w", err)
	}
	op.sk = sk
	if op.icv, err = op.initialICV(); err != nil {
		op.zero()
		return nil, err
	}
	return op.session(true)
}

// session builds the open session; implicit marks the initial ICV of an
// implicit session, used unencrypted for the first C-MAC.
func (op *opener) session(implicit bool) (*Session, error) {
	c, err := newCodec(op.o.I, op.o.Level, op.sk, op.icv)
	if err != nil {
		op.zero()
		return nil, err
	}
	c.firstICV = implicit
	return newSession(op.t, op.kp, op.in, c, op.o.ExtendedLength), nil
}
