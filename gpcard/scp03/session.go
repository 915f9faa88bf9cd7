package scp03

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

// Session is an open SCP03 secure channel: a decorator over a transport that
// wraps every command (C-MAC, C-DEC) and unwraps every response (R-MAC,
// R-ENC). It is not safe for concurrent use (the MAC chaining value and the
// encryption counter order commands). Close does not close the transport.
type Session struct {
	t       reader.Transport
	kp      keys.Provider
	in      keys.SessionInput
	i       byte
	level   Level
	s16     bool
	ext     bool
	sk      *keys.SessionKeys
	mcv     []byte // MAC chaining value: the last full C-MAC (§6.2.4)
	counter uint64 // encryption counter of the last wrapped command (§6.2.6)
	closed  bool
}

// String describes the session without key material.
func (s *Session) String() string {
	return fmt.Sprintf("scp03.Session{i=%02X level=%02X closed=%v}", s.i, byte(s.level), s.closed)
}

// I returns the implementation option in force.
func (s *Session) I() byte { return s.i }

// Level returns the security level in force.
func (s *Session) Level() Level { return s.level }

// MaxCommandData returns the largest plain data field Transmit accepts.
func (s *Session) MaxCommandData() int { return MaxCommandData(s.level, s.s16, s.ext) }

// Transmit wraps c, sends it and returns the unwrapped response (data and
// status word; a non-9000 status is not an error here). c.Cla must be a
// GlobalPlatform class without secure messaging (80–83, C0–CF); its logical
// channel bits are kept. A transport error or an R-MAC mismatch closes the
// session, because the card's and the host's chaining values may have
// diverged.
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
		return apdu.Rapdu{}, fmt.Errorf("scp03: transmit (channel closed): %w", err)
	}
	rp, err := apdu.ParseRapdu(resp)
	if err != nil {
		s.Close()
		return apdu.Rapdu{}, protoErr("response of %d bytes (channel closed)", len(resp))
	}
	return s.unwrap(*rp)
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

// counterBlock is the 16-byte big-endian encryption counter; prefix 80 marks
// the response ICV (Amd D §6.2.6, §6.2.7).
func (s *Session) counterBlock(prefix byte) []byte {
	b := make([]byte, 16)
	for i := 0; i < 8; i++ {
		b[15-i] = byte(s.counter >> (8 * i))
	}
	b[0] = prefix
	return b
}

// icv returns AES(S-ENC, counter block), the CBC ICV of C-DEC and R-ENC.
func (s *Session) icv(prefix byte) ([]byte, error) {
	var out []byte
	err := s.sk.ENC.Use(func(k []byte) error {
		var err error
		out, err = gpcrypto.AESECB(k, s.counterBlock(prefix))
		return err
	})
	return out, err
}

// wrap applies C-DEC and C-MAC (Amd D §6.2.4, §6.2.6): the data is padded and
// AES-CBC encrypted under S-ENC with the counter ICV; the MAC is AES-CMAC
// under S-MAC over MCV ‖ CLA' INS P1 P2 Lc' ‖ encrypted data, where CLA' has
// the SM bit and Lc' counts the MAC; the first 8 (S16: 16) bytes are sent.
// The counter advances for every command, with or without data.
func (s *Session) wrap(c apdu.Capdu) (apdu.Capdu, error) {
	if c.Cla&0x80 == 0 || c.Cla&smBit(c.Cla) != 0 {
		return apdu.Capdu{}, fmt.Errorf("scp03: class %02X is not a GlobalPlatform class without secure messaging", c.Cla)
	}
	if max := s.MaxCommandData(); len(c.Data) > max {
		return apdu.Capdu{}, fmt.Errorf("scp03: %d data bytes exceed the %d the channel can wrap", len(c.Data), max)
	}
	s.counter++
	enc := c.Data
	if s.level&CDEC != 0 && len(c.Data) > 0 {
		iv, err := s.icv(0x00)
		if err != nil {
			return apdu.Capdu{}, err
		}
		err = s.sk.ENC.Use(func(k []byte) error {
			enc, err = gpcrypto.AESCBC(k, iv, gpcrypto.Pad80(c.Data, 16))
			return err
		})
		if err != nil {
			return apdu.Capdu{}, err
		}
	}
	ml := macLen(s.s16)
	lc := len(enc) + ml
	cla := c.Cla | smBit(c.Cla)
	in := append(append(make([]byte, 0, 16+7+len(enc)), s.mcv...), cla, c.Ins, c.P1, c.P2)
	if lc > 255 {
		in = append(in, 0, byte(lc>>8), byte(lc))
	} else {
		in = append(in, byte(lc))
	}
	full, err := cmac(s.sk.MAC, append(in, enc...))
	if err != nil {
		return apdu.Capdu{}, err
	}
	s.mcv = full
	data := append(append(make([]byte, 0, lc), enc...), full[:ml]...)
	return apdu.Capdu{Cla: cla, Ins: c.Ins, P1: c.P1, P2: c.P2, Data: data, Ne: c.Ne}, nil
}

// unwrap checks the R-MAC, AES-CMAC under S-RMAC over MCV ‖ response data ‖
// SW (Amd D §6.2.5), then with R-ENC decrypts the data under S-ENC with ICV
// AES(S-ENC, 80 ‖ counter) and strips the padding (§6.2.7).
func (s *Session) unwrap(r apdu.Rapdu) (apdu.Rapdu, error) {
	if s.level&RMAC == 0 {
		return apdu.Rapdu{Data: append([]byte(nil), r.Data...), SW1: r.SW1, SW2: r.SW2}, nil
	}
	if len(r.Data) == 0 && r.SW1 >= 0x64 && r.SW1 <= 0x6F {
		// Cards send an error status without data or R-MAC; it is returned
		// unauthenticated and the channel stays open.
		return r, nil
	}
	ml := macLen(s.s16)
	if len(r.Data) < ml {
		return apdu.Rapdu{}, s.fail("response has %d data bytes, no room for an R-MAC", len(r.Data))
	}
	data, got := r.Data[:len(r.Data)-ml], r.Data[len(r.Data)-ml:]
	in := append(append(append(make([]byte, 0, 16+len(data)+2), s.mcv...), data...), r.SW1, r.SW2)
	full, err := cmac(s.sk.RMAC, in)
	if err != nil {
		return apdu.Rapdu{}, err
	}
	if subtle.ConstantTimeCompare(full[:ml], got) != 1 {
		return apdu.Rapdu{}, s.fail("SW %02X%02X", r.SW1, r.SW2)
	}
	out := append([]byte(nil), data...)
	if s.level&RENC != 0 && len(out) > 0 {
		if len(out)%16 != 0 {
			return apdu.Rapdu{}, s.fail("encrypted response of %d bytes", len(out))
		}
		iv, err := s.icv(0x80)
		if err != nil {
			return apdu.Rapdu{}, err
		}
		err = s.sk.ENC.Use(func(k []byte) error {
			out, err = gpcrypto.AESCBCDecrypt(k, iv, out)
			return err
		})
		if err != nil {
			return apdu.Rapdu{}, err
		}
		if out, err = gpcrypto.Unpad80(out, 16); err != nil {
			return apdu.Rapdu{}, s.fail("bad padding in decrypted response")
		}
	}
	return apdu.Rapdu{Data: out, SW1: r.SW1, SW2: r.SW2}, nil
}

// fail closes the session and returns an ErrResponseMAC error.
func (s *Session) fail(format string, a ...any) error {
	s.Close()
	return fmt.Errorf("%w: "+format+" (channel closed)", append([]any{ErrResponseMAC}, a...)...)
}

// WrapKey encrypts the key ref for a PUT KEY sent in this session (AES-CBC
// under the static Key-DEK, ICV 0; Amd D §6.2.1, §6.2.8). The key stays
// inside the provider; only the cryptogram and KCV return.
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
