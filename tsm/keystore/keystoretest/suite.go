package keystoretest

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cardhost/cardhost/gpcard/gpcrypto"
	"github.com/cardhost/cardhost/gpcard/keys"
	"github.com/cardhost/cardhost/gpcard/secret"
	"github.com/cardhost/cardhost/tsm/keystore"
)

// Opener opens a fresh, empty store with options o and returns it with a
// function that opens the same storage again (with the same o). The suite
// closes every store it gets.
type Opener func(t *testing.T, o keystore.Options) (s keystore.Store, reopen func(t *testing.T) keystore.Store)

// Run runs the suite. Stores must accept 3DES static entries with UsePutKey
// (for PKCS#11: InsecureAllowDESExport), which the SCP02 PUT KEY vector
// needs.
func Run(t *testing.T, open Opener) {
	for _, tc := range []struct {
		name string
		f    func(e *env)
	}{
		{"ImportAndList", testImportAndList},
		{"ImportComponents", testImportComponents},
		{"ImportRejects", testImportRejects},
		{"SCP02SessionKeys", testSCP02SessionKeys},
		{"SCP03SessionKeysAndChallenge", testSCP03SessionKeys},
		{"KCVs", testKCVs},
		{"Diversification", testDiversification},
		{"PutKeySCP02", testPutKeySCP02},
		{"PutKeySCP03", testPutKeySCP03},
		{"Usage", testUsage},
		{"Generate", testGenerate},
		{"Transcripts", testTranscripts},
		{"UnknownAndDeleted", testUnknownAndDeleted},
		{"Concurrent", testConcurrent},
		{"Close", testClose},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.f(newEnv(t, open)) })
	}
}

// created is the fixed creation time the suite's stores stamp.
var created = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// env is one subtest's store with its captured log.
type env struct {
	t      *testing.T
	ctx    context.Context
	s      keystore.Store
	reopen func(t *testing.T) keystore.Store
	log    *syncBuffer
}

func newEnv(t *testing.T, open Opener) *env {
	buf := &syncBuffer{}
	o := keystore.Options{Logger: slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug})), Now: func() time.Time { return created }}
	s, reopen := open(t, o)
	e := &env{t: t, ctx: context.Background(), s: s, reopen: reopen, log: buf}
	t.Cleanup(func() {
		e.noLeak("store String", fmt.Sprintf("%v %+v %#v", s, s, s))
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
		e.noLeak("log", buf.String())
	})
	return e
}

// syncBuffer is a bytes.Buffer safe for the concurrent writes of a logger.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p.
func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

// String returns everything written so far.
func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// noLeak fails if text contains any test key in hex, either case.
func (e *env) noLeak(what, text string) {
	e.t.Helper()
	for _, k := range secretHex {
		if strings.Contains(text, k) || strings.Contains(text, strings.ToLower(k)) {
			e.t.Errorf("%s shows key %s…: %s", what, k[:8], text)
		}
	}
}

// wantErr fails unless err matches target, and scans its text for keys.
func (e *env) wantErr(what string, err, target error) {
	e.t.Helper()
	if err == nil || !errors.Is(err, target) {
		e.t.Fatalf("%s: err = %v, want %v", what, err, target)
	}
	e.noLeak(what+" error", err.Error())
}

// must fails the test on err (after scanning it for keys).
func (e *env) must(what string, err error) {
	e.t.Helper()
	if err != nil {
		e.noLeak(what+" error", err.Error())
		e.t.Fatalf("%s: %v", what, err)
	}
}

func hexb(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatalf("bad hex %q", s)
	}
	return b
}

func typeOf(t testing.TB, s string) keys.Type {
	t.Helper()
	ty, err := keystore.ParseType(s)
	if err != nil {
		t.Fatal(err)
	}
	return ty
}

// material is one key entered as a single component; kcv "" means the
// KCV computed by gpcrypto (ceremony input, not a vector under test).
func material(t testing.TB, ty keys.Type, keyHex, kcv string) keystore.KeyMaterial {
	t.Helper()
	k := hexb(t, keyHex)
	var want []byte
	if kcv != "" {
		want = hexb(t, kcv)
	} else {
		want = gpKCV(t, ty, k)
	}
	return keystore.KeyMaterial{Components: []keystore.Component{{Key: secret.New(k), KCV: want}}, KCV: want}
}

// gpKCV computes a KCV with gpcard/gpcrypto for ceremony input and checks.
func gpKCV(t testing.TB, ty keys.Type, k []byte) []byte {
	t.Helper()
	var kcv []byte
	var err error
	if ty.IsAES() {
		kcv, err = gpcrypto.KCVAES(k)
	} else {
		kcv, err = gpcrypto.KCVDES(k)
	}
	if err != nil {
		t.Fatal(err)
	}
	return kcv
}

// importStatic imports a static set; kcv is the published KCV of all three
// keys or "" for ceremony KCVs computed by gpcrypto.
func (e *env) importStatic(label string, ty keys.Type, kvn byte, u keystore.Usage, enc, mac, dek, kcv string) keystore.Metadata {
	e.t.Helper()
	m, err := e.s.Import(e.ctx, keystore.ImportRequest{Label: label, Kind: keystore.Static, Type: ty, KVN: kvn, Usage: u,
		Keys: []keystore.KeyMaterial{material(e.t, ty, enc, kcv), material(e.t, ty, mac, kcv), material(e.t, ty, dek, kcv)}})
	e.must("Import "+label, err)
	return m
}

func (e *env) importMaster(label string, ty keys.Type, method keys.Method, kvn byte, u keystore.Usage, key string) keystore.Metadata {
	e.t.Helper()
	m, err := e.s.Import(e.ctx, keystore.ImportRequest{Label: label, Kind: keystore.Master, Type: ty, Method: method, KVN: kvn, Usage: u,
		Keys: []keystore.KeyMaterial{material(e.t, ty, key, "")}})
	e.must("Import "+label, err)
	return m
}

func (e *env) provider(labels ...string) keystore.Provider {
	e.t.Helper()
	p, err := e.s.Provider(e.ctx, labels...)
	e.must("Provider", err)
	e.noLeak("provider String", fmt.Sprintf("%v %+v %#v", p, p, p))
	return p
}

// importKs imports the entries most tests use: K as 3DES (KVN 01), the kaoh
// AES keys (KVN 30), K as AES-128 (KVN 31), the kaoh AES-192 key (KVN 32).
func (e *env) importKs() {
	e.t.Helper()
	all := keystore.UseChannel | keystore.UsePutKey
	e.importStatic("des-k", keys.DES3, 0x01, all, keyK, keyK, keyK, "8BAF47")
	e.importStatic("kaoh-aes", keys.AES128, 0x30, keystore.UseChannel, kaohENC, kaohMAC, kaohDEK, "")
	e.importStatic("aes-k", keys.AES128, 0x31, all, keyK, keyK, keyK, "504A77")
	e.importStatic("kaoh-aes192", keys.AES192, 0x32, keystore.UseChannel, kaoh192, kaoh192, kaoh192, "")
}

func sameMeta(a, b keystore.Metadata) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return bytes.Equal(ja, jb)
}
