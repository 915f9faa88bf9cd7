package scp03card

import (
	"crypto/rand"
	"crypto/subtle"
	"fmt"
	"io"

	"github.com/cardhost/cardhost/gpcard/gpcrypto"
	"github.com/cardhost/cardhost/gpcard/sw"
	"github.com/cardhost/cardhost/sim/scp/internal/gate"
)

// Session is the SCP03 secure channel state of one logical channel. The zero
// value is not usable; create it with New. A Session is not safe for
// concurrent use: the card manager drives one per logical channel.
type Session struct {
	rand  io.Reader
	st    gate.Phase
	i     byte
	level Level
	// Session keys S-ENC, S-MAC, S-RMAC (Amendment D §6.2.1).
	sENC, sMAC, sRMAC []byte
	// context is host challenge ‖ card challenge while pending.
	context []byte
	// chain is the MAC chaining value: the full 16-byte C-MAC of the last
	// command (Amendment D §6.2.4).
	chain [16]byte
	// encCounter is the encryption counter of §6.2.6, incremented for every
	// command of the session.
	encCounter uint64
	// answerable is true between a successful Unwrap and the Wrap of its
	// response.
	answerable bool
}

// New returns an idle Session.
func New(o Options) *Session {
	r := o.Rand
	if r == nil {
		r = rand.Reader
	}
	return &Session{rand: r}
}

// Format prints the session state without key material, for every verb.
func (s *Session) Format(f fmt.State, _ rune) {
	fmt.Fprintf(f, "scp03card.Session{state:%d i:%02X level:%02X keys:<redacted>}", s.st, s.i, byte(s.level))
}

// Level returns the current security level: 0 without an authenticated
// session, otherwise Authenticated plus the bits the host chose in EXTERNAL
// AUTHENTICATE.
func (s *Session) Level() Level {
	if s.st != gate.Open {
		return 0
	}
	return s.level
}

// Reset ends any session or pending initiation and forgets the session keys.
// The card manager calls it on power loss, card reset and SELECT of another
// application.
func (s *Session) Reset() {
	for _, k := range [][]byte{s.sENC, s.sMAC, s.sRMAC} {
		clear(k)
	}
	clear(s.chain[:])
	*s = Session{rand: s.rand}
}

func (s *Session) macLen() int {
	if s.i&iS16 != 0 {
		return 16
	}
	return 8
}

// Begin answers INITIALIZE UPDATE (Amendment D v1.1.1 §7.1) with key set ks;
// aid is the AID of the security domain that owns ks (the "invoking AID" of
// the pseudo-random card challenge). Any session or pending initiation on this
// channel ends first. The card manager picks ks from P1 (00 means its default
// key set); Begin answers 6A88 when P1 names another KVN, 6700 for a bad
// length, 6A86 for P2 ≠ 00, 6985 when the sequence counter is exhausted and
// 6F00 when ks itself is unusable (a simulator configuration error).
func (s *Session) Begin(cmd []byte, ks KeySet, aid []byte) Reply {
	s.Reset()
	c, status := gate.InitializeUpdate(cmd, ks.KVN)
	if status == sw.OK && !ks.valid() {
		status = sw.NoPreciseDiagnosis
	}
	if status != sw.OK {
		return Reply{SW: status}
	}
	s.i = ks.I
	n := s.macLen() // challenge and cryptogram length: 8 (S8) or 16 (S16)
	if len(c.Data) != n {
		return Reply{SW: sw.WrongLength}
	}
	r := Reply{Counter: ks.Counter}
	card := make([]byte, n)
	if ks.I&iPseudoRandom != 0 {
		if ks.Counter >= MaxCounter {
			return Reply{SW: sw.ConditionsNotSatisfied, Counter: ks.Counter}
		}
		r.Counter, r.CounterChanged = ks.Counter+1, true
		// Amendment D §6.2.2.1: challenge = KDF(Key-ENC, '02', counter ‖ AID).
		ctx := append(counter3(r.Counter), aid...)
		v, err := gpcrypto.KDF(ks.ENC, gpcrypto.KDFCardChallenge, ctx, n*8)
		if err != nil {
			return Reply{SW: sw.NoPreciseDiagnosis, Counter: ks.Counter}
		}
		card = v
	} else if _, err := io.ReadFull(s.rand, card); err != nil {
		return Reply{SW: sw.NoPreciseDiagnosis, Counter: ks.Counter}
	}
	s.context = append(append([]byte(nil), c.Data...), card...)
	if err := s.deriveKeys(ks); err != nil {
		s.Reset()
		return Reply{SW: sw.NoPreciseDiagnosis, Counter: ks.Counter}
	}
	cryptogram, err := gpcrypto.KDF(s.sMAC, gpcrypto.KDFCardCryptogram, s.context, n*8)
	if err != nil {
		s.Reset()
		return Reply{SW: sw.NoPreciseDiagnosis, Counter: ks.Counter}
	}
	// Amendment D §7.1.3, Table 7-2: KDD(10) ‖ KVN ‖ '03' ‖ i ‖ card challenge ‖
	// card cryptogram [‖ sequence counter(3) in pseudo-random mode].
	r.Data = append(append([]byte(nil), ks.KDD[:]...), ks.KVN, 0x03, ks.I)
	r.Data = append(append(r.Data, card...), cryptogram...)
	if ks.I&iPseudoRandom != 0 {
		r.Data = append(r.Data, counter3(r.Counter)...)
	}
	r.SW = sw.OK
	s.st = gate.Pending
	return r
}

// deriveKeys computes S-ENC, S-MAC and S-RMAC from the static keys over the
// context host challenge ‖ card challenge, each as long as the static key
// (Amendment D §6.2.1; S-RMAC comes from Key-MAC).
func (s *Session) deriveKeys(ks KeySet) error {
	bits := len(ks.ENC) * 8
	var err error
	if s.sENC, err = gpcrypto.KDF(ks.ENC, gpcrypto.KDFSENC, s.context, bits); err != nil {
		return err
	}
	if s.sMAC, err = gpcrypto.KDF(ks.MAC, gpcrypto.KDFSMAC, s.context, bits); err != nil {
		return err
	}
	s.sRMAC, err = gpcrypto.KDF(ks.MAC, gpcrypto.KDFSRMAC, s.context, bits)
	return err
}

// ExternalAuthenticate answers EXTERNAL AUTHENTICATE (Amendment D v1.1.1
// §7.2): it checks the host cryptogram and the C-MAC (chaining value zero)
// and opens the session at the level in P1. Without a pending INITIALIZE
// UPDATE it answers 6985. A wrong cryptogram or MAC answers 6982 with
// AuthFailed set; a level the key set's i does not allow answers 6A86. Every
// failure ends the initiation.
func (s *Session) ExternalAuthenticate(cmd []byte) Reply {
	if s.st != gate.Pending {
		s.Reset()
		return Reply{SW: sw.ConditionsNotSatisfied}
	}
	r := s.externalAuthenticate(cmd)
	if r.SW != sw.OK {
		s.Reset()
	}
	return r
}

func (s *Session) externalAuthenticate(cmd []byte) Reply {
	n := s.macLen()
	c, status := gate.ExternalAuthenticate(cmd, s.levelAllowed, 2*n)
	if status != sw.OK {
		return Reply{SW: status}
	}
	want, err := gpcrypto.KDF(s.sMAC, gpcrypto.KDFHostCryptogram, s.context, n*8)
	if err != nil {
		return Reply{SW: sw.NoPreciseDiagnosis}
	}
	mac, err := s.cmac(c.CLA, c.INS, c.P1, c.P2, c.Data[:n])
	if err != nil {
		return Reply{SW: sw.NoPreciseDiagnosis}
	}
	okCrypto := subtle.ConstantTimeCompare(want, c.Data[:n])
	okMAC := subtle.ConstantTimeCompare(mac[:n], c.Data[n:])
	if okCrypto&okMAC != 1 {
		return Reply{SW: sw.SecurityStatus, AuthFailed: true}
	}
	s.chain = mac
	clear(s.context)
	s.context = nil
	s.level = Authenticated | Level(c.P1)
	s.encCounter = 0
	s.st = gate.Open
	return Reply{SW: sw.OK}
}

// levelAllowed checks an EXTERNAL AUTHENTICATE P1 against the combinations of
// Amendment D §7.2 (00, 01, 03, 11, 13, 33) and the key set's i (R-MAC needs
// i b6, R-ENCRYPTION needs i b7).
func (s *Session) levelAllowed(p1 byte) bool {
	switch Level(p1) {
	case 0, CMAC, CMAC | CDEC:
		return true
	case CMAC | RMAC, CMAC | CDEC | RMAC:
		return s.i&iRMAC != 0
	case CMAC | CDEC | RMAC | RENC:
		return s.i&iRENC != 0
	}
	return false
}

// cmac returns AES-CMAC(S-MAC, chaining value ‖ CLA INS P1 P2 Lc ‖ data) where
// Lc counts the appended MAC (Amendment D §6.2.4).
func (s *Session) cmac(cla, ins, p1, p2 byte, data []byte) ([16]byte, error) {
	in := make([]byte, 0, 16+5+len(data))
	in = append(in, s.chain[:]...)
	in = append(in, cla, ins, p1, p2, byte(len(data)+s.macLen()))
	in = append(in, data...)
	var out [16]byte
	m, err := gpcrypto.CMAC(s.sMAC, in)
	copy(out[:], m)
	return out, err
}

func counter3(v uint32) []byte { return []byte{byte(v >> 16), byte(v >> 8), byte(v)} }
