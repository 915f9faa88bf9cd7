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
		f.Add(true, h(f, s))
		f.Add(false, h(f, s))
	}
	f.Add(true, h(f, "0580E60C00FF0580E8800000"))
	f.Fuzz(func(t *testing.T, authenticate bool, script []byte) {
		c := newTestCard(t, WithRegistry(registry(t)))
		hs := newHost(t, c)
		if authenticate {
			hs.open(0)
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
