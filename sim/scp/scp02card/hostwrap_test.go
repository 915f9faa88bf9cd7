package scp02card

import (
	"bytes"
	"testing"

	"github.com/cardhost/cardhost/gpcard/gpcrypto"
)

// testHost is a minimal, independent, test-only SCP02 host for the cases that
// have no public transcript (implicit initiation, i b2/b4/b7, R-MAC, negative
// and fuzz cases). TestTestHost_ReproducesTranscripts checks it first.
type testHost struct {
	sENC, sMAC, sRMAC []byte
	seq               []byte
	icv, rmacICV      []byte
	i, level          byte
}

func newTestHost(t testing.TB, ks KeySet, seq uint16, aid []byte) *testHost {
	t.Helper()
	enc, mac := ks.ENC, ks.MAC
	if ks.I&0x01 == 0 {
		mac = ks.ENC
	}
	h := &testHost{i: ks.I, seq: []byte{byte(seq >> 8), byte(seq)}, icv: make([]byte, 8), rmacICV: make([]byte, 8)}
	derive := func(key []byte, c0, c1 byte) []byte {
		out, err := gpcrypto.TripleDESCBC(key, nil, append([]byte{c0, c1, h.seq[0], h.seq[1]}, make([]byte, 12)...))
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	h.sENC, h.sMAC, h.sRMAC = derive(enc, 0x01, 0x82), derive(mac, 0x01, 0x01), derive(mac, 0x01, 0x02)
	if ks.I&0x08 != 0 {
		h.icv, _ = gpcrypto.RetailMAC(h.sMAC, nil, gpcrypto.Pad80(aid, 8))
	}
	return h
}

func (h *testHost) mac(t testing.TB, in []byte) []byte {
	t.Helper()
	m, err := gpcrypto.RetailMAC(h.sMAC, h.icv, gpcrypto.Pad80(in, 8))
	if err != nil {
		t.Fatal(err)
	}
	h.icv = m
	if h.i&0x10 != 0 {
		h.icv, _ = gpcrypto.DESECB(h.sMAC[:8], m)
	}
	return m
}

func (h *testHost) externalAuthenticate(t testing.TB, level byte, hostChal, cardChal []byte) []byte {
	t.Helper()
	h.level = level
	in := append(append(append([]byte(nil), h.seq...), cardChal...), hostChal...)
	crypt, err := gpcrypto.TripleDESCBCMAC(h.sENC, nil, gpcrypto.Pad80(in, 8))
	if err != nil {
		t.Fatal(err)
	}
	h.level = 0 // the host cryptogram itself is never encrypted
	out := h.wrap(t, append([]byte{0x80, 0x82, level, 0x00, 0x08}, crypt...))
	h.level = level
	return out
}

// wrap protects plain (header, optional Lc ‖ data, no Le) at the host's level.
func (h *testHost) wrap(t testing.TB, plain []byte) []byte {
	t.Helper()
	var data []byte
	if len(plain) > 5 {
		data = plain[5:]
	}
	var in []byte
	if h.i&0x02 == 0 {
		in = append([]byte{plain[0] | 0x04, plain[1], plain[2], plain[3], byte(len(data) + 8)}, data...)
	} else {
		in = append([]byte(nil), plain...)
	}
	mac := h.mac(t, in)
	if h.level&0x02 != 0 && len(data) > 0 {
		var err error
		if data, err = gpcrypto.TripleDESCBC(h.sENC, nil, gpcrypto.Pad80(data, 8)); err != nil {
			t.Fatal(err)
		}
	}
	out := append([]byte{plain[0] | 0x04, plain[1], plain[2], plain[3], byte(len(data) + 8)}, data...)
	return append(out, mac...)
}

// checkRMAC verifies the R-MAC of resp to plain and returns resp without it.
func (h *testHost) checkRMAC(t testing.TB, plain, resp []byte) []byte {
	t.Helper()
	if len(resp) < 10 {
		t.Fatalf("response %X has no R-MAC", resp)
	}
	data, mac, status := resp[:len(resp)-10], resp[len(resp)-10:len(resp)-2], resp[len(resp)-2:]
	in := append([]byte(nil), plain[:4]...)
	if len(plain) > 5 {
		in = append(append(in, plain[4:]...), byte(len(data)))
	} else {
		in = append(in, 0x00, byte(len(data)))
	}
	in = append(append(in, data...), status...)
	want, _ := gpcrypto.RetailMAC(h.sRMAC, h.rmacICV, gpcrypto.Pad80(in, 8))
	if !bytes.Equal(want, mac) {
		t.Fatalf("R-MAC of %X is wrong", resp)
	}
	h.rmacICV = want
	return append(append([]byte(nil), data...), status...)
}

func TestTestHost_ReproducesTranscripts(t *testing.T) {
	for _, tr := range loadTranscripts(t) {
		h := newTestHost(t, tr.ks, tr.ks.Counter, tr.aid)
		if got := h.externalAuthenticate(t, tr.auth[2], tr.init[5:13], tr.rand); !bytes.Equal(got, tr.auth) {
			t.Fatalf("%s: EXTERNAL AUTHENTICATE %X, want %X", tr.name, got, tr.auth)
		}
		for _, st := range tr.steps {
			if st.Wrap || st.MACOnly {
				continue
			}
			plain := st.Out[:len(st.Out)-1] // without Le; the transcripts append it after the MAC
			if got := append(h.wrap(t, plain), 0x00); !bytes.Equal(got, st.In) {
				t.Fatalf("%s: wrapped %X\n got %X\nwant %X", tr.name, plain, got, st.In)
			}
		}
	}
}
