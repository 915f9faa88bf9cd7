package scp

import (
	"context"
	"errors"
	"fmt"

	"github.com/cardhost/cardhost/gpcard/keys"
	"github.com/cardhost/cardhost/reader"
	"github.com/skythen/apdu"
)

// Codec is the protocol half of a secure channel session: it wraps commands
// and unwraps responses, advancing its chaining state (MAC chaining value,
// encryption counter) on every call. Conn calls it in command order and never
// concurrently.
type Codec interface {
	// Wrap adds secure messaging to c, a command whose class Conn has
	// checked and whose data fits the session's limit.
	Wrap(c apdu.Capdu) (apdu.Capdu, error)
	// Unwrap checks and strips secure messaging from r, the answer to the
	// plain command c; r.Data is a copy the codec may keep. An error closes
	// the session.
	Unwrap(c apdu.Capdu, r apdu.Rapdu) (apdu.Rapdu, error)
	// Zero wipes the session keys.
	Zero()
}

// Conn is the protocol-independent half of a host secure channel session: it
// checks the command, lets the Codec wrap it, sends it and has the answer
// unwrapped, closing itself when the host and card chaining states may have
// diverged (transport error, unparsable answer, unwrap failure). It is not
// safe for concurrent use. Closing it does not close the transport.
type Conn struct {
	name    string
	t       reader.Transport
	codec   Codec
	maxData int
	kp      keys.Provider
	in      keys.SessionInput
	closed  bool
}

// NewConn returns a Conn sending over t. name prefixes its errors ("scp02");
// maxData is the largest plain data field a command may carry; kp and in are
// the key provider and session input the session was opened with, used to
// wrap keys for PUT KEY.
func NewConn(name string, t reader.Transport, c Codec, maxData int, kp keys.Provider, in keys.SessionInput) *Conn {
	return &Conn{name: name, t: t, codec: c, maxData: maxData, kp: kp, in: in}
}

// Transmit wraps c, sends it and returns the unwrapped response (data and
// status word; a non-9000 status is not an error here). c.Cla must be a
// GlobalPlatform class without secure messaging (80–83, C0–CF); its logical
// channel bits are kept. It checks ctx before sending, because an APDU in
// flight cannot be cancelled.
func (s *Conn) Transmit(ctx context.Context, c apdu.Capdu) (apdu.Rapdu, error) {
	if s.closed {
		return apdu.Rapdu{}, ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return apdu.Rapdu{}, err
	}
	if c.Cla&0x80 == 0 || c.Cla&SMBit(c.Cla) != 0 {
		return apdu.Rapdu{}, fmt.Errorf("%s: class %02X is not a GlobalPlatform class without secure messaging", s.name, c.Cla)
	}
	if len(c.Data) > s.maxData {
		return apdu.Rapdu{}, fmt.Errorf("%s: %d data bytes exceed the %d the channel can wrap", s.name, len(c.Data), s.maxData)
	}
	w, err := s.codec.Wrap(c)
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
		return apdu.Rapdu{}, fmt.Errorf("%s: transmit (channel closed): %w", s.name, err)
	}
	rp, err := apdu.ParseRapdu(resp)
	if err != nil {
		s.Close()
		return apdu.Rapdu{}, Protocolf("%s: response of %d bytes (channel closed)", s.name, len(resp))
	}
	r, err := s.codec.Unwrap(c, apdu.Rapdu{Data: append([]byte(nil), rp.Data...), SW1: rp.SW1, SW2: rp.SW2})
	if err != nil {
		s.Close()
		return apdu.Rapdu{}, err
	}
	return r, nil
}

// WrapKey encrypts the key ref for a PUT KEY or STORE DATA sent in this
// session, under the DEK the protocol prescribes (SCP02: session DEK, GPCS
// 2.3.1 §E.4.7; SCP03: static Key-DEK, Amd D §6.2.8). The key stays inside
// the provider; only the cryptogram and KCV return.
func (s *Conn) WrapKey(ctx context.Context, ref keys.KeyRef) (keys.WrappedKey, error) {
	if s.closed {
		return keys.WrappedKey{}, ErrClosed
	}
	return s.kp.WrapKey(ctx, keys.WrapRequest{Session: s.in, New: ref})
}

// ErrNoLoadFileEncryption: the key provider cannot encrypt a Load File Data
// Block (it does not implement keys.LoadFileEncrypter).
var ErrNoLoadFileEncryption = errors.New("scp: the key provider cannot encrypt load files")

// EncryptLoadFile encrypts a Load File Data Block for a Security Domain with
// the Ciphered Load File Data Block privilege under the static Key-DEK of
// this session's key set (keys.LoadFileEncrypter); the key stays inside the
// provider.
func (s *Conn) EncryptLoadFile(ctx context.Context, lfdb []byte) ([]byte, error) {
	if s.closed {
		return nil, ErrClosed
	}
	e, ok := s.kp.(keys.LoadFileEncrypter)
	if !ok {
		return nil, ErrNoLoadFileEncryption
	}
	return e.EncryptLoadFile(ctx, s.in, lfdb)
}

// ErrNoDataEncryption: the key provider cannot encrypt sensitive data (it
// does not implement keys.DataEncrypter).
var ErrNoDataEncryption = errors.New("scp: the key provider cannot encrypt sensitive data")

// EncryptData encrypts sensitive data (e.g. the value of a secret DGI for
// STORE DATA with P1 b7–b6 = 11) under the DEK of this session
// (keys.DataEncrypter: SCP02 session DEK, GPCS 2.3.1 §E.4.7; SCP03 static
// Key-DEK, Amd D §6.2.1); the DEK stays inside the provider. data must be a
// non-empty multiple of the cipher block (keys.ErrDataLength).
func (s *Conn) EncryptData(ctx context.Context, data []byte) ([]byte, error) {
	if s.closed {
		return nil, ErrClosed
	}
	e, ok := s.kp.(keys.DataEncrypter)
	if !ok {
		return nil, ErrNoDataEncryption
	}
	return e.EncryptData(ctx, s.in, data)
}

// I returns the implementation option in force.
func (s *Conn) I() byte { return s.in.I }

// KVN returns the key version of the session keys: the one the card answered
// INITIALIZE UPDATE with (the requested one for implicit initiation).
func (s *Conn) KVN() byte { return s.in.KVN }

// MaxCommandData returns the largest plain data field Transmit accepts.
func (s *Conn) MaxCommandData() int { return s.maxData }

// Closed reports whether the session was closed.
func (s *Conn) Closed() bool { return s.closed }

// Close wipes the session keys and makes the session unusable. It is
// idempotent and does not close the transport.
func (s *Conn) Close() error {
	if !s.closed {
		s.codec.Zero()
	}
	s.closed = true
	return nil
}

// SMBit is the class bit announcing secure messaging: b3 (04) for classes
// 80–8F, b6 (20) for the further logical channel classes C0–CF (GPCS 2.3.1
// §11.1.4, Table 11-11; ISO/IEC 7816-4 §5.4.1).
func SMBit(cla byte) byte {
	if cla&0x40 != 0 {
		return 0x20
	}
	return 0x04
}

// Unauthenticated reports an error status (SW1 64–6F) without data: cards
// send those without an R-MAC, so they are returned unauthenticated and the
// channel stays open.
func Unauthenticated(r apdu.Rapdu) bool {
	return len(r.Data) == 0 && r.SW1 >= 0x64 && r.SW1 <= 0x6F
}
