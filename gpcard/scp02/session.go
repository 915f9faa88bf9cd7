package scp02

import (
	"crypto/cipher"
	"crypto/subtle"
	"fmt"

	"github.com/cardhost/cardhost/gpcard/gpcrypto"
	"github.com/cardhost/cardhost/gpcard/keys"
	"github.com/cardhost/cardhost/gpcard/scp"
	"github.com/cardhost/cardhost/gpcard/secret"
	"github.com/cardhost/cardhost/reader"
	"github.com/skythen/apdu"
)

// Session is an open SCP02 secure channel: a decorator over a transport that
// wraps every command (C-MAC, C-DEC) and unwraps every response (R-MAC).
// Transmit, WrapKey, I, KVN, MaxCommandData and Close come from the embedded
// scp.Conn: a transport error or an R-MAC mismatch closes the session,
// because the card's and the host's MAC chains may have diverged. It is not
// safe for concurrent use (the MAC chain orders commands). Close zeroes the
// session keys and does not close the transport.
type Session struct {
	*scp.Conn
	c *codec
}

func newSession(t reader.Transport, kp keys.Provider, in keys.SessionInput, c *codec, ext bool) *Session {
	return &Session{Conn: scp.NewConn("scp02", t, c, MaxCommandData(c.level, ext), kp, in), c: c}
}

// String describes the session without key material.
func (s *Session) String() string {
	return fmt.Sprintf("scp02.Session{i=%02X level=%02X closed=%v}", s.c.i, byte(s.c.level), s.Closed())
}

// Level returns the security level in force.
func (s *Session) Level() Level { return s.c.level }

// InsecureSessionKeysForTest returns copies of the session keys. It exists
// only for tests that check derivations against published vectors.
func (s *Session) InsecureSessionKeysForTest() keys.SessionKeys {
	sk := s.c.sk
	return keys.SessionKeys{ENC: secret.New(sk.ENC.Bytes()), MAC: secret.New(sk.MAC.Bytes()), RMAC: secret.New(sk.RMAC.Bytes())}
}

// codec is the SCP02 half of a session (scp.Codec): the session keys, the
// ciphers built from them once per session, and the MAC chains.
type codec struct {
	i     byte
	level Level
	sk    *keys.SessionKeys
	enc   cipher.Block // 3DES under S-ENC, for C-DEC
	// macK1/mac are DES under K1 and 3DES under S-MAC (retail MAC and ICV
	// encryption); rmacK1/rmac the same under S-RMAC.
	macK1, mac, rmacK1, rmac cipher.Block
	// icv is the last C-MAC (or the initial ICV before the first command of
	// an implicit session, marked by firstICV); ricv is the last R-MAC.
	icv, ricv []byte
	firstICV  bool
}

// newCodec builds the ciphers of sk; icv is the chaining value after the
// last MACed authentication command (or the implicit initial ICV).
func newCodec(i byte, level Level, sk *keys.SessionKeys, icv []byte) (*codec, error) {
	c := &codec{i: i, level: level, sk: sk, icv: icv, ricv: append([]byte(nil), icv...)}
	err := sk.ENC.Use(func(k []byte) error {
		var err error
		c.enc, err = gpcrypto.TripleDES(k)
		return err
	})
	if err == nil {
		err = sk.MAC.Use(func(k []byte) error {
			var err error
			c.macK1, c.mac, err = gpcrypto.RetailMACCiphers(k)
			return err
		})
	}
	if err == nil {
		err = sk.RMAC.Use(func(k []byte) error {
			var err error
			c.rmacK1, c.rmac, err = gpcrypto.RetailMACCiphers(k)
			return err
		})
	}
	if err != nil {
		return nil, fmt.Errorf("scp02: session ciphers: %w", err)
	}
	return c, nil
}

// Zero wipes the session keys and drops the ciphers built from them.
func (c *codec) Zero() {
	c.sk.Zero()
	c.enc, c.macK1, c.mac, c.rmacK1, c.rmac = nil, nil, nil, nil, nil
}

// lcBytes encodes a length as the Lc field of a short (1 byte) or extended
// (00 hi lo) command.
func lcBytes(n int, extended bool) []byte {
	if extended {
		return []byte{0, byte(n >> 8), byte(n)}
	}
	return []byte{byte(n)}
}

// Wrap applies C-MAC and C-DEC (GPCS 2.3.1 §E.4.4, §E.4.6). The MAC covers
// CLA INS P1 P2 Lc data of the modified APDU (CLA with the SM bit, Lc + 8)
// or, with i b2, of the unmodified APDU, in plain text, chained from the
// previous C-MAC (DES-ECB encrypted under S-MAC K1 with i b5).
func (c *codec) Wrap(p apdu.Capdu) (apdu.Capdu, error) {
	enc := p.Data
	if c.level&CDEC != 0 && len(p.Data) > 0 {
		var err error
		if enc, err = gpcrypto.CBCEncrypt(c.enc, nil, gpcrypto.Pad80(p.Data, 8)); err != nil {
			return apdu.Capdu{}, err
		}
	}
	sm := scp.SMBit(p.Cla)
	extended := len(enc)+8 > 255
	macCLA, macLc := p.Cla|sm, len(p.Data)+8
	if c.i&iUnmodified != 0 {
		macCLA, macLc = p.Cla, len(p.Data)
	}
	in := append([]byte{macCLA, p.Ins, p.P1, p.P2}, lcBytes(macLc, extended)...)
	in = append(in, p.Data...)
	mac, err := gpcrypto.RetailMACWith(c.macK1, c.mac, c.nextICV(), gpcrypto.Pad80(in, 8))
	if err != nil {
		return apdu.Capdu{}, err
	}
	c.icv, c.firstICV = mac, false
	data := append(append(make([]byte, 0, len(enc)+8), enc...), mac...)
	return apdu.Capdu{Cla: p.Cla | sm, Ins: p.Ins, P1: p.P1, P2: p.P2, Data: data, Ne: p.Ne}, nil
}

// nextICV returns the ICV of the next C-MAC: the previous C-MAC, encrypted
// with single DES under the first half of S-MAC when i b5 asks for ICV
// encryption (GPCS 2.3.1 §E.4.4). The initial ICV of an implicit session is
// used as is.
func (c *codec) nextICV() []byte {
	if c.firstICV || c.i&iICVEncrypt == 0 {
		return c.icv
	}
	out := make([]byte, 8)
	c.macK1.Encrypt(out, c.icv)
	return out
}

// Unwrap checks the R-MAC (GPCS 2.3.1 §E.4.5): ISO 9797-1 alg. 3 under
// S-RMAC, chained from the previous R-MAC (initially the EXTERNAL
// AUTHENTICATE C-MAC), over the unmodified command CLA INS P1 P2 Lc data,
// then Li ‖ response data ‖ SW1 SW2.
func (c *codec) Unwrap(p apdu.Capdu, r apdu.Rapdu) (apdu.Rapdu, error) {
	if c.level&RMAC == 0 || scp.Unauthenticated(r) {
		return r, nil
	}
	if len(r.Data) < 8 {
		return apdu.Rapdu{}, fmt.Errorf("%w: response has %d data bytes, no room for an R-MAC (channel closed)", ErrResponseMAC, len(r.Data))
	}
	data, got := r.Data[:len(r.Data)-8], r.Data[len(r.Data)-8:]
	ext := len(p.Data) > 255 || len(data) > 255
	in := append([]byte{p.Cla, p.Ins, p.P1, p.P2}, lcBytes(len(p.Data), ext)...)
	in = append(in, p.Data...)
	in = append(append(in, lcBytes(len(data), ext)...), data...)
	in = append(in, r.SW1, r.SW2)
	want, err := gpcrypto.RetailMACWith(c.rmacK1, c.rmac, c.ricv, gpcrypto.Pad80(in, 8))
	if err != nil {
		return apdu.Rapdu{}, err
	}
	if subtle.ConstantTimeCompare(want, got) != 1 {
		return apdu.Rapdu{}, fmt.Errorf("%w: SW %02X%02X (channel closed)", ErrResponseMAC, r.SW1, r.SW2)
	}
	c.ricv = append([]byte(nil), got...)
	return apdu.Rapdu{Data: data, SW1: r.SW1, SW2: r.SW2}, nil
}

func retailMAC(k secret.Key, icv, data []byte) ([]byte, error) {
	var out []byte
	err := k.Use(func(b []byte) error {
		var err error
		out, err = gpcrypto.RetailMAC(b, icv, data)
		return err
	})
	return out, err
}
