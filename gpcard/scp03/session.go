package scp03

import (
	"crypto/subtle"
	"fmt"

	"github.com/cardhost/cardhost/gpcard/gpcrypto"
	"github.com/cardhost/cardhost/gpcard/keys"
	"github.com/cardhost/cardhost/gpcard/scp"
	"github.com/cardhost/cardhost/gpcard/secret"
	"github.com/cardhost/cardhost/reader"
	"github.com/skythen/apdu"
)

// Session is an open SCP03 secure channel: a decorator over a transport that
// wraps every command (C-MAC, C-DEC) and unwraps every response (R-MAC,
// R-ENC). Transmit, WrapKey, I, KVN, MaxCommandData and Close come from the
// embedded scp.Conn: a transport error or an R-MAC mismatch closes the
// session, because the card's and the host's chaining values may have
// diverged. It is not safe for concurrent use (the MAC chaining value and the
// encryption counter order commands). Close zeroes the session keys and does
// not close the transport.
type Session struct {
	*scp.Conn
	c *codec
}

func newSession(t reader.Transport, kp keys.Provider, in keys.SessionInput, c *codec, ext bool) *Session {
	return &Session{Conn: scp.NewConn("scp03", t, c, MaxCommandData(c.level, c.s16, ext), kp, in), c: c}
}

// String describes the session without key material.
func (s *Session) String() string {
	return fmt.Sprintf("scp03.Session{i=%02X level=%02X closed=%v}", s.c.i, byte(s.c.level), s.Closed())
}

// Level returns the security level in force.
func (s *Session) Level() Level { return s.c.level }

// InsecureSessionKeysForTest returns copies of the session keys. It exists
// only for tests that check derivations against published vectors.
func (s *Session) InsecureSessionKeysForTest() keys.SessionKeys {
	sk := s.c.sk
	return keys.SessionKeys{ENC: secret.New(sk.ENC.Bytes()), MAC: secret.New(sk.MAC.Bytes()), RMAC: secret.New(sk.RMAC.Bytes())}
}

// codec is the SCP03 half of a session (scp.Codec): session keys, MAC
// chaining value and encryption counter.
type codec struct {
	i       byte
	level   Level
	s16     bool
	sk      *keys.SessionKeys
	mcv     []byte // MAC chaining value: the last full C-MAC (§6.2.4)
	counter uint64 // encryption counter of the last wrapped command (§6.2.6)
}

// Zero wipes the session keys.
func (c *codec) Zero() { c.sk.Zero() }

// counterBlock is the 16-byte big-endian encryption counter; prefix 80 marks
// the response ICV (Amd D §6.2.6, §6.2.7).
func (c *codec) counterBlock(prefix byte) []byte {
	b := make([]byte, 16)
	for i := 0; i < 8; i++ {
		b[15-i] = byte(c.counter >> (8 * i))
	}
	b[0] = prefix
	return b
}

// icv returns AES(S-ENC, counter block), the CBC ICV of C-DEC and R-ENC.
func (c *codec) icv(prefix byte) ([]byte, error) {
	var out []byte
	err := c.sk.ENC.Use(func(k []byte) error {
		var err error
		out, err = gpcrypto.AESECB(k, c.counterBlock(prefix))
		return err
	})
	return out, err
}

// Wrap applies C-DEC and C-MAC (Amd D §6.2.4, §6.2.6): the data is padded and
// AES-CBC encrypted under S-ENC with the counter ICV; the MAC is AES-CMAC
// under S-MAC over MCV ‖ CLA' INS P1 P2 Lc' ‖ encrypted data, where CLA' has
// the SM bit and Lc' counts the MAC; the first 8 (S16: 16) bytes are sent.
// The counter advances for every command, with or without data.
func (c *codec) Wrap(p apdu.Capdu) (apdu.Capdu, error) {
	c.counter++
	enc := p.Data
	if c.level&CDEC != 0 && len(p.Data) > 0 {
		iv, err := c.icv(0x00)
		if err != nil {
			return apdu.Capdu{}, err
		}
		err = c.sk.ENC.Use(func(k []byte) error {
			enc, err = gpcrypto.AESCBC(k, iv, gpcrypto.Pad80(p.Data, 16))
			return err
		})
		if err != nil {
			return apdu.Capdu{}, err
		}
	}
	ml := macLen(c.s16)
	lc := len(enc) + ml
	cla := p.Cla | scp.SMBit(p.Cla)
	in := append(append(make([]byte, 0, 16+7+len(enc)), c.mcv...), cla, p.Ins, p.P1, p.P2)
	if lc > 255 {
		in = append(in, 0, byte(lc>>8), byte(lc))
	} else {
		in = append(in, byte(lc))
	}
	full, err := cmac(c.sk.MAC, append(in, enc...))
	if err != nil {
		return apdu.Capdu{}, err
	}
	c.mcv = full
	data := append(append(make([]byte, 0, lc), enc...), full[:ml]...)
	return apdu.Capdu{Cla: cla, Ins: p.Ins, P1: p.P1, P2: p.P2, Data: data, Ne: p.Ne}, nil
}

// Unwrap checks the R-MAC, AES-CMAC under S-RMAC over MCV ‖ response data ‖
// SW (Amd D §6.2.5), then with R-ENC decrypts the data under S-ENC with ICV
// AES(S-ENC, 80 ‖ counter) and strips the padding (§6.2.7).
func (c *codec) Unwrap(_ apdu.Capdu, r apdu.Rapdu) (apdu.Rapdu, error) {
	if c.level&RMAC == 0 || scp.Unauthenticated(r) {
		return r, nil
	}
	ml := macLen(c.s16)
	if len(r.Data) < ml {
		return apdu.Rapdu{}, fail("response has %d data bytes, no room for an R-MAC", len(r.Data))
	}
	data, got := r.Data[:len(r.Data)-ml], r.Data[len(r.Data)-ml:]
	in := append(append(append(make([]byte, 0, 16+len(data)+2), c.mcv...), data...), r.SW1, r.SW2)
	full, err := cmac(c.sk.RMAC, in)
	if err != nil {
		return apdu.Rapdu{}, err
	}
	if subtle.ConstantTimeCompare(full[:ml], got) != 1 {
		return apdu.Rapdu{}, fail("SW %02X%02X", r.SW1, r.SW2)
	}
	out := data
	if c.level&RENC != 0 && len(out) > 0 {
		if len(out)%16 != 0 {
			return apdu.Rapdu{}, fail("encrypted response of %d bytes", len(out))
		}
		iv, err := c.icv(0x80)
		if err != nil {
			return apdu.Rapdu{}, err
		}
		err = c.sk.ENC.Use(func(k []byte) error {
			out, err = gpcrypto.AESCBCDecrypt(k, iv, out)
			return err
		})
		if err != nil {
			return apdu.Rapdu{}, err
		}
		if out, err = gpcrypto.Unpad80(out, 16); err != nil {
			return apdu.Rapdu{}, fail("bad padding in decrypted response")
		}
	}
	return apdu.Rapdu{Data: out, SW1: r.SW1, SW2: r.SW2}, nil
}

// fail returns an ErrResponseMAC error; the Conn closes the session on it.
func fail(format string, a ...any) error {
	return fmt.Errorf("%w: "+format+" (channel closed)", append([]any{ErrResponseMAC}, a...)...)
}
