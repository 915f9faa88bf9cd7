package simtest_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/cardhost/cardhost/reader"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// transmit sends capdu (hex) and returns the response.
func transmit(t testing.TB, tr reader.Transport, capdu string) []byte {
	t.Helper()
	r, err := tr.Transmit(context.Background(), unhex(t, capdu))
	if err != nil {
		t.Fatalf("%s: %v", capdu, err)
	}
	return r
}

// expect sends capdu and checks the whole response (hex, spaces ignored).
func expect(t testing.TB, tr reader.Transport, capdu, want string) {
	t.Helper()
	if got := transmit(t, tr, capdu); !bytes.Equal(got, unhex(t, want)) {
		t.Fatalf("%s\n got %X\nwant %s", capdu, got, want)
	}
}

// failingTB records what a helper under test does to its testing.TB when it
// fails: the message of Fatal/Fatalf, and stops that goroutine as they do.
type failingTB struct {
	testing.TB // the real test, for TempDir, Cleanup and Helper
	mu         sync.Mutex
	msg        string
}

func (f *failingTB) Fatal(args ...any) { f.Fatalf("%s", fmt.Sprint(args...)) }
func (f *failingTB) Fatalf(format string, args ...any) {
	f.mu.Lock()
	f.msg = fmt.Sprintf(format, args...)
	f.mu.Unlock()
	runtime.Goexit()
}

// fails runs fn with a failingTB in its own goroutine and returns the fatal
// message ("" when fn returned normally).
func fails(t *testing.T, fn func(tb testing.TB)) string {
	f := &failingTB{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(f)
	}()
	<-done
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.msg
}
