package serve_test

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/cardhost/cardhost/reader"
	"github.com/cardhost/cardhost/sim"
	"github.com/cardhost/cardhost/sim/profile"
	"github.com/cardhost/cardhost/sim/serve"
	"github.com/cardhost/cardhost/sim/simtest"
	"github.com/cardhost/cardhost/test/pcscdtest"
)

// daemon is the private pcscd the fleets are served to.
var daemon *pcscdtest.Daemon

func TestMain(m *testing.M) {
	os.Exit(pcscdtest.Main(m, pcscdtest.Options{Readers: 4}, &daemon))
}

// readers returns a PC/SC context and the names of the daemon's readers.
func readers(t *testing.T) (*reader.Context, []string) {
	t.Helper()
	pc, err := reader.NewContext()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	names, err := simtest.ReaderNames(pc, daemon)
	if err != nil {
		t.Fatal(err)
	}
	return pc, names
}

// serial returns the CPLC IC serial number of the card in reader name, read
// with GET DATA 9F7F through pcscd.
func serial(t *testing.T, pc *reader.Context, name string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := pc.WaitForCard(ctx, name); err != nil {
		t.Fatalf("card in %q: %v", name, err)
	}
	p, err := pc.Connect(ctx, name, reader.ConnectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	r, err := p.Transmit(ctx, []byte{0x80, 0xCA, 0x9F, 0x7F, 0x00})
	if err != nil || len(r) != 3+42+2 || !bytes.HasSuffix(r, []byte{0x90, 0x00}) {
		t.Fatalf("GET DATA CPLC in %q = %X, %v", name, r, err)
	}
	return r[3+12 : 3+16] // ICSerialNumber after six 2-byte fields
}

func waitRemoved(t *testing.T, pc *reader.Context, names ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, n := range names {
		if err := pc.WaitForRemoval(ctx, n); err != nil {
			t.Errorf("removal from %q not seen: %v", n, err)
		}
	}
}

func TestRun_ServesNumberedCardsUntilCancelled(t *testing.T) {
	pc, names := readers(t)
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serve.Run(ctx, serve.Options{Dir: dir, Cards: 3, BasePort: daemon.Port(0)}) }()
	for i := range 3 {
		want := []byte{0, 0, 0, byte(1 + i)} // default profile serial 00000001, plus i
		if got := serial(t, pc, names[i]); !bytes.Equal(got, want) {
			t.Errorf("card %d: serial %X, want %X", i, got, want)
		}
		if _, err := os.Stat(serve.ImagePath(dir, i)); err != nil {
			t.Errorf("card %d image: %v", i, err)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run = %v", err)
	}
	waitRemoved(t, pc, names[:3]...)
}

func TestStart_OpensExistingImages(t *testing.T) {
	pc, names := readers(t)
	dir := t.TempDir()
	p := profile.Default()
	p.CPLC.ICSerialNumber = profile.Hex{0xCA, 0xFE, 0xBA, 0xBE}
	if _, err := sim.Create(serve.ImagePath(dir, 1), p); err != nil {
		t.Fatal(err)
	}
	f, err := serve.Start(context.Background(), serve.Options{Dir: dir, Cards: 2, BasePort: daemon.Port(0)})
	if err != nil {
		t.Fatal(err)
	}
	if got := serial(t, pc, names[0]); !bytes.Equal(got, []byte{0, 0, 0, 1}) {
		t.Errorf("created card 0: serial %X", got)
	}
	if got := serial(t, pc, names[1]); !bytes.Equal(got, []byte{0xCA, 0xFE, 0xBA, 0xBE}) {
		t.Errorf("existing card 1: serial %X, want the image's CAFEBABE", got)
	}
	if len(f.Cards()) != 2 || f.Cards()[1].Path() != serve.ImagePath(dir, 1) || f.Addr(1) != daemon.Addr(1) {
		t.Errorf("fleet: %d cards, card 1 at %q dialing %q", len(f.Cards()), f.Cards()[1].Path(), f.Addr(1))
	}
	if err := f.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := f.Stop(); err != nil {
		t.Fatalf("second Stop: %v", err)
	}
	waitRemoved(t, pc, names[:2]...)
}

func TestStart_CardsComeBackAfterPcscdRestart(t *testing.T) {
	f, err := serve.Start(context.Background(), serve.Options{Dir: t.TempDir(), Cards: 2, BasePort: daemon.Port(0)})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Stop()
	if err := daemon.Restart(); err != nil {
		t.Fatal(err)
	}
	pc, names := readers(t) // a new context: the old one died with pcscd
	for i := range 2 {
		if got := serial(t, pc, names[i]); !bytes.Equal(got, []byte{0, 0, 0, byte(1 + i)}) {
			t.Errorf("card %d after restart: serial %X", i, got)
		}
	}
	if err := f.Stop(); err != nil {
		t.Fatal(err)
	}
	waitRemoved(t, pc, names[:2]...)
}

func TestStart_BadOptions(t *testing.T) {
	file := t.TempDir() + "/file"
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	corrupt := t.TempDir()
	if err := os.WriteFile(serve.ImagePath(corrupt, 0), []byte("not an image"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		o    serve.Options
		want string
	}{
		{"no dir", serve.Options{Cards: 1}, "directory"},
		{"no cards", serve.Options{Dir: t.TempDir()}, "0 cards"},
		{"too many cards", serve.Options{Dir: t.TempDir(), Cards: serve.MaxCards + 1}, "1001 cards"},
		{"ports beyond 65535", serve.Options{Dir: t.TempDir(), Cards: 2, BasePort: 65535}, "ports"},
		{"dir is a file", serve.Options{Dir: file, Cards: 1}, "file"},
		{"corrupt image", serve.Options{Dir: corrupt, Cards: 1}, "card-000.img"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := serve.Start(context.Background(), tc.o)
			if err == nil {
				f.Stop()
				t.Fatal("Start succeeded")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q does not mention %q", err, tc.want)
			}
		})
	}
}
