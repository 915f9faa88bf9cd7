package sim

import (
	"github.com/cardhost/cardhost/gpcard/gpcrypto"
	"github.com/cardhost/cardhost/gpcard/sw"
	"github.com/cardhost/cardhost/sim/image"
	"github.com/cardhost/cardhost/sim/scp/scp02card"
	"github.com/cardhost/cardhost/sim/scp/scp03card"
)

// levelAuthenticated is the bit both protocol packages set in their level
// once the host is authenticated.
const levelAuthenticated = 0x80

// KIDs of a secure channel key set (shared/spec/gp-card.md §1.10).
const (
	kidENC = 1
	kidMAC = 2
	kidDEK = 3
)

// scpReply is a protocol package's answer to an initiation command.
type scpReply struct {
	data           []byte
	status         uint16
	counter        uint32
	counterChanged bool
	authFailed     bool
}

// session is one secure channel session on one logical channel, an adapter
// over sim/scp/scp02card or sim/scp/scp03card.
type session interface {
	externalAuthenticate(cmd []byte) scpReply
	level() byte // includes levelAuthenticated
	unwrap(cmd []byte) ([]byte, uint16)
	wrap(rapdu []byte) []byte
	// decryptKeyData decrypts key material by the DEK rules
	// (shared/spec/gp-card.md §1.8): SCP02 3DES-ECB under the session DEK,
	// SCP03 AES-CBC (zero ICV) under the static Key-DEK.
	decryptKeyData(ct []byte) ([]byte, uint16)
	blockSize() int
	kvn() byte
}

func authenticated(s session) bool { return s != nil && s.level()&levelAuthenticated != 0 }

// keySetKeys returns the ENC, MAC and DEK values of ks, or false when one is
// missing.
func keySetKeys(ks *image.KeySet) (enc, mac, dek []byte, ok bool) {
	e, m, d := ks.Key(kidENC), ks.Key(kidMAC), ks.Key(kidDEK)
	if e == nil || m == nil || d == nil {
		return nil, nil, nil, false
	}
	return e.Value, m.Value, d.Value, true
}

type scp02Session struct {
	s *scp02card.Session
	v byte
}

func (c *Card) scp02KeySet(d *image.Domain, ks *image.KeySet) (scp02card.KeySet, bool) {
	enc, mac, dek, ok := keySetKeys(ks)
	if !ok {
		return scp02card.KeySet{}, false
	}
	k := scp02card.KeySet{KVN: ks.KVN, I: d.I, ENC: enc, MAC: mac, DEK: dek, Counter: uint16(ks.Counter)}
	copy(k.KDD[:], c.state.KDD)
	return k, true
}

func (a *scp02Session) externalAuthenticate(cmd []byte) scpReply {
	return reply02(a.s.ExternalAuthenticate(cmd))
}
func (a *scp02Session) level() byte                        { return byte(a.s.Level()) }
func (a *scp02Session) unwrap(cmd []byte) ([]byte, uint16) { return a.s.Unwrap(cmd) }
func (a *scp02Session) wrap(rapdu []byte) []byte           { return a.s.Wrap(rapdu) }
func (a *scp02Session) decryptKeyData(ct []byte) ([]byte, uint16) {
	return a.s.DecryptKeyData(ct)
}
func (a *scp02Session) blockSize() int { return 8 }
func (a *scp02Session) kvn() byte      { return a.v }

func reply02(r scp02card.Reply) scpReply {
	return scpReply{data: r.Data, status: r.SW, counter: uint32(r.Counter), counterChanged: r.CounterChanged, authFailed: r.AuthFailed}
}

type scp03Session struct {
	s   *scp03card.Session
	dek []byte // static Key-DEK of the key set the session was opened with
	v   byte
}

func (a *scp03Session) externalAuthenticate(cmd []byte) scpReply {
	r := a.s.ExternalAuthenticate(cmd)
	return scpReply{data: r.Data, status: r.SW, counter: r.Counter, counterChanged: r.CounterChanged, authFailed: r.AuthFailed}
}
func (a *scp03Session) level() byte                        { return byte(a.s.Level()) }
func (a *scp03Session) unwrap(cmd []byte) ([]byte, uint16) { return a.s.Unwrap(cmd) }
func (a *scp03Session) wrap(rapdu []byte) []byte           { return a.s.Wrap(rapdu) }
func (a *scp03Session) blockSize() int                     { return 16 }
func (a *scp03Session) kvn() byte                          { return a.v }

// decryptKeyData: Amd D §6.2.1 / §7.2.2.2: AES-CBC, ICV zero, static DEK.
func (a *scp03Session) decryptKeyData(ct []byte) ([]byte, uint16) {
	if !authenticated(a) {
		return nil, sw.ConditionsNotSatisfied
	}
	pt, err := gpcrypto.AESCBCDecrypt(a.dek, nil, ct)
	if err != nil {
		return nil, sw.WrongData
	}
	return pt, swOK
}

// initializeUpdate handles INITIALIZE UPDATE (GPCS 2.3.1 §E.5.1, Amd D §7.1):
// P1 = KVN (00: the SD's first key set). The protocol package checks the
// command; the card manager picks the key set, refuses a blocked SD (6983,
// after the profile's number of failed authentications) and persists the
// sequence counter before answering.
func (c *Card) initializeUpdate(ch *channel, sd *image.App, raw []byte) ([]byte, uint16) {
	ch.sess = nil
	d := sd.Domain
	if d.AuthFailures >= c.state.Config.AuthFailureLimit {
		return nil, sw.AuthMethodBlocked
	}
	if len(raw) < 4 {
		return nil, sw.WrongLength
	}
	p1 := raw[2]
	ks := defaultKeySet(d, p1)
	if ks == nil {
		return nil, sw.ReferencedDataNotFound
	}
	var sess session
	var r scpReply
	switch d.SCP {
	case 0x02:
		k, ok := c.scp02KeySet(d, ks)
		if !ok {
			return nil, sw.ReferencedDataNotFound
		}
		s := scp02card.New(scp02card.Options{Rand: c.rand})
		r = reply02(s.Begin(raw, k, sd.AID))
		sess = &scp02Session{s: s, v: ks.KVN}
	case 0x03:
		enc, mac, dek, ok := keySetKeys(ks)
		if !ok {
			return nil, sw.ReferencedDataNotFound
		}
		k := scp03card.KeySet{KVN: ks.KVN, I: d.I, ENC: enc, MAC: mac, Counter: ks.Counter}
		copy(k.KDD[:], c.state.KDD)
		s := scp03card.New(scp03card.Options{Rand: c.rand})
		rep := s.Begin(raw, k, sd.AID)
		r = scpReply{data: rep.Data, status: rep.SW, counter: rep.Counter, counterChanged: rep.CounterChanged}
		sess = &scp03Session{s: s, dek: bytesClone(dek), v: ks.KVN}
	default:
		return nil, sw.ConditionsNotSatisfied
	}
	if st := c.persistAuth(sd, ks.KVN, r, false); st != swOK {
		return nil, st
	}
	if r.status != swOK {
		return nil, r.status
	}
	ch.sess = sess
	return r.data, swOK
}

// defaultKeySet returns the key set named by INITIALIZE UPDATE P1, or for
// 00 the SD's first key set.
func defaultKeySet(d *image.Domain, kvn byte) *image.KeySet {
	if kvn != 0 {
		return d.KeySet(kvn)
	}
	if len(d.KeySets) == 0 {
		return nil
	}
	return &d.KeySets[0]
}

// externalAuthenticate handles EXTERNAL AUTHENTICATE after INITIALIZE UPDATE.
// A failure counts against the SD's retry limit (persistently); reaching the
// limit blocks INITIALIZE UPDATE (6983). A success resets the count.
func (c *Card) externalAuthenticate(ch *channel, sd *image.App, raw []byte) ([]byte, uint16) {
	sess := ch.sess
	if sess == nil {
		return nil, sw.ConditionsNotSatisfied
	}
	r := sess.externalAuthenticate(raw)
	if st := c.persistAuth(sd, sess.kvn(), r, r.status == swOK && authenticated(sess)); st != swOK {
		ch.sess = nil
		return nil, st
	}
	if r.status != swOK || !authenticated(sess) {
		ch.sess = nil
		if r.status == swOK {
			r.status = sw.SecurityStatus
		}
		return nil, r.status
	}
	return r.data, swOK
}

// implicitOpen starts an SCP02 implicit session (i b3 = 0, GPCS 2.3.1 §E.3)
// with the first secured command and returns it unwrapped.
func (c *Card) implicitOpen(ch *channel, sd *image.App, raw []byte) ([]byte, uint16) {
	d := sd.Domain
	if d.SCP != 0x02 || d.I&0x04 != 0 {
		return nil, sw.SecurityStatus
	}
	if d.AuthFailures >= c.state.Config.AuthFailureLimit {
		return nil, sw.AuthMethodBlocked
	}
	ks := defaultKeySet(d, 0)
	if ks == nil {
		return nil, sw.SecurityStatus
	}
	k, ok := c.scp02KeySet(d, ks)
	if !ok {
		return nil, sw.SecurityStatus
	}
	s := scp02card.New(scp02card.Options{Rand: c.rand})
	plain, rep := s.BeginImplicit(raw, k, sd.AID)
	r := reply02(rep)
	if st := c.persistAuth(sd, ks.KVN, r, r.status == swOK); st != swOK {
		return nil, st
	}
	if r.status != swOK {
		return nil, r.status
	}
	ch.sess = &scp02Session{s: s, v: ks.KVN}
	return plain, swOK
}

// persistAuth commits what an initiation step changed: the sequence counter
// of key set kvn and the SD's failed-authentication count (incremented on a
// failure, reset when the host was authenticated). Nothing to change: no commit.
func (c *Card) persistAuth(sd *image.App, kvn byte, r scpReply, authenticatedNow bool) uint16 {
	failures := sd.Domain.AuthFailures
	switch {
	case r.authFailed:
		failures++
	case authenticatedNow:
		failures = 0
	}
	if !r.counterChanged && failures == sd.Domain.AuthFailures {
		return swOK
	}
	_, st := c.update(func(s *image.State) ([]byte, uint16) {
		d := s.App(sd.AID).Domain
		d.AuthFailures = failures
		if r.counterChanged {
			if ks := d.KeySet(kvn); ks != nil {
				ks.Counter = r.counter
			}
		}
		return nil, swOK
	})
	return st
}
