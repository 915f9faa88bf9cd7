package scp03card

import (
	"crypto/subtle"

	"github.com/cardhost/cardhost/gpcard/gpcrypto"
	"github.com/cardhost/cardhost/gpcard/sw"
	"github.com/cardhost/cardhost/sim/scp/internal/capdu"
	"github.com/cardhost/cardhost/sim/scp/internal/gate"
)

// Unwrap checks and removes the secure messaging of a command received after
// EXTERNAL AUTHENTICATE and returns the plain command (CLA without the secure
// messaging bit, decrypted data, Le kept) with sw.OK, or nil and the status
// word to answer.
//
// Outside a session a plain command passes unchanged and a command with the
// secure messaging bit answers 6982; a pending initiation is abandoned by any
// command. In a session, a command must carry a C-MAC whenever the level
// includes C-MAC; a missing, truncated (6700) or wrong (6982) C-MAC, or data
// that does not decrypt to padded plaintext (6988), ends the session, so a
// replayed or reordered command fails on the MAC chaining value.
func (s *Session) Unwrap(cmd []byte) ([]byte, uint16) {
	s.answerable = false
	if s.st == gate.Pending {
		s.Reset()
	}
	c, v, status := gate.Admit(s.st == gate.Open, s.level.Has(CMAC), cmd)
	if v == gate.Verify {
		c, status = s.unwrap(c)
	}
	switch {
	case status != sw.OK && v != gate.Refuse:
		s.Reset()
		return nil, status
	case status != sw.OK:
		return nil, status
	}
	// Only a verified command has a response to protect: every SCP03 level
	// with R-MAC includes C-MAC.
	s.answerable = v == gate.Verify
	return c.Bytes(), sw.OK
}

func (s *Session) unwrap(c capdu.Command) (capdu.Command, uint16) {
	n := s.macLen()
	if len(c.Data) < n {
		return c, sw.WrongLength
	}
	body, got := c.Data[:len(c.Data)-n], c.Data[len(c.Data)-n:]
	mac, err := s.cmac(c.CLA, c.INS, c.P1, c.P2, body)
	if err != nil {
		return c, sw.NoPreciseDiagnosis
	}
	if subtle.ConstantTimeCompare(mac[:n], got) != 1 {
		return c, sw.SecurityStatus
	}
	s.chain = mac
	// Amendment D §6.2.6: the counter counts every command of the session,
	// with or without data.
	s.encCounter++
	c.CLA &^= capdu.SMBit(c.CLA)
	c.Data = body
	if s.level.Has(CDEC) && len(body) > 0 {
		plain, ok := s.decrypt(body)
		if !ok {
			return c, sw.SecureMessagingIncorrect
		}
		c.Data = plain
	}
	return c, sw.OK
}

// decrypt reverses C-DECRYPTION: AES-CBC under S-ENC with ICV =
// AES(S-ENC, counter as 16 bytes big endian), then ISO 9797-1 method 2
// padding (Amendment D §6.2.6).
func (s *Session) decrypt(data []byte) ([]byte, bool) {
	if len(data)%16 != 0 {
		return nil, false
	}
	icv, err := s.icv(0x00)
	if err != nil {
		return nil, false
	}
	p, err := gpcrypto.AESCBCDecrypt(s.sENC, icv, data)
	if err != nil {
		return nil, false
	}
	p, err = gpcrypto.Unpad80(p, 16)
	return p, err == nil
}

// icv returns AES(S-ENC, first ‖ counter(15 bytes big endian)). Commands use
// first = 00; responses use first = 80 with the counter of their command
// (Amendment D §6.2.6, §6.2.7).
func (s *Session) icv(first byte) ([]byte, error) {
	b := make([]byte, 16)
	b[0] = first
	for i, v := 15, s.encCounter; i > 7; i, v = i-1, v>>8 {
		b[i] = byte(v)
	}
	return gpcrypto.AESECB(s.sENC, b)
}

// Wrap protects the response to the command last returned by Unwrap:
// R-ENCRYPTION of the data (level RENC, data not empty) then the R-MAC
// AES-CMAC(S-RMAC, chaining value ‖ data ‖ SW1 SW2) appended (level RMAC)
// (Amendment D §6.2.5, §6.2.7). A response with an error status word (not
// 9000, 62xx or 63xx) is reduced to its status word, unprotected. Without
// R-MAC, or when the command was not unwrapped in this session, rapdu is
// returned unchanged (copied). A response that cannot be protected (shorter
// than two bytes, or too long for a short response once wrapped) becomes 6F00.
func (s *Session) Wrap(rapdu []byte) []byte {
	data, status, out := gate.Respond(s.answerable && s.st == gate.Open && s.level.Has(RMAC), rapdu)
	s.answerable = false
	if out != nil {
		return out
	}
	if status != sw.OK && status>>8 != 0x62 && status>>8 != 0x63 {
		return capdu.Append(nil, status)
	}
	if s.level.Has(RENC) && len(data) > 0 {
		icv, err := s.icv(0x80)
		if err != nil {
			return capdu.Append(nil, sw.NoPreciseDiagnosis)
		}
		if data, err = gpcrypto.AESCBC(s.sENC, icv, gpcrypto.Pad80(data, 16)); err != nil {
			return capdu.Append(nil, sw.NoPreciseDiagnosis)
		}
	}
	n := s.macLen()
	if len(data)+n > 256 {
		return capdu.Append(nil, sw.NoPreciseDiagnosis)
	}
	in := make([]byte, 0, 16+len(data)+2)
	in = append(append(append(in, s.chain[:]...), data...), byte(status>>8), byte(status))
	mac, err := gpcrypto.CMAC(s.sRMAC, in)
	if err != nil {
		return capdu.Append(nil, sw.NoPreciseDiagnosis)
	}
	return capdu.Append(append(append([]byte(nil), data...), mac[:n]...), status)
}
