package scp02card

import (
	"bytes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/subtle"
	"fmt"
	"io"

	"github.com/cardhost/cardhost/gpcard/gpcrypto"
	"github.com/cardhost/cardhost/gpcard/sw"
	"github.com/cardhost/cardhost/sim/scp/internal/capdu"
	"github.com/cardhost/cardhost/sim/scp/internal/gate"
)

// Session is the SCP02 secure channel state of one logical channel. The zero
// value is not usable; create it with New. A Session is not safe for
// concurrent use: the card manager drives one per logical channel.
type Session struct {
	rand  io.Reader
	st    gate.Phase
	i     byte
	level Level
	// Session keys (GPCS 2.3.1 §E.4.1).
	sENC, sMAC, sRMAC, sDEK []byte
	counter                 uint16  // sequence counter the session keys come from
	hostChal, cardChal      []byte  // while pending
	icv                     [8]byte // ICV of the next C-MAC, encrypted when i b5 says so
	rmacICV                 [8]byte // ICV of the next R-MAC: the previous R-MAC
	// last is the plain form of the command last returned by Unwrap; Wrap
	// needs it for the R-MAC, and answerable says it has not been answered.
	last       capdu.Command
	answerable bool
	// macs caches the DES key schedules of the MAC keys in use, so a C-MAC
	// costs block operations only (Reset drops them with the session).
	macs [2]macCiphers
}

// macCiphers are the retail-MAC ciphers of one 16-byte key.
type macCiphers struct {
	key            []byte // the session key slice they were built from
	single, triple cipher.Block
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
	fmt.Fprintf(f, "scp02card.Session{state:%d i:%02X level:%02X keys:<redacted>}", s.st, s.i, byte(s.level))
}

// Level returns the current security level: 0 without a session, otherwise
// Authenticated plus the C-MAC, C-DECRYPTION and R-MAC bits in force.
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
	for _, k := range [][]byte{s.sENC, s.sMAC, s.sRMAC, s.sDEK} {
		clear(k)
	}
	*s = Session{rand: s.rand}
}

// Begin answers INITIALIZE UPDATE (GPCS 2.3.1 §E.5.1) with key set ks; aid is
// the AID of the security domain that owns ks (used for the ICV of i b4 and
// the pseudo-random challenge of i b7). Any session on this channel ends
// first. The card manager picks ks from P1 (00 means its default key set);
// Begin answers 6A88 when P1 names another KVN, 6700 for a bad length, 6A86
// for P2 ≠ 00, 6985 for a key set with implicit initiation only or an
// exhausted sequence counter, and 6F00 when ks itself is unusable (a simulator
// configuration error). The counter is incremented by ExternalAuthenticate.
func (s *Session) Begin(cmd []byte, ks KeySet, aid []byte) Reply {
	s.Reset()
	c, status := gate.InitializeUpdate(cmd, ks.KVN)
	if status == sw.OK && len(c.Data) != 8 {
		status = sw.WrongLength
	}
	if status != sw.OK {
		return Reply{SW: status, Counter: ks.Counter}
	}
	if status := s.start(ks, aid, true); status != sw.OK {
		return Reply{SW: status, Counter: ks.Counter}
	}
	card := make([]byte, 6)
	if ks.I&iPseudoRandom != 0 {
		// Table E-1 b7, well-known pseudo-random card challenge: the first six bytes
		// of the C-MAC (S-MAC, ICV zero) over the AID.
		m, err := s.retailMAC(s.sMAC, nil, aid)
		if err != nil {
			s.Reset()
			return Reply{SW: sw.NoPreciseDiagnosis, Counter: ks.Counter}
		}
		copy(card, m)
	} else if _, err := io.ReadFull(s.rand, card); err != nil {
		s.Reset()
		return Reply{SW: sw.NoPreciseDiagnosis, Counter: ks.Counter}
	}
	s.hostChal, s.cardChal = c.Data, card
	seq := []byte{byte(s.counter >> 8), byte(s.counter)}
	// §E.4.2.1: card cryptogram = full 3DES MAC (S-ENC, ICV zero) over
	// host challenge ‖ sequence counter ‖ card challenge.
	crypt, err := gpcrypto.TripleDESCBCMAC(s.sENC, nil, gpcrypto.Pad80(cat(c.Data, seq, card), 8))
	if err != nil {
		s.Reset()
		return Reply{SW: sw.NoPreciseDiagnosis, Counter: ks.Counter}
	}
	s.st = gate.Pending
	// §E.5.1 response (pySim constr_iur agrees): KDD(10) ‖ KVN ‖ '02' ‖ sequence counter(2) ‖ card challenge(6) ‖
	// card cryptogram(8).
	data := cat(ks.KDD[:], []byte{ks.KVN, 0x02}, seq, card, crypt)
	return Reply{Data: data, SW: sw.OK, Counter: ks.Counter}
}

// start checks ks and derives the session keys and first ICV of a session.
func (s *Session) start(ks KeySet, aid []byte, explicit bool) uint16 {
	enc, mac, dek, ok := ks.base()
	switch {
	case !ok:
		return sw.NoPreciseDiagnosis
	case (ks.I&iExplicit != 0) != explicit:
		if explicit {
			return sw.ConditionsNotSatisfied
		}
		return sw.SecurityStatus
	case ks.Counter == MaxCounter:
		return sw.ConditionsNotSatisfied
	}
	s.i, s.counter = ks.I, ks.Counter
	// §E.4.1: session key = 3DES-CBC(base key, ICV zero, constant(2) ‖
	// sequence counter(2) ‖ 00×12); C-MAC 0101, R-MAC 0102 (both from the MAC
	// key), DEK 0181, ENC 0182.
	var err error
	for _, d := range []struct {
		dst      *[]byte
		key      []byte
		constant uint16
	}{{&s.sENC, enc, 0x0182}, {&s.sMAC, mac, 0x0101}, {&s.sRMAC, mac, 0x0102}, {&s.sDEK, dek, 0x0181}} {
		in := make([]byte, 16)
		in[0], in[1], in[2], in[3] = byte(d.constant>>8), byte(d.constant), byte(s.counter>>8), byte(s.counter)
		if *d.dst, err = gpcrypto.TripleDESCBC(d.key, nil, in); err != nil {
			s.Reset()
			return sw.NoPreciseDiagnosis
		}
	}
	if ks.I&iICVOverAID != 0 {
		// Table E-1 b4 (§E.3): the first ICV is a MAC (S-MAC, ICV zero) over the AID.
		m, err := s.retailMAC(s.sMAC, nil, aid)
		if err != nil {
			s.Reset()
			return sw.NoPreciseDiagnosis
		}
		copy(s.icv[:], m)
	}
	return sw.OK
}

// ExternalAuthenticate answers EXTERNAL AUTHENTICATE (GPCS 2.3.1 §E.5.2): it
// checks the host cryptogram and the C-MAC and opens the session at the level
// in P1, incrementing the sequence counter. Without a pending INITIALIZE
// UPDATE it answers 6985. A wrong cryptogram or MAC answers 6982 with
// AuthFailed set; a level outside 00, 01, 03, 10, 11, 13 or an R-MAC level
// without i b6 answers 6A86. Every failure ends the initiation.
func (s *Session) ExternalAuthenticate(cmd []byte) Reply {
	if s.st != gate.Pending {
		s.Reset()
		return Reply{SW: sw.ConditionsNotSatisfied}
	}
	r := s.externalAuthenticate(cmd)
	r.Counter = s.counter
	if r.SW != sw.OK {
		s.Reset()
		return r
	}
	s.counter++
	r.Counter, r.CounterChanged = s.counter, true
	return r
}

func (s *Session) externalAuthenticate(cmd []byte) Reply {
	c, status := gate.ExternalAuthenticate(cmd, s.levelAllowed, 16)
	if status != sw.OK {
		return Reply{SW: status}
	}
	seq := []byte{byte(s.counter >> 8), byte(s.counter)}
	// §E.4.2.2: host cryptogram over sequence counter ‖ card challenge ‖ host challenge.
	want, err := gpcrypto.TripleDESCBCMAC(s.sENC, nil, gpcrypto.Pad80(cat(seq, s.cardChal, s.hostChal), 8))
	if err != nil {
		return Reply{SW: sw.NoPreciseDiagnosis}
	}
	host := c.Data[:8]
	mac, err := s.commandMAC(c, host)
	if err != nil {
		return Reply{SW: sw.NoPreciseDiagnosis}
	}
	okCrypto := subtle.ConstantTimeCompare(want, host)
	okMAC := subtle.ConstantTimeCompare(mac, c.Data[8:])
	if okCrypto&okMAC != 1 {
		return Reply{SW: sw.SecurityStatus, AuthFailed: true}
	}
	if err := s.chain(mac); err != nil {
		return Reply{SW: sw.NoPreciseDiagnosis}
	}
	s.hostChal, s.cardChal = nil, nil
	s.level = Authenticated | Level(c.P1)
	s.st = gate.Open
	return Reply{SW: sw.OK}
}

// levelAllowed checks an EXTERNAL AUTHENTICATE P1 (§E.5.2): C-DECRYPTION
// needs C-MAC, R-MAC needs i b6.
func (s *Session) levelAllowed(p1 byte) bool {
	switch Level(p1) {
	case 0, CMAC, CMAC | CDEC:
		return true
	case RMAC, CMAC | RMAC, CMAC | CDEC | RMAC:
		return s.i&iRMAC != 0
	}
	return false
}

// BeginImplicit opens an implicit session (i b3 = 0, GPCS 2.3.1 §E.3) with
// the first secured command cmd and returns that command unwrapped, like
// Unwrap. The card manager calls it instead of Unwrap when no session is open
// and a command arrives with the secure messaging bit. The session runs at
// level C-MAC. On success the sequence counter is incremented; a wrong C-MAC
// answers 6982 with AuthFailed set; an explicit-only key set answers 6982.
func (s *Session) BeginImplicit(cmd []byte, ks KeySet, aid []byte) ([]byte, Reply) {
	s.Reset()
	if status := s.start(ks, aid, false); status != sw.OK {
		return nil, Reply{SW: status, Counter: ks.Counter}
	}
	s.level, s.st = Authenticated|CMAC, gate.Open
	plain, status := s.Unwrap(cmd)
	if status != sw.OK {
		return nil, Reply{SW: status, Counter: ks.Counter, AuthFailed: status == sw.SecurityStatus}
	}
	return plain, Reply{SW: sw.OK, Counter: ks.Counter + 1, CounterChanged: true}
}

// DecryptKeyData decrypts key material of PUT KEY or STORE DATA sent in this
// session under the session DEK key: 3DES-ECB in a session opened by explicit
// initiation, 3DES-CBC with a zero ICV in one opened by implicit initiation
// (GPCS 2.3.1 §E.4.7; shared/spec/gp-card.md §1.8). It answers 6985 without a
// session and 6A80 when data is not a multiple of 8 bytes.
func (s *Session) DecryptKeyData(data []byte) ([]byte, uint16) {
	if s.st != gate.Open {
		return nil, sw.ConditionsNotSatisfied
	}
	if len(data) == 0 || len(data)%8 != 0 {
		return nil, sw.WrongData
	}
	decrypt := gpcrypto.TripleDESECBDecrypt
	if s.i&iExplicit == 0 {
		decrypt = func(key, data []byte) ([]byte, error) { return gpcrypto.TripleDESCBCDecrypt(key, nil, data) }
	}
	p, err := decrypt(s.sDEK, data)
	if err != nil {
		return nil, sw.NoPreciseDiagnosis
	}
	return p, sw.OK
}

// retailMAC is the ISO 9797-1 algorithm 3 MAC of pad80(data).
func (s *Session) retailMAC(key, icv, data []byte) ([]byte, error) {
	m, err := s.ciphers(key)
	if err != nil {
		return nil, err
	}
	return gpcrypto.RetailMACWith(m.single, m.triple, icv, gpcrypto.Pad80(data, 8))
}

// ciphers returns the cached retail-MAC ciphers of key (S-MAC or S-RMAC),
// building them on first use in the session.
func (s *Session) ciphers(key []byte) (*macCiphers, error) {
	for i := range s.macs {
		if m := &s.macs[i]; m.key != nil && bytes.Equal(m.key, key) {
			return m, nil
		}
	}
	single, triple, err := gpcrypto.RetailMACCiphers(key)
	if err != nil {
		return nil, err
	}
	slot := &s.macs[0]
	if slot.key != nil {
		slot = &s.macs[1]
	}
	*slot = macCiphers{key: key, single: single, triple: triple}
	return slot, nil
}

func cat(parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}
