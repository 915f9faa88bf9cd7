package hostsim

import (
	"context"
	"testing"

	"github.com/cardhost/cardhost/gpcard"
	"github.com/cardhost/cardhost/sim"
	"github.com/skythen/apdu"
)

// benchSecured measures secured GET DATA (CPLC) round trips, host wrap → card
// unwrap, process, wrap → host unwrap, all in process: the cost of one
// authenticated APDU end to end.
func benchSecured(b *testing.B, v variant, level gpcard.Level) {
	ctx := context.Background()
	card := sim.New(v.profile(b))
	c, err := gpcard.Connect(ctx, card.Transport(), gpcard.Options{})
	if err != nil {
		b.Fatal(err)
	}
	if err := c.Authenticate(ctx, keysProvider(b, 0, factoryKeyHex), gpcard.AuthOptions{Level: level}); err != nil {
		b.Fatal(err)
	}
	cmd := apdu.Capdu{Cla: 0x80, Ins: 0xCA, P1: 0x9F, P2: 0x7F, Ne: 256}
	b.ReportAllocs()
	for b.Loop() {
		r, err := c.Transmit(ctx, cmd)
		if err != nil || r.SW1 != 0x90 {
			b.Fatalf("GET DATA: %v %02X%02X", err, r.SW1, r.SW2)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "APDUs/s")
}

func BenchmarkSecuredAPDU_SCP03_CMAC_CDEC(b *testing.B) {
	benchSecured(b, variant{name: "SCP03-i70-S8", profile: scp03(0x70)}, lvlMACDEC)
}

func BenchmarkSecuredAPDU_SCP03_All(b *testing.B) {
	benchSecured(b, variant{name: "SCP03-i70-S8", profile: scp03(0x70)}, lvlRMACENC)
}

func BenchmarkSecuredAPDU_SCP02_CMAC(b *testing.B) {
	benchSecured(b, variant{name: "SCP02-i15", profile: embedded("gp231-scp02-i15")}, lvlMAC)
}
