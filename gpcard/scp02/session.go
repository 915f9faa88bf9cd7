package scp02

import (
	"context"
	"crypto/subtle"
	"fmt"

	"github.com/cardhost/cardhost/gpcard/gpcrypto"
	"github.com/cardhost/cardhost/gpcard/keys"
	"github.com/cardhost/cardhost/gpcard/secret"
	"github.com/cardhost/cardhost/reader"
	"github.com/skythen/apdu"
)

// Session is an open SCP02 secure channel: a decorator over a transport that
// wraps every command (C-MAC, C-DEC) and unwraps every response (R-MAC). It
// is not safe for concurrent use (the MAC chain orders commands). Close does
// not close the transport.
type Session struct {
	t     reader.Transport
	kp    keys.Provider
	in    keys.SessionInput
	i     byte
	level Level
	ext   bool
	sk    *keys.SessionKeys
	// icv is the last C-MAC (or the initial ICV before the first command of
	// an implicit session, marked by firstICV); ricv is the last R-MAC.
	icv, ricv []byte
	firstICV  bool
	closed    bool
}

// String describes the session without key material.
func (s *Session) String() string {
	return fmt.Sprintf("scp02.Session{i=%02X level=%02X closed=%v}", s.i, byte(s.level), s.closed)
}

// I returns the implementation option in force.
func (s *Session) I() byte { return s.i }

// Level returns the security level in force.
func (s *Session) Level() Level { return s.level }

// MaxCommandData returns the largest plain data field Transmit accepts.
func (s *Session) MaxCommandData() int { return MaxCommandData(s.level, s.ext) }

// Transmit wraps c, sends it and returns the unwrapped response (data and
// status word; a non-9000 status is not an error here). c.Cla must be a
// GlobalPlatform class without secure messaging (80–83, C0–CF); its logical
// channel bits are kept. A transport error or an R-MAC mismatch closes the
// session, because the card's and the host's MAC chains may have diverged.
func (s *Session) Transmit(ctx context.Context, c apdu.Capdu) (apdu.Rapdu, error) {
	if s.closed {
		return apdu.Rapdu{}, ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return apdu.Rapdu{}, err
	}
	w, err := s.wrap(c)
	if err != nil {
		return apdu.Rapdu{}, err
	}
	b, err := w.Bytes()
	if err != nil {
		return apdu.Rapdu{}, err
	}
	resp, err := s.t.Transmit(ctx, b)
	if err != nil {
		s.Close()
		return apdu.Rapdu{}, fmt.Errorf("scp02: transmit (channel closed): %w", err)
	}
	rp, err := apdu.ParseRapdu(resp)
	if err != nil {
		s.Close()
		return apdu.Rapdu{}, protoErr("response of %d bytes (channel closed)", len(resp))
	}
	return s.unwrap(c, *rp)
}

// smBit is the class bit announcing secure messaging: b3 (04) for classes
// 80–8F, b6 (20) for the further logical channel classes C0–CF (GPCS 2.3.1
// §11.1.4, Table 11-11; ISO/IEC 7816-4 §5.4.1).
func smBit(cla byte) byte {
	if cla&0x40 != 0 {
		return 0x20
	}
	return 0x04
}

// lcBytes encodes a length as the Lc field of a short (1 byte) or extended
// (00 hi lo) command.
func lcBytes(n int, extended bool) []byte {
	if extended {
		return []byte{0, byte(n >> 8), byte(n)}
	}
	return []byte{byte(n)}
}

// wrap applies C-MAC and C-DEC (GPCS 2.3.1 §E.4.4, §E.4.6). The MAC covers
// CLA INS P1 P2 Lc data of the modified APDU (CLA with the SM bit, Lc + 8)
// or, with i b2, of the unmodified APDU, in plain text, chained from the
// previous C-MAC (DES-ECB encrypted under S-MAC K1 with i b5).
func (s *Session) wrap(c apdu.Capdu) (apdu.Capdu, error) {
	if c.Cla&0x80 == 0 || c.Cla&smBit(c.Cla) != 0 {
		return apdu.Capdu{}, fmt.Errorf("scp02: class %02X is not a GlobalPlatform class without secure messaging", c.Cla)
	}
	if max := s.MaxCommandData(); len(c.Data) > max {
		return apdu.Capdu{}, fmt.Errorf("scp02: %d data bytes exceed the %d the channel can wrap", len(c.Data), max)
	}
	enc := c.Data
	if s.level&CDEC != 0 && len(c.Data) > 0 {
		var err error
		if enc, err = cbc(s.sk.ENC, gpcrypto.Pad80(c.Data, 8)); err != nil {
			return apdu.Capdu{}, err
		}
	}
	extended := len(enc)+8 > 255
	macCLA, macLc := c.Cla|smBit(c.Cla), len(c.Data)+8
	if s.i&iUnmodified != 0 {
		macCLA, macLc = c.Cla, len(c.Data)
	}
	in := append([]byte{macCLA, c.Ins, c.P1, c.P2}, lcBytes(macLc, extended)...)
	in = append(in, c.Data...)
	icv, err := s.nextICV()
	if err != nil {
		return apdu.Capdu{}, err
	}
	mac, err := retailMAC(s.sk.MAC, icv, gpcrypto.Pad80(in, 8))
	if err != nil {
		return apdu.Capdu{}, err
	}
	s.icv, s.firstICV = mac, false
	data := append(append(make([]byte, 0, len(enc)+8), enc...), mac...)
	return apdu.Capdu{Cla: c.Cla | smBit(c.Cla), Ins: c.Ins, P1: c.P1, P2: c.P2, Data: data, Ne: c.Ne}, nil
}

// nextICV returns the ICV of the next C-MAC: the previous C-MAC, encrypted
// with single DES under the first half of S-MAC when i b5 asks for ICV
// encryption (GPCS 2.3.1 §E.4.4). The initial ICV of an implicit session is
// used as is.
func (s *Session) nextICV() ([]byte, error) {
	if s.firstICV || s.i&iICVEncrypt == 0 {
		return s.icv, nil
	}
	var out []byte
	err := s.sk.MAC.Use(func(k []byte) error {
		var err error
		out, err = gpcrypto.DESECB(k[:8], s.icv)
		return err
	})
	return out, err
}

// unwrap checks the R-MAC (GPCS 2.3.1 §E.4.5): ISO 9797-1 alg. 3 under
// S-RMAC, chained from the previous R-MAC (initially the EXTERNAL
// AUTHENTICATE C-MAC), over the unmodified command CLA INS P1 P2 Lc data,
// then Li ‖ response data ‖ SW1 SW2.
func (s *Session) unwrap(c apdu.Capdu, r apdu.Rapdu) (apdu.Rapdu, error) {
	if s.level&RMAC == 0 {
		return apdu.Rapdu{Data: append([]byte(nil), r.Data...), SW1: r.SW1, SW2: r.SW2}, nil
	}
	if len(r.Data) == 0 && isError(r.SW1) {
		// Cards send an error status without data or R-MAC; it is returned
		// unauthenticated and the channel stays open.
		return r, nil
	}
	if len(r.Data) < 8 {
		s.Close()
		return apdu.Rapdu{}, fmt.Errorf("%w: response has %d data bytes, no room for an R-MAC (channel closed)", ErrResponseMAC, len(r.Data))
	}
	data, got := r.Data[:len(r.Data)-8], r.Data[len(r.Data)-8:]
	ext := len(c.Data) > 255 || len(data) > 255
	in := append([]byte{c.Cla, c.Ins, c.P1, c.P2}, lcBytes(len(c.Data), ext)...)
	in = append(in, c.Data...)
	in = append(append(in, lcBytes(len(data), ext)...), data...)
	in = append(in, r.SW1, r.SW2)
	want, err := retailMAC(s.sk.RMAC, s.ricv, gpcrypto.Pad80(in, 8))
	if err != nil {
		return apdu.Rapdu{}, err
	}
	if subtle.ConstantTimeCompare(want, got) != 1 {
		s.Close()
		return apdu.Rapdu{}, fmt.Errorf("%w: SW %02X%02X (channel closed)", ErrResponseMAC, r.SW1, r.SW2)
	}
	s.ricv = append([]byte(nil), got...)
	return apdu.Rapdu{Data: append([]byte(nil), data...), SW1: r.SW1, SW2: r.SW2}, nil
}

// isError reports an SW1 of 64–6F other than warnings (62, 63).
func isError(sw1 byte) bool { return sw1 >= 0x64 && sw1 <= 0x6F }

// WrapKey encrypts the key ref for a PUT KEY sent in this session (3DES-ECB
// under the session DEK, CBC for implicit initiation; GPCS 2.3.1 §E.4.7).
// The key stays inside the provider; only the cryptogram and KCV return.
func (s *Session) WrapKey(ctx context.Context, ref keys.KeyRef) (keys.WrappedKey, error) {
	if s.closed {
		return keys.WrappedKey{}, ErrClosed
	}
	return s.kp.WrapKey(ctx, keys.WrapRequest{Session: s.in, New: ref})
}

// Close zeroes the session keys and makes the session unusable. It is
// idempotent and does not close the transport.
func (s *Session) Close() error {
	if s.sk != nil {
		s.sk.Zero()
	}
	s.closed = true
	return nil
}

// InsecureSessionKeysForTest returns copies of the session keys. It exists
// only for tests that check derivations against published vectors.
func (s *Session) InsecureSessionKeysForTest() keys.SessionKeys {
	return keys.SessionKeys{ENC: secret.New(s.sk.ENC.Bytes()), MAC: secret.New(s.sk.MAC.Bytes()), RMAC: secret.New(s.sk.RMAC.Bytes())}
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

func cbc(k secret.Key, data []byte) ([]byte, error) {
	var out []byte
	err := k.Use(func(b []byte) error {
		var err error
		out, err = gpcrypto.TripleDESCBC(b, nil, data)
		return err
	})
	return out, err
}
