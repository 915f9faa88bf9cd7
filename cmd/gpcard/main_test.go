package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cardhost/cardhost/applet/cap"
	"github.com/cardhost/cardhost/applet/payment"
	"github.com/cardhost/cardhost/test/pcscdtest"
)

// daemon is the private pcscd with vpcd readers that the PC/SC tests use.
// It starts before any PC/SC call: libpcsclite reads PCSCLITE_CSOCK_NAME
// once per process.
var daemon *pcscdtest.Daemon

func TestMain(m *testing.M) { os.Exit(pcscdtest.Main(m, pcscdtest.Options{Readers: 2}, &daemon)) }

// Test keys: distinctive so that a leak into any output is found.
const (
	keyV1   = "A1B2C3D4E5F60718293A4B5C6D7E8F90" // ISD key set 01
	keyV2   = "0F1E2D3C4B5A69788796A5B4C3D2E1F0" // ISD key set 02
	keyV3   = "C0FFEE00DECAFBAD5EED1234ABCD9876" // never accepted (replace with a wrong DEK)
	keyBad  = "DEADBEEFDEADBEEFDEADBEEFDEADBEEF" // a wrong DEK
	keySSD  = "5A5B5C5D5E5F60616263646566676869" // SSD key set 01
	keyFact = "404142434445464748494A4B4C4D4E4F" // factory key set FF
)

var testKeys = []string{keyV1, keyV2, keyV3, keyBad, keySSD, keyFact}

// Well-known AIDs of the test CAP files and the simulator.
const (
	isdAID    = "A000000151000000"
	helloPkg  = "A000000617000100"
	helloApp  = "A00000061700010001"
	ssdAID    = "A00000015153534401"
	bigPkg    = "A000000617000200"
	pursePkg  = "A0000006170001"
	purseApp  = "A000000617000101"
	fixedTime = "2026-06-01T00:00:00Z"
)

// cli runs gpcard in process in a working directory holding the test CAP
// files, with a private environment and a fixed clock.
type cli struct {
	t   *testing.T
	env map[string]string
	// mu guards out and errb while "sim serve" writes from a goroutine.
	mu        sync.Mutex
	out, errb bytes.Buffer
}

// result is one gpcard run.
type result struct {
	code        int
	out, stderr string
}

// newCLI makes a fresh working directory with hello.cap (one applet),
// big.cap (a load file of several LOAD blocks) and purse.cap (the e-purse).
func newCLI(t *testing.T) *cli {
	t.Helper()
	dir := t.TempDir()
	big := helloSpec()
	big.Packages[0].AID = unhex(bigPkg)
	big.Applets[0].AID = unhex(bigPkg + "01")
	big.MethodSize = 3000
	for name, s := range map[string]cap.Spec{"hello.cap": helloSpec(), "big.cap": big} {
		b, err := cap.Write(s)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	pb, err := payment.CAP()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "purse.cap"), pb, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	return &cli{t: t, env: map[string]string{}}
}

func (c *cli) app(ctx context.Context) *app {
	now, _ := time.Parse(time.RFC3339, fixedTime)
	return &app{stdout: &lockedWriter{&c.mu, &c.out}, stderr: &lockedWriter{&c.mu, &c.errb},
		getenv: func(k string) string { return c.env[k] }, now: func() time.Time { return now }}
}

// run executes gpcard with args and returns what it printed.
func (c *cli) run(args ...string) result {
	c.t.Helper()
	c.mu.Lock()
	c.out.Reset()
	c.errb.Reset()
	c.mu.Unlock()
	code := c.app(context.Background()).run(context.Background(), args)
	c.mu.Lock()
	defer c.mu.Unlock()
	return result{code: code, out: c.out.String(), stderr: c.errb.String()}
}

// ok runs gpcard and fails the test unless it exits 0.
func (c *cli) ok(args ...string) result {
	c.t.Helper()
	r := c.run(args...)
	if r.code != exitOK {
		c.t.Fatalf("gpcard %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), r.code, r.out, r.stderr)
	}
	return r
}

// fails runs gpcard and fails the test unless it exits with code and
// stderr contains every one of want.
func (c *cli) fails(code int, want []string, args ...string) result {
	c.t.Helper()
	r := c.run(args...)
	if r.code != code {
		c.t.Fatalf("gpcard %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), r.code, code, r.out, r.stderr)
	}
	for _, w := range want {
		if !strings.Contains(r.stderr, w) {
			c.t.Errorf("gpcard %s: stderr lacks %q:\n%s", strings.Join(args, " "), w, r.stderr)
		}
	}
	return r
}

// contains fails the test unless s contains every one of want.
func contains(t *testing.T, what, s string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(s, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, s)
		}
	}
}

// lockedWriter serialises writes to a buffer shared with the test.
type lockedWriter struct {
	mu *sync.Mutex
	b  *bytes.Buffer
}

func (w *lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}
