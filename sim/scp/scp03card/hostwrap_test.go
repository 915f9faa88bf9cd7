package scp03card

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/cardhost/cardhost/gpcard/gpcrypto"
)

// testHost is a minimal, independent, test-only SCP03 host: it builds
// EXTERNAL AUTHENTICATE and wrapped commands for the negative, S16/AES-256
// and fuzz cases that have no public transcript. It is first checked against
// the kaoh transcripts (TestTestHost_ReproducesTranscripts).
type testHost struct {
	sENC, sMAC, sRMAC []byte
	ctx, chain        []byte
	n                 int // MAC and cryptogram length
	level             byte
	counter           uint64
}

func newTestHost(t testing.TB, ks KeySet, initResp []byte, hostChal []byte) *testHost {
	t.Helper()
	n := 8
	if ks.I&0x01 != 0 {
		n = 16
	}
	h := &testHost{n: n, chain: make([]byte, 16)}
	h.ctx = append(append([]byte(nil), hostChal...), initResp[13:13+n]...)
	bits := len(ks.ENC) * 8
	var err error
	if h.sENC, err = gpcrypto.KDF(ks.ENC, 0x04, h.ctx, bits); err != nil {
		t.Fatal(err)
	}
	h.sMAC, _ = gpcrypto.KDF(ks.MAC, 0x06, h.ctx, bits)
	h.sRMAC, _ = gpcrypto.KDF(ks.MAC, 0x07, h.ctx, bits)
	return h
}

func (h *testHost) mac(t testing.TB, hdr []byte, data []byte) []byte {
	t.Helper()
	in := append(append(append([]byte(nil), h.chain...), hdr...), byte(len(data)+h.n))
	m, err := gpcrypto.CMAC(h.sMAC, append(in, data...))
	if err != nil {
		t.Fatal(err)
	}
	h.chain = m
	return m[:h.n]
}

func (h *testHost) externalAuthenticate(t testing.TB, level byte) []byte {
	t.Helper()
	h.level = level
	crypt, err := gpcrypto.KDF(h.sMAC, 0x01, h.ctx, h.n*8)
	if err != nil {
		t.Fatal(err)
	}
	hdr := []byte{0x84, 0x82, level, 0x00}
	mac := h.mac(t, hdr, crypt)
	return append(append(append(hdr, byte(2*h.n)), crypt...), mac...)
}

func (h *testHost) iv(t testing.TB, first byte) []byte {
	b := make([]byte, 16)
	b[0] = first
	binary.BigEndian.PutUint64(b[8:], h.counter)
	out, err := gpcrypto.AESECB(h.sENC, b)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// wrap protects plain (header, optional Lc ‖ data, no Le) at the host's level.
func (h *testHost) wrap(t testing.TB, plain []byte) []byte {
	t.Helper()
	h.counter++
	hdr := []byte{plain[0] | 0x04, plain[1], plain[2], plain[3]}
	var data []byte
	if len(plain) > 5 {
		data = plain[5:]
	}
	if h.level&0x02 != 0 && len(data) > 0 {
		var err error
		if data, err = gpcrypto.AESCBC(h.sENC, h.iv(t, 0x00), gpcrypto.Pad80(data, 16)); err != nil {
			t.Fatal(err)
		}
	}
	mac := h.mac(t, hdr, data)
	return append(append(append(hdr, byte(len(data)+h.n)), data...), mac...)
}

// unwrapResponse checks the R-MAC and removes R-ENC.
func (h *testHost) unwrapResponse(t testing.TB, r []byte) []byte {
	t.Helper()
	if len(r) < 2+h.n {
		t.Fatalf("response %X too short for an R-MAC", r)
	}
	body, mac, status := r[:len(r)-2-h.n], r[len(r)-2-h.n:len(r)-2], r[len(r)-2:]
	in := append(append(append([]byte(nil), h.chain...), body...), status...)
	want, _ := gpcrypto.CMAC(h.sRMAC, in)
	if !bytes.Equal(want[:h.n], mac) {
		t.Fatalf("R-MAC of %X is wrong", r)
	}
	if h.level&0x20 != 0 && len(body) > 0 {
		p, err := gpcrypto.AESCBCDecrypt(h.sENC, h.iv(t, 0x80), body)
		if err != nil {
			t.Fatal(err)
		}
		if body, err = gpcrypto.Unpad80(p, 16); err != nil {
			t.Fatal(err)
		}
	}
	return append(append([]byte(nil), body...), status...)
}

// TestTestHost_ReproducesTranscripts validates the test host on the
// transcripts, so that the tests built on it exercise the real protocol.
func TestTestHost_ReproducesTranscripts(t *testing.T) {
	for _, tr := range loadTranscripts(t) {
		h := newTestHost(t, tr.ks, tr.resp, tr.init[5:13])
		if got := h.externalAuthenticate(t, tr.auth[2]); !bytes.Equal(got, tr.auth) {
			t.Fatalf("%s: EXTERNAL AUTHENTICATE %X, want %X", tr.name, got, tr.auth)
		}
		for _, st := range tr.steps {
			if st.Wrap {
				if h.level&0x10 != 0 && !bytes.Equal(h.unwrapResponse(t, st.Out), st.In) {
					t.Fatalf("%s: response %X does not unwrap to %X", tr.name, st.Out, st.In)
				}
				continue
			}
			plain := st.Out
			if len(plain) > 5 && len(plain) == 6+int(plain[4]) {
				plain = plain[:len(plain)-1] // drop Le; the transcripts append it after the MAC
			}
			got := h.wrap(t, plain)
			if len(st.In) == len(got)+1 {
				got = append(got, st.In[len(st.In)-1])
			}
			if !bytes.Equal(got, st.In) {
				t.Fatalf("%s: wrapped %X\n got %X\nwant %X", tr.name, plain, got, st.In)
			}
		}
	}
}
