package scp02card

import (
	"crypto/subtle"

	"github.com/cardhost/cardhost/gpcard/gpcrypto"
	"github.com/cardhost/cardhost/gpcard/sw"
	"github.com/cardhost/cardhost/sim/scp/internal/capdu"
	"github.com/cardhost/cardhost/sim/scp/internal/gate"
)

// commandMAC computes the C-MAC of command c carrying plain data (without the
// MAC), with the current ICV (GPCS 2.3.1 §E.4.4). On the modified APDU (i b2 =
// 0) the MAC covers CLA with the secure messaging bit and Lc + 8; on the
// unmodified APDU it covers the command as the host had it before wrapping.
func (s *Session) commandMAC(c capdu.Command, plain []byte) ([]byte, error) {
	in := make([]byte, 0, 5+len(plain))
	if s.i&iUnmodified == 0 {
		in = append(in, c.CLA|capdu.SMBit(c.CLA), c.INS, c.P1, c.P2, byte(len(plain)+8))
		in = append(in, plain...)
	} else {
		in = append(in, c.CLA&^capdu.SMBit(c.CLA), c.INS, c.P1, c.P2)
		if len(plain) > 0 {
			in = append(append(in, byte(len(plain))), plain...)
		}
	}
	return s.retailMAC(s.sMAC, s.icv[:], in)
}

// chain sets the ICV of the next C-MAC from this one: the C-MAC itself, or
// DES-ECB(K1 of S-MAC, C-MAC) with ICV encryption (i b5, §E.4.4).
func (s *Session) chain(mac []byte) error {
	if s.i&iICVEncrypt != 0 {
		m, err := s.ciphers(s.sMAC)
		if err != nil {
			return err
		}
		e := make([]byte, 8)
		m.single.Encrypt(e, mac) // single DES under K1 of S-MAC
		mac = e
	}
	copy(s.icv[:], mac)
	return nil
}

// Unwrap checks and removes the secure messaging of a command and returns the
// plain command (CLA without the secure messaging bit, decrypted data, Le
// kept) with sw.OK, or nil and the status word to answer.
//
// Outside a session a plain command passes unchanged and a secured one answers
// 6982 (for implicit initiation the card manager calls BeginImplicit instead);
// a pending initiation is abandoned by any command. In a session a command must
// carry a C-MAC exactly when the level includes C-MAC. A missing or truncated
// MAC (6700), or a wrong C-MAC or undecryptable data (both 6982, so padding
// errors are not told apart from MAC errors) ends the session, so a replayed
// or reordered command fails on the ICV chain.
func (s *Session) Unwrap(cmd []byte) ([]byte, uint16) {
	s.answerable = false
	if s.st == gate.Pending {
		s.Reset()
	}
	c, v, status := gate.Admit(s.st == gate.Open, s.level.Has(CMAC), cmd)
	if v == gate.Verify {
		status = s.unwrap(&c)
	}
	switch {
	case status != sw.OK && v != gate.Refuse:
		s.Reset()
		return nil, status
	case status != sw.OK:
		return nil, status
	case v == gate.Pass:
		return c.Bytes(), sw.OK
	}
	s.last, s.answerable = c, true
	return c.Bytes(), sw.OK
}

func (s *Session) unwrap(c *capdu.Command) uint16 {
	if len(c.Data) < 8 {
		return sw.WrongLength
	}
	body, got := c.Data[:len(c.Data)-8], c.Data[len(c.Data)-8:]
	if s.level.Has(CDEC) && len(body) > 0 {
		// §E.4.6: 3DES-CBC under S-ENC, ICV zero, of pad80(data); the C-MAC
		// was computed on the plaintext.
		p, err := gpcrypto.TripleDESCBCDecrypt(s.sENC, nil, body)
		if err != nil {
			return sw.SecurityStatus
		}
		if body, err = gpcrypto.Unpad80(p, 8); err != nil {
			return sw.SecurityStatus
		}
	}
	mac, err := s.commandMAC(*c, body)
	if err != nil {
		return sw.NoPreciseDiagnosis
	}
	if subtle.ConstantTimeCompare(mac, got) != 1 {
		return sw.SecurityStatus
	}
	if err := s.chain(mac); err != nil {
		return sw.NoPreciseDiagnosis
	}
	c.CLA &^= capdu.SMBit(c.CLA)
	c.Data = append([]byte(nil), body...)
	return sw.OK
}

// Wrap adds the R-MAC to the response of the command last returned by Unwrap
// when the level includes R-MAC (GPCS 2.3.1 §E.4.5): a retail MAC under
// S-RMAC, chained on the previous R-MAC (first ICV zero), over the plain
// command (CLA INS P1 P2 Lc data, Lc = 00 without data), Li, the response data
// and SW1 SW2; the result is data ‖ R-MAC ‖ SW1 SW2. Otherwise rapdu is
// returned unchanged (copied). A response that cannot be protected (shorter
// than two bytes, or too long once the R-MAC is added) becomes 6F00.
func (s *Session) Wrap(rapdu []byte) []byte {
	data, status, out := gate.Respond(s.answerable && s.st == gate.Open && s.level.Has(RMAC), rapdu)
	s.answerable = false
	if out != nil {
		return out
	}
	if len(data)+8 > 256 {
		return capdu.Append(nil, sw.NoPreciseDiagnosis)
	}
	c := s.last
	in := cat([]byte{c.CLA, c.INS, c.P1, c.P2, byte(len(c.Data))}, c.Data,
		[]byte{byte(len(data))}, data, []byte{byte(status >> 8), byte(status)})
	mac, err := s.retailMAC(s.sRMAC, s.rmacICV[:], in)
	if err != nil {
		return capdu.Append(nil, sw.NoPreciseDiagnosis)
	}
	copy(s.rmacICV[:], mac)
	return capdu.Append(cat(data, mac), status)
}
