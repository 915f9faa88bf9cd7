package sim

import "testing"

func benchAPDU(b *testing.B, capdu string) {
	c := newTestCard(b)
	apdu := h(b, capdu)
	b.ReportAllocs()
	for b.Loop() {
		if r := c.Transmit(apdu); r[len(r)-2] != 0x90 {
			b.Fatalf("%X", r)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "APDUs/s")
}

// BenchmarkSelect measures plain SELECT of the ISD (FCI built each time).
func BenchmarkSelect(b *testing.B) { benchAPDU(b, "00A4040008A000000151000000") }

// BenchmarkGetDataCPLC measures plain GET DATA 9F7F.
func BenchmarkGetDataCPLC(b *testing.B) { benchAPDU(b, "80CA9F7F00") }

// BenchmarkProvision measures creating a card and opening one SCP02 session
// on it with PUT KEY, the unit of a fleet provisioning run.
func BenchmarkProvision(b *testing.B) {
	for b.Loop() {
		c := newTestCard(b)
		hs := newHost(b, c)
		hs.open(0)
		key := h(b, newKey)
		kcv := kcvDES(b, key)
		field := append(append([]byte{0x80, 0x10}, hs.encKey(key)...), append([]byte{3}, kcv...)...)
		data := append([]byte{0x01}, append(append(field, field...), field...)...)
		if r := hs.send(0x80, 0xD8, 0x00, 0x81, data, true); r[len(r)-2] != 0x90 {
			b.Fatalf("PUT KEY %X", r)
		}
	}
}
