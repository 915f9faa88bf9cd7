package test

import (
	"context"
	"encoding/hex"
	"testing"

	"github.com/cardhost/cardhost/reader"
	"github.com/cardhost/cardhost/sim/simtest"
)

// simBenchAPDUs are the plain commands measured against a simulated card.
var simBenchAPDUs = []struct{ name, capdu string }{
	{"Select", "00A4040008A000000151000000"}, // FCI built each time
	{"GetDataCPLC", "80CA9F7F00"},
}

// benchSimAPDU sends capdu through tr b.N times, checks for 9000 and reports
// µs/APDU and APDUs/s.
func benchSimAPDU(b *testing.B, tr reader.Transport, capdu string) {
	cmd, err := hex.DecodeString(capdu)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		r, err := tr.Transmit(ctx, cmd)
		if err != nil || len(r) < 2 || r[len(r)-2] != 0x90 || r[len(r)-1] != 0x00 {
			b.Fatalf("%s = %X, %v", capdu, r, err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N), "µs/APDU")
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "APDUs/s")
}

// BenchmarkSimAPDU_PCSCD measures plain APDUs to a simulated card through
// libpcsclite, the private pcscd, the vpcd driver and TCP (sim/vpcd).
func BenchmarkSimAPDU_PCSCD(b *testing.B) {
	card, _ := simtest.NewCard(b)
	names := simtest.ServeVPCD(b, daemon, card)
	pc, err := reader.NewContext()
	if err != nil {
		b.Fatal(err)
	}
	defer pc.Close()
	p, err := pc.Connect(context.Background(), names[0], reader.ConnectOptions{})
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	for _, a := range simBenchAPDUs {
		b.Run(a.name, func(b *testing.B) { benchSimAPDU(b, p, a.capdu) })
	}
}

// BenchmarkSimAPDU_InProcess measures the same APDUs on the card's
// in-process transport (sim.Transport), the baseline without PC/SC.
func BenchmarkSimAPDU_InProcess(b *testing.B) {
	_, tr := simtest.NewCard(b)
	for _, a := range simBenchAPDUs {
		b.Run(a.name, func(b *testing.B) { benchSimAPDU(b, tr, a.capdu) })
	}
}
