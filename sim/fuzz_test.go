package sim

import (
	"bytes"
	"testing"

	"github.com/cardhost/cardhost/sim/image"
)

// FuzzCard feeds a random sequence of APDUs (and power events) to a card,
// some of them after a real secure channel was opened, and checks that
// nothing panics, every response ends in a status word, and the committed
// image still encodes and decodes.
func FuzzCard(f *testing.F) {
	seeds := []string{
		"00A4040000", "80CA9F7F00", "80F28002024F0000", "0070000001", "80E6020000",
		"80E8800000", "80D80081", "80E2880000", "80F0800700", "80E40000024F00",
	}
	for _, s := range seeds {
		for lc := byte(0); lc < byte(len(fuzzLifeCycles)); lc++ {
			f.Add(lc, true, h(f, s))
			f.Add(lc, false, h(f, s))
		}
	}
	f.Add(byte(0), true, h(f, "0580E60C00FF0580E8800000"))
	f.Fuzz(func(t *testing.T, lc byte, authenticate bool, script []byte) {
		c := newTestCard(t, WithRegistry(registry(t)))
		hs := newHost(t, c)
		toLifeCycle(t, c, hs, fuzzLifeCycles[int(lc)%len(fuzzLifeCycles)])
		if authenticate {
			c.Reset()
			hs = newHost(t, c)
			if r := c.Transmit(h(t, "00A4040000")); len(r) < 2 {
				t.Fatalf("SELECT after reset: %X", r)
			}
			if lcTerminated != fuzzLifeCycles[int(lc)%len(fuzzLifeCycles)] {
				hs.open(0)
			}
		}
		// script: repeated [len][APDU bytes]; len FF = reset, FE = wrap the
		// next APDU with the session's C-MAC.
		wrapNext := false
		for len(script) > 0 {
			n := int(script[0])
			script = script[1:]
			switch n {
			case 0xFF:
				c.Reset()
				continue
			case 0xFE:
				wrapNext = true
				continue
			}
			n = min(n, len(script))
			apdu := script[:n]
			script = script[n:]
			var r []byte
			if wrapNext && len(apdu) >= 4 && hs.sMAC != nil {
				r = hs.send(apdu[0]&^0x0C, apdu[1], apdu[2], apdu[3], apdu[4:min(len(apdu), 200)], true)
			} else {
				r = c.Transmit(apdu)
			}
			wrapNext = false
			if len(r) < 2 {
				t.Fatalf("APDU %X: response %X has no status word", apdu, r)
			}
		}
		b, err := image.Encode(c.Snapshot())
		if err != nil {
			t.Fatal(err)
		}
		s, err := image.Decode("fuzz", b)
		if err != nil {
			t.Fatalf("committed image does not load: %v", err)
		}
		b2, _ := image.Encode(s)
		if !bytes.Equal(b, b2) {
			t.Fatal("image does not round-trip")
		}
	})
}

// Card life-cycle codings (GPCS 2.3.1 Table 11-5) the fuzzer starts from.
const (
	lcOPReady     = 0x01
	lcInitialized = 0x07
	lcSecured     = 0x0F
	lcCardLocked  = 0x7F
	lcTerminated  = 0xFF
)

var fuzzLifeCycles = []byte{lcOPReady, lcInitialized, lcSecured, lcCardLocked, lcTerminated}

// toLifeCycle drives a fresh card along OP_READY → INITIALIZED → SECURED →
// CARD_LOCKED → TERMINATED with SET STATUS under a C-MAC session until it is
// in state want, then resets it so no session survives.
func toLifeCycle(t *testing.T, c *Card, hs *host, want byte) {
	t.Helper()
	if want == lcOPReady {
		return
	}
	hs.open(0)
	for _, next := range fuzzLifeCycles[1:] {
		if r := hs.send(0x80, 0xF0, 0x80, next, nil, false); !bytes.HasSuffix(r, []byte{0x90, 0x00}) {
			t.Fatalf("SET STATUS %02X → %X", next, r)
		}
		if next == want {
			break
		}
	}
	if got := c.Snapshot().LifeCycle; got != want {
		t.Fatalf("card life cycle %02X, want %02X", got, want)
	}
	c.Reset()
}
