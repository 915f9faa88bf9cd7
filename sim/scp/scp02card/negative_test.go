package scp02card

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/cardhost/cardhost/gpcard/sw"
	"github.com/cardhost/cardhost/sim/scp/internal/scptest"
)

func TestExternalAuthenticate_WrongCryptogramOrMAC_6982CountsFailure(t *testing.T) {
	tr := transcriptNamed(t, "install_mac_enc")
	for name, auth := range map[string][]byte{
		"host cryptogram bit flipped": scptest.Flip(tr.auth, 6),
		"C-MAC bit flipped":           scptest.Flip(tr.auth, len(tr.auth)-1),
	} {
		t.Run(name, func(t *testing.T) {
			s := New(Options{Rand: bytes.NewReader(tr.rand)})
			s.Begin(tr.init, tr.ks, tr.aid)
			r := s.ExternalAuthenticate(auth)
			if r.SW != sw.SecurityStatus || !r.AuthFailed || r.CounterChanged || s.Level() != 0 {
				t.Fatalf("= %+v level %02X, want 6982 failed, counter unchanged, no session", r, s.Level())
			}
			if r := s.ExternalAuthenticate(tr.auth); r.SW != sw.ConditionsNotSatisfied {
				t.Fatalf("retry = %04X, want 6985", r.SW)
			}
		})
	}
}

func TestExternalAuthenticate_WithoutInitializeUpdate_6985(t *testing.T) {
	tr := transcriptNamed(t, "get_status_mac_only")
	if r := New(Options{}).ExternalAuthenticate(tr.auth); r.SW != sw.ConditionsNotSatisfied || r.AuthFailed {
		t.Fatalf("= %+v, want 6985", r)
	}
}

func TestExternalAuthenticate_BadParameters(t *testing.T) {
	tr := transcriptNamed(t, "get_status_mac_only") // i=15: no R-MAC
	for _, tc := range []struct {
		name string
		edit func([]byte) []byte
		want uint16
	}{
		{"R-MAC level without i b6", func(a []byte) []byte { a[2] = 0x11; return a }, sw.IncorrectP1P2},
		{"C-DEC without C-MAC", func(a []byte) []byte { a[2] = 0x02; return a }, sw.IncorrectP1P2},
		{"P2 not 00", func(a []byte) []byte { a[3] = 0x01; return a }, sw.IncorrectP1P2},
		{"plain CLA", func(a []byte) []byte { a[0] = 0x80; return a }, sw.SecurityStatus},
		{"truncated", func(a []byte) []byte { return a[:len(a)-2] }, sw.WrongLength},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := New(Options{Rand: bytes.NewReader(tr.rand)})
			s.Begin(tr.init, tr.ks, tr.aid)
			if r := s.ExternalAuthenticate(tc.edit(append([]byte(nil), tr.auth...))); r.SW != tc.want || r.AuthFailed || s.Level() != 0 {
				t.Fatalf("= %+v, want %04X and no session", r, tc.want)
			}
		})
	}
}

func TestBegin_Rejections(t *testing.T) {
	tr := transcriptNamed(t, "get_status_mac_only")
	for _, tc := range []struct {
		name string
		cmd  []byte
		ks   func(KeySet) KeySet
		want uint16
	}{
		{"wrong KVN", scptest.Unhex(t, "8050020008D5AD539A60CA5E7200"), nil, sw.ReferencedDataNotFound},
		{"P2 not 00", scptest.Unhex(t, "8050010108D5AD539A60CA5E7200"), nil, sw.IncorrectP1P2},
		{"host challenge 9 bytes", scptest.Unhex(t, "8050010009D5AD539A60CA5E727200"), nil, sw.WrongLength},
		{"oversized", append(scptest.Unhex(t, "8050010008"), make([]byte, 300)...), nil, sw.WrongLength},
		{"implicit-only key set", tr.init, func(k KeySet) KeySet { k.I = 0x1A; return k }, sw.ConditionsNotSatisfied},
		{"counter exhausted", tr.init, func(k KeySet) KeySet { k.Counter = MaxCounter; return k }, sw.ConditionsNotSatisfied},
		{"short DEK", tr.init, func(k KeySet) KeySet { k.DEK = k.DEK[:8]; return k }, sw.NoPreciseDiagnosis},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ks := tr.ks
			if tc.ks != nil {
				ks = tc.ks(ks)
			}
			if r := New(Options{Rand: bytes.NewReader(tr.rand)}).Begin(tc.cmd, ks, tr.aid); r.SW != tc.want || len(r.Data) != 0 {
				t.Fatalf("= %+v, want %04X", r, tc.want)
			}
		})
	}
}

func TestUnwrap_TamperedCMAC_ClosesSession(t *testing.T) {
	tr := transcriptNamed(t, "install_mac_enc")
	for name, bad := range map[string][]byte{
		"C-MAC":          scptest.Flip(tr.steps[0].In, len(tr.steps[0].In)-2),
		"encrypted data": scptest.Flip(tr.steps[0].In, 7),
		"header":         scptest.Flip(tr.steps[0].In, 2),
	} {
		t.Run(name, func(t *testing.T) {
			s := openTranscript(t, tr)
			if _, st := s.Unwrap(bad); st != sw.SecurityStatus || s.Level() != 0 {
				t.Fatalf("= %04X level %02X, want 6982 and closed", st, s.Level())
			}
			if _, st := s.Unwrap(tr.steps[0].In); st != sw.SecurityStatus {
				t.Fatalf("genuine command after failed MAC = %04X, want 6982", st)
			}
		})
	}
}

func TestUnwrap_ReplayedCommand_FailsOnICVChain(t *testing.T) {
	tr := transcriptNamed(t, "install_mac_enc")
	s := openTranscript(t, tr)
	if _, st := s.Unwrap(tr.steps[0].In); st != sw.OK {
		t.Fatal(st)
	}
	if _, st := s.Unwrap(tr.steps[0].In); st != sw.SecurityStatus {
		t.Fatalf("replay = %04X, want 6982", st)
	}
}

func TestUnwrap_LengthAndLevelViolations(t *testing.T) {
	tr := transcriptNamed(t, "get_status_mac_only")
	good := tr.steps[0].In
	for _, tc := range []struct {
		name string
		cmd  []byte
		want uint16
	}{
		{"truncated", good[:len(good)-2], sw.WrongLength},
		{"oversized", append(append([]byte(nil), good...), make([]byte, 300)...), sw.WrongLength},
		{"data shorter than the MAC", scptest.Unhex(t, "84F2200204AABBCCDD"), sw.WrongLength},
		{"plain command in a C-MAC session", scptest.Unhex(t, "80F22002024F0000"), sw.SecurityStatus},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := openTranscript(t, tr)
			if out, st := s.Unwrap(tc.cmd); st != tc.want || out != nil || s.Level() != 0 {
				t.Fatalf("= %X %04X level %02X, want nil %04X closed", out, st, s.Level(), tc.want)
			}
		})
	}
}

func TestUnwrap_NoSessionAndReset(t *testing.T) {
	tr := transcriptNamed(t, "get_status_mac_only")
	s := New(Options{})
	if _, st := s.Unwrap(tr.steps[0].In); st != sw.SecurityStatus {
		t.Fatalf("secured without session = %04X, want 6982", st)
	}
	s = openTranscript(t, tr)
	s.Reset()
	if _, st := s.Unwrap(tr.steps[0].In); st != sw.SecurityStatus || s.Level() != 0 {
		t.Fatalf("after Reset = %04X, want 6982", st)
	}
	if _, st := s.DecryptKeyData(make([]byte, 16)); st != sw.ConditionsNotSatisfied {
		t.Fatalf("DecryptKeyData without session = %04X", st)
	}
}

func TestFormat_RedactsKeys(t *testing.T) {
	tr := transcriptNamed(t, "get_status_mac_only")
	s := openTranscript(t, tr)
	out := fmt.Sprintf("%v %+v %#v %s %x %X %v %x", tr.ks, tr.ks, tr.ks, tr.ks, tr.ks, tr.ks, s, s)
	for _, k := range [][]byte{tr.ks.ENC, s.sENC, s.sMAC, s.sRMAC, s.sDEK} {
		for _, h := range []string{fmt.Sprintf("%x", k), fmt.Sprintf("%X", k)} {
			if strings.Contains(out, h) {
				t.Fatalf("key %s printed in %q", h, out)
			}
		}
	}
}
