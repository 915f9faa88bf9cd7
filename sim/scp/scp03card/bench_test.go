package scp03card

import (
	"testing"

	"github.com/cardhost/cardhost/sim/scp/internal/scptest"
)

// BenchmarkUnwrapWrap_CMACCDEC measures the card side of one APDU at
// security level 03 (C-MAC + C-DECRYPTION, AES-128): Unwrap of a command with
// 32 data bytes and Wrap of its 32-byte response (passed through, no R-MAC).
func BenchmarkUnwrapWrap_CMACCDEC(b *testing.B) {
	tr := transcriptNamed(b, "get_status_enc_mac")
	s := openTranscript(b, tr)
	h := newTestHost(b, tr.ks, tr.resp, tr.init[5:13])
	h.externalAuthenticate(b, 0x03)
	plain := append([]byte{0x80, 0xE2, 0x90, 0x00, 0x20}, make([]byte, 32)...)
	cmds := make([][]byte, b.N)
	for i := range cmds {
		cmds[i] = h.wrap(b, plain)
	}
	scptest.BenchUnwrapWrap(b, s, cmds, append(make([]byte, 32), 0x90, 0x00))
}
