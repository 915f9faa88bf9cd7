package scp02

import (
	"context"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/cardhost/cardhost/gpcard/gpcrypto"
	"github.com/cardhost/cardhost/gpcard/keys"
	"github.com/cardhost/cardhost/gpcard/secret"
	"github.com/skythen/apdu"
)

var _ interface {
	Transmit(context.Context, apdu.Capdu) (apdu.Rapdu, error)
} = (*Session)(nil)

// testSession builds the codec of a session on key K at sequence counter
// 0001 without a card, for fuzzing and benchmarks.
func testSession(tb testing.TB, i byte, level Level) *codec {
	k := secret.New([]byte("@ABCDEFGHIJKLMNO")) // 40..4F
	kp := keys.NewPlain(keys.KeySet{ENC: k, MAC: k, DEK: k})
	in := keys.SessionInput{SCP: 0x02, I: i, Sequence: []byte{0x00, 0x01}}
	sk, err := kp.SessionKeys(context.Background(), in)
	if err != nil {
		tb.Fatal(err)
	}
	c, err := newCodec(i, level, sk, make([]byte, 8))
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

func FuzzParseInitUpdate(f *testing.F) {
	// kaoh scp02Test.c get_status_mac_only and install_mac_enc responses.
	f.Add(unhex("000074746E6E6E6262620102069FAA2A0591E73367DD78794D04315E"))
	f.Add(unhex("000074746E6E6E626262010206A15086BBEE58F467149061DA4B6EAE"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := parseInitUpdate(b)
		if err != nil {
			return
		}
		if len(b) != initUpdateLen || r.scp != 0x02 || len(r.kdd) != 10 || len(r.seq) != 2 || len(r.cardChallenge) != 6 || len(r.cardCryptogram) != 8 {
			t.Fatalf("accepted %X as %+v", b, r)
		}
		b[0] ^= 0xFF // parsed fields must be copies
		if r.kdd[0] == b[0] {
			t.Fatal("KDD aliases the input")
		}
		b[0] ^= 0xFF
	})
}

func FuzzUnwrap(f *testing.F) {
	f.Add([]byte{0x4F, 0x00}, unhex("E30D4F07D0D1D2D3D4D5019F7001010102030405060708 9000"))
	f.Add([]byte{}, unhex("6A88"))
	f.Add([]byte{1}, unhex("9000"))
	f.Fuzz(func(t *testing.T, cmd, resp []byte) {
		s := testSession(t, 0x35, CMAC|RMAC)
		rp, err := apdu.ParseRapdu(resp)
		if err != nil {
			return
		}
		r, err := s.Unwrap(apdu.Capdu{Cla: 0x80, Ins: 0xF2, Data: cmd}, *rp)
		if err == nil && len(r.Data) != 0 {
			t.Fatalf("forged response %X accepted", resp)
		}
	})
}

func unhex(s string) []byte {
	b, _ := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	return b
}

var levels = []struct {
	name  string
	level Level
}{{"C-MAC", CMAC}, {"C-MAC+C-DEC", CMAC | CDEC}, {"C-MAC+R-MAC", CMAC | RMAC}, {"C-MAC+C-DEC+R-MAC", CMAC | CDEC | RMAC}}

// BenchmarkWrap wraps one 200-byte command (a LOAD block) per op.
func BenchmarkWrap(b *testing.B) {
	for _, l := range levels {
		b.Run(l.name, func(b *testing.B) {
			s := testSession(b, 0x35, l.level)
			c := apdu.Capdu{Cla: 0x80, Ins: 0xE8, Data: make([]byte, 200)}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.Wrap(c); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkUnwrap unwraps one response of 64 data bytes per op; with R-MAC
// the response carries a valid R-MAC and the chain is rewound each op.
func BenchmarkUnwrap(b *testing.B) {
	for _, l := range levels {
		b.Run(l.name, func(b *testing.B) {
			s := testSession(b, 0x35, l.level)
			c := apdu.Capdu{Cla: 0x80, Ins: 0xF2, P1: 0x40, P2: 0x02, Data: []byte{0x4F, 0x00}}
			data := make([]byte, 64)
			r := apdu.Rapdu{Data: data, SW1: 0x90}
			if l.level&RMAC != 0 {
				in := append(append([]byte{0x80, 0xF2, 0x40, 0x02, 0x02, 0x4F, 0x00, 64}, data...), 0x90, 0x00)
				mac, err := retailMAC(s.sk.RMAC, s.ricv, gpcrypto.Pad80(in, 8))
				if err != nil {
					b.Fatal(err)
				}
				r.Data = append(append([]byte(nil), data...), mac...)
			}
			start := append([]byte(nil), s.ricv...)
			b.ReportAllocs()
			for b.Loop() {
				s.ricv = start
				if _, err := s.Unwrap(c, r); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
