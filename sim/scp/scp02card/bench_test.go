package scp02card

import (
	"testing"

	"github.com/cardhost/cardhost/sim/scp/internal/scptest"
)

// BenchmarkUnwrapWrap_CMAC measures the card side of one APDU at security
// level 01 (C-MAC, i=15 with ICV encryption): Unwrap of a command with 32 data
// bytes and Wrap of its 32-byte response (passed through, no R-MAC).
func BenchmarkUnwrapWrap_CMAC(b *testing.B) {
	tr := transcriptNamed(b, "get_status_mac_only")
	s := openTranscript(b, tr)
	h := newTestHost(b, tr.ks, tr.ks.Counter, tr.aid)
	h.externalAuthenticate(b, 0x01, tr.init[5:13], tr.rand)
	plain := append([]byte{0x80, 0xE2, 0x90, 0x00, 0x20}, make([]byte, 32)...)
	cmds := make([][]byte, b.N)
	for i := range cmds {
		cmds[i] = h.wrap(b, plain)
	}
	scptest.BenchUnwrapWrap(b, s, cmds, append(make([]byte, 32), 0x90, 0x00))
}
