package scp03

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

func unhex(s string) []byte {
	b, _ := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	return b
}

// testSession builds the codec of a session on AES key K without a card, for
// fuzzing and benchmarks.
func testSession(tb testing.TB, level Level, s16 bool) *codec {
	k := secret.New(unhex("404142434445464748494A4B4C4D4E4F"))
	kp := keys.NewPlain(keys.KeySet{ENC: k, MAC: k, DEK: k})
	n := 8
	if s16 {
		n = 16
	}
	in := keys.SessionInput{SCP: 0x03, I: 0x60, HostChallenge: make([]byte, n), CardChallenge: make([]byte, n)}
	sk, err := kp.SessionKeys(context.Background(), in)
	if err != nil {
		tb.Fatal(err)
	}
	return &codec{i: 0x60, level: level, s16: s16, sk: sk, mcv: make([]byte, 16)}
}

func FuzzParseInitUpdate(f *testing.F) {
	// kaoh scp03Test.c responses (vectors.md §5).
	f.Add(unhex("00010203040506070809000370A5874C57119B976BF94879E36F29E039000001"))
	f.Add(unhex("00008301A8186727A822020310726B1E22EED4F4BBAB21001BFD4B6F02000012"))
	f.Add(unhex("0000000000000000000030030" + "0" + strings.Repeat("11", 16)))
	f.Add(unhex("00000000000000000000300301" + strings.Repeat("11", 32)))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := parseInitUpdate(b)
		if err != nil {
			return
		}
		n := len(r.cardChallenge)
		want := 13 + 2*n + len(r.seq)
		if r.scp != 0x03 || len(b) != want || len(r.cardCryptogram) != n || (n != 8 && n != 16) || (len(r.seq) != 0 && len(r.seq) != 3) {
			t.Fatalf("accepted %X as %+v", b, r)
		}
	})
}

func FuzzUnwrap(f *testing.F) {
	f.Add(unhex("20F075017DE9F58A1E3D7567CBE71140AC0EBFA376881449A0665992BB997C6A 0102030405060708 9000"), false)
	f.Add(unhex("6A88"), false)
	f.Add(unhex("9000"), true)
	f.Fuzz(func(t *testing.T, resp []byte, s16 bool) {
		s := testSession(t, CMAC|CDEC|RMAC|RENC, s16)
		if _, err := s.Wrap(apdu.Capdu{Cla: 0x80, Ins: 0xCA, Data: []byte{1}}); err != nil {
			t.Fatal(err)
		}
		rp, err := apdu.ParseRapdu(resp)
		if err != nil {
			return
		}
		r, err := s.Unwrap(apdu.Capdu{}, *rp)
		if err == nil && len(r.Data) != 0 {
			t.Fatalf("forged response %X accepted", resp)
		}
	})
}

var levels = []struct {
	name  string
	level Level
}{{"C-MAC", CMAC}, {"C-MAC+C-DEC", CMAC | CDEC}, {"C-MAC+R-MAC", CMAC | RMAC}, {"C-MAC+C-DEC+R-MAC", CMAC | CDEC | RMAC}, {"all (33)", CMAC | CDEC | RMAC | RENC}}

// BenchmarkWrap wraps one 200-byte command (a LOAD block) per op.
func BenchmarkWrap(b *testing.B) {
	for _, l := range levels {
		b.Run(l.name, func(b *testing.B) {
			s := testSession(b, l.level, false)
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

// BenchmarkUnwrap unwraps one response of 64 data bytes per op, with a valid
// R-MAC (and R-ENC) where the level asks for it.
func BenchmarkUnwrap(b *testing.B) {
	for _, l := range levels {
		b.Run(l.name, func(b *testing.B) {
			s := testSession(b, l.level, false)
			if _, err := s.Wrap(apdu.Capdu{Cla: 0x80, Ins: 0xF2, Data: []byte{0x4F, 0x00}}); err != nil {
				b.Fatal(err)
			}
			data := make([]byte, 64)
			if l.level&RENC != 0 {
				iv, _ := s.icv(0x80)
				k := s.sk.ENC.Bytes()
				data, _ = gpcrypto.AESCBC(k, iv, gpcrypto.Pad80(data, 16))
			}
			r := apdu.Rapdu{Data: data, SW1: 0x90}
			if l.level&RMAC != 0 {
				full, err := cmac(s.sk.RMAC, append(append(append([]byte(nil), s.mcv...), data...), 0x90, 0x00))
				if err != nil {
					b.Fatal(err)
				}
				r.Data = append(append([]byte(nil), data...), full[:8]...)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.Unwrap(apdu.Capdu{}, r); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
