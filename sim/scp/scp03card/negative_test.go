package scp03card

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/cardhost/cardhost/gpcard/sw"
	"github.com/cardhost/cardhost/sim/scp/internal/scptest"
)

func TestExternalAuthenticate_WrongCryptogramOrMAC_6982CountsFailure(t *testing.T) {
	tr := transcriptNamed(t, "get_status_enc_mac")
	for _, tc := range []struct {
		name string
		auth []byte
	}{
		{"host cryptogram bit flipped", scptest.Flip(tr.auth, 5)},
		{"C-MAC bit flipped", scptest.Flip(tr.auth, len(tr.auth)-1)},
		{"level changed after MAC", func() []byte { a := scptest.Flip(tr.auth, 2); a[2] = 0x01; return a }()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := New(Options{})
			if r := s.Begin(tr.init, tr.ks, tr.aid); r.SW != sw.OK {
				t.Fatalf("Begin = %04X", r.SW)
			}
			r := s.ExternalAuthenticate(tc.auth)
			if r.SW != sw.SecurityStatus || !r.AuthFailed {
				t.Fatalf("ExternalAuthenticate = %04X failed=%v, want 6982 failed=true", r.SW, r.AuthFailed)
			}
			if s.Level() != 0 {
				t.Fatalf("Level = %02X after failure", s.Level())
			}
			// The initiation is gone: the genuine command is now out of sequence.
			if r := s.ExternalAuthenticate(tr.auth); r.SW != sw.ConditionsNotSatisfied || r.AuthFailed {
				t.Fatalf("retry = %04X failed=%v, want 6985", r.SW, r.AuthFailed)
			}
		})
	}
}

func TestExternalAuthenticate_WithoutInitializeUpdate_6985(t *testing.T) {
	tr := transcriptNamed(t, "mutual_auth")
	s := New(Options{})
	if r := s.ExternalAuthenticate(tr.auth); r.SW != sw.ConditionsNotSatisfied || r.AuthFailed {
		t.Fatalf("= %04X failed=%v, want 6985", r.SW, r.AuthFailed)
	}
	// A session that is already open does not accept a second one either.
	s = openTranscript(t, tr)
	if r := s.ExternalAuthenticate(tr.auth); r.SW != sw.ConditionsNotSatisfied {
		t.Fatalf("second EXTERNAL AUTHENTICATE = %04X, want 6985", r.SW)
	}
	if s.Level() != 0 {
		t.Fatal("session survived an out-of-sequence EXTERNAL AUTHENTICATE")
	}
}

func TestExternalAuthenticate_OtherCommandInBetween_AbortsInitiation(t *testing.T) {
	tr := transcriptNamed(t, "mutual_auth")
	s := New(Options{})
	s.Begin(tr.init, tr.ks, tr.aid)
	if _, st := s.Unwrap([]byte{0x80, 0xCA, 0x00, 0x66, 0x00}); st != sw.OK {
		t.Fatalf("plain GET DATA = %04X", st)
	}
	if r := s.ExternalAuthenticate(tr.auth); r.SW != sw.ConditionsNotSatisfied {
		t.Fatalf("= %04X, want 6985", r.SW)
	}
}

func TestExternalAuthenticate_BadParameters(t *testing.T) {
	tr := transcriptNamed(t, "get_status_aes_192") // i=10: no R-MAC, no R-ENC
	for _, tc := range []struct {
		name string
		edit func([]byte) []byte
		want uint16
	}{
		{"level 33 needs i b7", func(a []byte) []byte { a[2] = 0x33; return a }, sw.IncorrectP1P2},
		{"level 13 needs i b6", func(a []byte) []byte { a[2] = 0x13; return a }, sw.IncorrectP1P2},
		{"level 02 without C-MAC", func(a []byte) []byte { a[2] = 0x02; return a }, sw.IncorrectP1P2},
		{"P2 not 00", func(a []byte) []byte { a[3] = 0x01; return a }, sw.IncorrectP1P2},
		{"CLA without secure messaging", func(a []byte) []byte { a[0] = 0x80; return a }, sw.SecurityStatus},
		{"truncated", func(a []byte) []byte { return a[:len(a)-1] }, sw.WrongLength},
		{"short data", func(a []byte) []byte { a = a[:len(a)-1]; a[4]--; return a }, sw.WrongLength},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := New(Options{})
			s.Begin(tr.init, tr.ks, tr.aid)
			r := s.ExternalAuthenticate(tc.edit(append([]byte(nil), tr.auth...)))
			if r.SW != tc.want || r.AuthFailed {
				t.Fatalf("= %04X failed=%v, want %04X failed=false", r.SW, r.AuthFailed, tc.want)
			}
			if s.Level() != 0 {
				t.Fatal("session opened")
			}
		})
	}
}

func TestBegin_Rejections(t *testing.T) {
	tr := transcriptNamed(t, "delete_application")
	for _, tc := range []struct {
		name string
		cmd  []byte
		ks   func(KeySet) KeySet
		want uint16
	}{
		{"wrong KVN", scptest.Unhex(t, "8050310008B2BDE1A2DC66BD5600"), nil, sw.ReferencedDataNotFound},
		{"P2 not 00", scptest.Unhex(t, "8050300108B2BDE1A2DC66BD5600"), nil, sw.IncorrectP1P2},
		{"host challenge 7 bytes", scptest.Unhex(t, "8050300007B2BDE1A2DC66BD00"), nil, sw.WrongLength},
		{"Lc mismatch", scptest.Unhex(t, "8050300009B2BDE1A2DC66BD5600"), nil, sw.WrongLength},
		{"secure messaging CLA", scptest.Unhex(t, "8450300008B2BDE1A2DC66BD5600"), nil, sw.ClaNotSupported},
		{"counter exhausted", tr.init, func(k KeySet) KeySet { k.Counter = MaxCounter; return k }, sw.ConditionsNotSatisfied},
		{"MAC key length differs", tr.init, func(k KeySet) KeySet { k.MAC = k.MAC[:8]; return k }, sw.NoPreciseDiagnosis},
		{"R-ENC without R-MAC", tr.init, func(k KeySet) KeySet { k.I = 0x50; return k }, sw.NoPreciseDiagnosis},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ks := tr.ks
			if tc.ks != nil {
				ks = tc.ks(ks)
			}
			r := New(Options{}).Begin(tc.cmd, ks, tr.aid)
			if r.SW != tc.want || r.CounterChanged || len(r.Data) != 0 {
				t.Fatalf("= %04X changed=%v data=%X, want %04X", r.SW, r.CounterChanged, r.Data, tc.want)
			}
		})
	}
}

func TestUnwrap_TamperedCMAC_ClosesSession(t *testing.T) {
	tr := transcriptNamed(t, "get_status_enc_mac")
	s := openTranscript(t, tr)
	first, second := tr.steps[0].In, tr.steps[1].In
	if _, st := s.Unwrap(scptest.Flip(first, len(first)-2)); st != sw.SecurityStatus {
		t.Fatalf("tampered C-MAC = %04X, want 6982", st)
	}
	if s.Level() != 0 {
		t.Fatal("session still open")
	}
	for _, c := range [][]byte{first, second} {
		if _, st := s.Unwrap(c); st != sw.SecurityStatus {
			t.Fatalf("command after failed MAC = %04X, want 6982", st)
		}
	}
}

func TestUnwrap_TamperedEncryptedData_ClosesSession(t *testing.T) {
	tr := transcriptNamed(t, "get_status_enc_mac")
	s := openTranscript(t, tr)
	if _, st := s.Unwrap(scptest.Flip(tr.steps[0].In, 6)); st != sw.SecurityStatus || s.Level() != 0 {
		t.Fatalf("= %04X level %02X, want 6982 and closed", st, s.Level())
	}
}

func TestUnwrap_ReplayedCommand_FailsOnChaining(t *testing.T) {
	tr := transcriptNamed(t, "get_status_enc_mac")
	s := openTranscript(t, tr)
	if _, st := s.Unwrap(tr.steps[0].In); st != sw.OK {
		t.Fatalf("first = %04X", st)
	}
	if _, st := s.Unwrap(tr.steps[0].In); st != sw.SecurityStatus {
		t.Fatalf("replay = %04X, want 6982", st)
	}
	if _, st := s.Unwrap(tr.steps[1].In); st != sw.SecurityStatus {
		t.Fatalf("next after replay = %04X, want 6982 (session closed)", st)
	}
}

func TestUnwrap_SkippedCommand_Fails(t *testing.T) {
	tr := transcriptNamed(t, "get_status_enc_mac")
	s := openTranscript(t, tr)
	if _, st := s.Unwrap(tr.steps[1].In); st != sw.SecurityStatus {
		t.Fatalf("second command first = %04X, want 6982", st)
	}
}

func TestUnwrap_LengthAndLevelViolations(t *testing.T) {
	tr := transcriptNamed(t, "get_status_enc_mac")
	good := tr.steps[0].In
	for _, tc := range []struct {
		name string
		cmd  []byte
		want uint16
	}{
		{"truncated", good[:len(good)-3], sw.WrongLength},
		{"oversized", append(append([]byte(nil), good...), make([]byte, 300)...), sw.WrongLength},
		{"header only with SM", []byte{0x84, 0xF2, 0x20, 0x02}, sw.WrongLength},
		{"data shorter than the MAC", scptest.Unhex(t, "84F2200204AABBCCDD"), sw.WrongLength},
		{"extended length", scptest.Unhex(t, "84F2200200000101"), sw.WrongLength},
		{"plain command in a C-MAC session", scptest.Unhex(t, "80F22002024F0000"), sw.SecurityStatus},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := openTranscript(t, tr)
			if out, st := s.Unwrap(tc.cmd); st != tc.want || out != nil {
				t.Fatalf("= %X %04X, want nil %04X", out, st, tc.want)
			}
			if s.Level() != 0 {
				t.Fatal("session still open")
			}
		})
	}
}

func TestUnwrap_NoSession(t *testing.T) {
	s := New(Options{})
	if _, st := s.Unwrap(scptest.Unhex(t, "84F2200218705C4D16C7BAC5496AEE0ED9963222455472F3CFAC97BCCA00")); st != sw.SecurityStatus {
		t.Fatalf("secured command without session = %04X, want 6982", st)
	}
	plain := scptest.Unhex(t, "80CA006600")
	if out, st := s.Unwrap(plain); st != sw.OK || !bytes.Equal(out, plain) {
		t.Fatalf("plain = %X %04X", out, st)
	}
	if got := s.Wrap(scptest.Unhex(t, "019000")); !bytes.Equal(got, scptest.Unhex(t, "019000")) {
		t.Fatalf("Wrap without session = %X", got)
	}
}

func TestWrap_ErrorStatusCarriesNoRMAC(t *testing.T) {
	tr := transcriptNamed(t, "send_apdu_rmac_rencryption")
	s := openTranscript(t, tr)
	if _, st := s.Unwrap(tr.steps[0].In); st != sw.OK {
		t.Fatal(st)
	}
	// Amendment D §6.2.5: only the status word is returned with an error.
	if got := s.Wrap(scptest.Unhex(t, "01026A88")); !bytes.Equal(got, scptest.Unhex(t, "6A88")) {
		t.Fatalf("Wrap(6A88) = %X, want 6A88", got)
	}
	// A second Wrap without a new command has nothing to answer.
	if got := s.Wrap(scptest.Unhex(t, "9000")); !bytes.Equal(got, scptest.Unhex(t, "9000")) {
		t.Fatalf("unmatched Wrap = %X", got)
	}
}

func TestReset_EndsSession(t *testing.T) {
	tr := transcriptNamed(t, "get_status_enc_mac")
	s := openTranscript(t, tr)
	s.Reset()
	if s.Level() != 0 {
		t.Fatal("Level after Reset")
	}
	if _, st := s.Unwrap(tr.steps[0].In); st != sw.SecurityStatus {
		t.Fatalf("after Reset = %04X, want 6982", st)
	}
}

func TestFormat_RedactsKeys(t *testing.T) {
	tr := transcriptNamed(t, "get_status_enc_mac")
	s := openTranscript(t, tr)
	out := fmt.Sprintf("%v %+v %#v %s %x %X %v %x", tr.ks, tr.ks, tr.ks, tr.ks, tr.ks, tr.ks, s, s)
	for _, k := range [][]byte{tr.ks.ENC, tr.ks.MAC, s.sENC, s.sMAC, s.sRMAC} {
		for _, h := range []string{fmt.Sprintf("%x", k), fmt.Sprintf("%X", k)} {
			if strings.Contains(out, h) {
				t.Fatalf("key %s printed in %q", h, out)
			}
		}
	}
}
