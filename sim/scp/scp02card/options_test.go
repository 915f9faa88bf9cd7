package scp02card

import (
	"bytes"
	"testing"

	"github.com/cardhost/cardhost/gpcard/gpcrypto"
	"github.com/cardhost/cardhost/gpcard/sw"
	"github.com/cardhost/cardhost/sim/scp/internal/scptest"
)

var (
	testAID = []byte{0xA0, 0x00, 0x00, 0x01, 0x51, 0x00, 0x00, 0x00}
	cmds    = [][]byte{
		{0x80, 0xF2, 0x40, 0x02}, // no data
		{0x80, 0xE4, 0x00, 0x80, 0x09, 0x4F, 0x07, 0xD0, 0xD1, 0xD2, 0xD3, 0xD4, 0xD5, 0x01},
		append([]byte{0x80, 0xE8, 0x00, 0x00, 0x10}, bytes.Repeat([]byte{0x11}, 16)...),
	}
)

func testKeySet(i byte) KeySet {
	return KeySet{KVN: 0x20, I: i, ENC: bytes.Repeat([]byte{0x4E}, 16), MAC: bytes.Repeat([]byte{0x4D}, 16),
		DEK: bytes.Repeat([]byte{0x4B}, 16), Counter: 0x0102}
}

// No public transcript covers these i values; the card runs against the test
// host validated on the kaoh transcripts.
func TestExplicit_EveryIAndLevel(t *testing.T) {
	for _, i := range []byte{0x04, 0x05, 0x14, 0x15, 0x44, 0x45, 0x54, 0x55, 0x0C, 0x35, 0x75, 0x07} {
		for _, level := range []byte{0x00, 0x01, 0x03, 0x10, 0x11, 0x13} {
			if level&0x10 != 0 && i&0x20 == 0 {
				continue // refused, see TestExternalAuthenticate_BadParameters
			}
			ks := testKeySet(i)
			hostChal := bytes.Repeat([]byte{0xA5}, 8)
			s := New(Options{Rand: bytes.NewReader([]byte{1, 2, 3, 4, 5, 6})})
			r := s.Begin(append(append([]byte{0x80, 0x50, 0x20, 0x00, 0x08}, hostChal...), 0x00), ks, testAID)
			if r.SW != sw.OK || len(r.Data) != 28 || r.Data[11] != 0x02 {
				t.Fatalf("i=%02X: Begin = %04X %X", i, r.SW, r.Data)
			}
			h := newTestHost(t, ks, ks.Counter, testAID)
			if i&0x40 != 0 {
				// Table E-1 b7: challenge = first 6 bytes of MAC(S-MAC, ICV 0, AID).
				want, _ := gpcrypto.RetailMAC(h.sMAC, nil, gpcrypto.Pad80(testAID, 8))
				if !bytes.Equal(r.Data[14:20], want[:6]) {
					t.Fatalf("i=%02X: pseudo-random challenge %X, want %X", i, r.Data[14:20], want[:6])
				}
			}
			if a := s.ExternalAuthenticate(h.externalAuthenticate(t, level, hostChal, r.Data[14:20])); a.SW != sw.OK || a.Counter != 0x0103 {
				t.Fatalf("i=%02X level %02X: EXTERNAL AUTHENTICATE = %+v", i, level, a)
			}
			for _, plain := range cmds {
				wrapped := plain
				if level&0x01 != 0 {
					wrapped = h.wrap(t, plain)
				}
				got, st := s.Unwrap(wrapped)
				if st != sw.OK || !bytes.Equal(got, plain) {
					t.Fatalf("i=%02X level %02X: Unwrap(%X) = %X %04X, want %X", i, level, wrapped, got, st, plain)
				}
				resp := []byte{0x01, 0x02, 0x90, 0x00}
				out := s.Wrap(resp)
				if level&0x10 == 0 {
					if !bytes.Equal(out, resp) {
						t.Fatalf("Wrap without R-MAC = %X", out)
					}
					continue
				}
				if back := h.checkRMAC(t, plain, out); !bytes.Equal(back, resp) {
					t.Fatalf("R-MAC response %X, want %X inside", out, resp)
				}
			}
		}
	}
}

func TestImplicit_OpensWithFirstCommand(t *testing.T) {
	for _, i := range []byte{0x0A, 0x0B, 0x1A, 0x1B} {
		ks := testKeySet(i)
		h := newTestHost(t, ks, ks.Counter, testAID)
		h.level = 0x01
		s := New(Options{})
		first := h.wrap(t, cmds[1])
		plain, r := s.BeginImplicit(first, ks, testAID)
		if r.SW != sw.OK || !bytes.Equal(plain, cmds[1]) || !r.CounterChanged || r.Counter != 0x0103 {
			t.Fatalf("i=%02X: BeginImplicit = %X %+v", i, plain, r)
		}
		if s.Level() != Authenticated|CMAC {
			t.Fatalf("i=%02X: level %02X", i, s.Level())
		}
		for _, c := range cmds {
			if got, st := s.Unwrap(h.wrap(t, c)); st != sw.OK || !bytes.Equal(got, c) {
				t.Fatalf("i=%02X: Unwrap = %X %04X, want %X", i, got, st, c)
			}
		}
		// Key material of an implicitly opened session is 3DES-CBC (ICV 0)
		// under the session DEK (gp-card.md §1.8), not ECB: with two equal
		// plaintext blocks only CBC gives two different cipher blocks.
		dek := ks.DEK
		if i&0x01 == 0 {
			dek = ks.ENC
		}
		sDEK, _ := gpcrypto.TripleDESCBC(dek, nil, append([]byte{0x01, 0x81, h.seq[0], h.seq[1]}, make([]byte, 12)...))
		key := bytes.Repeat([]byte{0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47}, 2)
		ct, _ := gpcrypto.TripleDESCBC(sDEK, nil, key)
		if got, st := s.DecryptKeyData(ct); st != sw.OK || !bytes.Equal(got, key) {
			t.Fatalf("i=%02X: DecryptKeyData(CBC) = %X %04X, want %X", i, got, st, key)
		}
		// A wrong first MAC is a failed authentication.
		h2 := newTestHost(t, ks, ks.Counter, testAID)
		bad := scptest.Flip(h2.wrap(t, cmds[1]), 6)
		if _, r := New(Options{}).BeginImplicit(bad, ks, testAID); r.SW != sw.SecurityStatus || !r.AuthFailed || r.CounterChanged {
			t.Fatalf("i=%02X: tampered first command = %+v", i, r)
		}
	}
	if _, r := New(Options{}).BeginImplicit(cmds[0], testKeySet(0x15), testAID); r.SW != sw.SecurityStatus {
		t.Fatalf("explicit-only key set = %04X, want 6982", r.SW)
	}
}
