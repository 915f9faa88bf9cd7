package test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/cardhost/cardhost/reader"
	"github.com/cardhost/cardhost/sim/vpcd"
	"github.com/cardhost/cardhost/test/pcscdtest"
)

// daemon is the private pcscd every test in this package talks to.
var daemon *pcscdtest.Daemon

func TestMain(m *testing.M) { os.Exit(pcscdtest.Main(m, pcscdtest.Options{Readers: 4}, &daemon)) }

// insert puts a fresh test card into reader r and connects to it.
func insert(t testing.TB, r int) (*testCard, *vpcd.Slot, *reader.PCSC) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	card := newTestCard()
	pc, err := reader.NewContext()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	name := readerName(t, pc, r)
	slot := vpcd.Insert(context.Background(), daemon.Addr(r), card)
	t.Cleanup(func() {
		// Leave the reader empty, as pcscd sees it, for the next test.
		slot.Remove()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := pc.WaitForRemoval(ctx, name); err != nil {
			t.Errorf("removal of the card in %q not seen: %v", name, err)
		}
	})
	if err := pc.WaitForCard(ctx, name); err != nil {
		t.Fatalf("waiting for card in %q: %v", name, err)
	}
	p, err := pc.Connect(ctx, name, reader.ConnectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return card, slot, p
}

func readerName(t testing.TB, pc *reader.Context, r int) string {
	t.Helper()
	names, err := pc.Readers()
	if err != nil {
		t.Fatal(err)
	}
	n, err := daemon.Name(names, r)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestPCSC_ListAndFind(t *testing.T) {
	pc, err := reader.NewContext()
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	names, err := pc.Readers()
	if err != nil {
		t.Fatal(err)
	}
	if len(names) != daemon.Readers() {
		t.Fatalf("pcscd lists %d readers %q, want %d", len(names), names, daemon.Readers())
	}
	r3 := readerName(t, pc, 3)
	if got, err := pc.Find(r3); err != nil || got != r3 {
		t.Errorf("Find(exact) = %q, %v", got, err)
	}
	if got, err := pc.Find("1"); err != nil || got != names[1] {
		t.Errorf("Find(index 1) = %q, %v; want %q", got, err, names[1])
	}
	if got, err := pc.Find(strings.ToLower(r3[len(r3)-8:])); err != nil || got != r3 {
		t.Errorf("Find(unique substring) = %q, %v; want %q", got, err, r3)
	}
	if _, err := pc.Find("virtual pcd"); !errors.Is(err, reader.ErrAmbiguousReader) {
		t.Errorf("Find(ambiguous) = %v", err)
	}
	if _, err := pc.Find("Omnikey"); !errors.Is(err, reader.ErrUnknownReader) {
		t.Errorf("Find(absent) = %v", err)
	}
}

func TestPCSC_NoCard(t *testing.T) {
	pc, err := reader.NewContext()
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	name := readerName(t, pc, 2) // no card is ever inserted in reader 2
	_, err = pc.Connect(context.Background(), name, reader.ConnectOptions{})
	if !errors.Is(err, reader.ErrNoCard) || !strings.Contains(err.Error(), name) {
		t.Fatalf("connect to empty reader: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if err := pc.WaitForCard(ctx, name); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("WaitForCard on empty reader = %v, want deadline exceeded", err)
	}
}

func TestPCSC_InsertRemoveEvents(t *testing.T) {
	pc, err := reader.NewContext()
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	name := readerName(t, pc, 1)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	waited := make(chan error, 1)
	go func() { waited <- pc.WaitForCard(ctx, name) }()
	slot := vpcd.Insert(ctx, daemon.Addr(1), newTestCard())
	if err := <-waited; err != nil {
		t.Fatalf("insertion not seen: %v", err)
	}
	p, err := pc.Connect(ctx, name, reader.ConnectOptions{Exclusive: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := p.ATR(); !bytes.Equal(got, []byte{0x3B, 0x80, 0x80, 0x01, 0x01}) {
		t.Errorf("ATR = %X", got)
	}
	// A second, shared connection is refused while the first is exclusive.
	if _, err := pc.Connect(ctx, name, reader.ConnectOptions{}); !errors.Is(err, reader.ErrSharingViolation) {
		t.Errorf("second connect during exclusive use: %v", err)
	}
	p.Close()

	go func() { waited <- pc.WaitForRemoval(ctx, name) }()
	if err := slot.Remove(); err != nil {
		t.Errorf("slot: %v", err)
	}
	if err := <-waited; err != nil {
		t.Fatalf("removal not seen: %v", err)
	}
	if _, err := pc.Connect(ctx, name, reader.ConnectOptions{}); !errors.Is(err, reader.ErrNoCard) {
		t.Errorf("connect after removal: %v", err)
	}
}

func TestPCSC_TransmitRules(t *testing.T) {
	_, _, p := insert(t, 0)
	ctx := context.Background()
	tests := []struct {
		name string
		cmd  []byte
		want []byte
	}{
		{"61xx GET RESPONSE chain", []byte{0x00, 0xB0, 0x00, 0x00, 0x00}, append(chainData(), 0x90, 0x00)},
		{"6Cxx re-send", []byte{0x80, 0xCA, 0x9F, 0x7F, 0x00}, append(bytes.Repeat([]byte{0xAB}, 0x2D), 0x90, 0x00)},
		{"plain", []byte{0x00, 0xA4, 0x04, 0x00, 0x00}, []byte{0x90, 0x00}},
	}
	for _, tc := range tests {
		got, err := p.Transmit(ctx, tc.cmd)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if !bytes.Equal(got, tc.want) {
			t.Fatalf("%s: got %d bytes %X…, want %d bytes", tc.name, len(got), got[:min(8, len(got))], len(tc.want))
		}
	}
}

func TestPCSC_ExtendedAPDU65000(t *testing.T) {
	_, _, p := insert(t, 0)
	data := make([]byte, 65000)
	for i := range data {
		data[i] = byte(i * 7)
	}
	cmd := append([]byte{0x80, 0xEE, 0x00, 0x00, 0x00, byte(len(data) >> 8), byte(len(data))}, data...)
	cmd = append(cmd, 0x00, 0x00) // Le = 65536
	got, err := p.Transmit(context.Background(), cmd)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, append(data, 0x90, 0x00)) {
		t.Fatalf("echo of 65000 bytes came back as %d bytes", len(got))
	}
}

func TestPCSC_ResetReachesCard(t *testing.T) {
	card, _, p := insert(t, 0)
	ctx := context.Background()
	if r, err := p.Transmit(ctx, []byte{0x00, 0xA4, 0x04, 0x00, 0x00}); err != nil || !bytes.Equal(r, []byte{0x90, 0x00}) {
		t.Fatalf("SELECT: %X %v", r, err)
	}
	if r, _ := p.Transmit(ctx, []byte{0x80, 0xF0, 0x00, 0x00}); !bytes.Equal(r, []byte{0x90, 0x00}) {
		t.Fatalf("state before reset: %X", r)
	}
	_, resetsBefore := card.counts()
	if err := p.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	if _, resets := card.counts(); resets != resetsBefore+1 {
		t.Errorf("card saw %d resets, want %d", resets, resetsBefore+1)
	}
	if r, _ := p.Transmit(ctx, []byte{0x80, 0xF0, 0x00, 0x00}); !bytes.Equal(r, []byte{0x69, 0x85}) {
		t.Fatalf("selection survived the reset: %X", r)
	}
	if len(p.ATR()) == 0 {
		t.Error("no ATR after reset")
	}
}

func TestPCSC_CardRemovedDuringTransmit(t *testing.T) {
	card, slot, p := insert(t, 0)
	defer close(card.block)
	go func() {
		<-card.entered
		slot.Remove()
	}()
	done := make(chan error, 1)
	go func() {
		_, err := p.Transmit(context.Background(), []byte{0x80, 0xB1, 0x00, 0x00})
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, reader.ErrCardRemoved) && !errors.Is(err, reader.ErrUnresponsiveCard) {
			t.Fatalf("transmit during removal: %v, want card removed", err)
		}
		if !strings.Contains(err.Error(), p.Reader()) {
			t.Errorf("error does not name the reader: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("transmit hung after the card was removed")
	}
}

func TestPCSC_TraceThroughPCSCD(t *testing.T) {
	_, _, p := insert(t, 0)
	var lines []string
	tr := reader.Trace(p, func(e reader.Exchange) { lines = append(lines, reader.FormatExchange(e)) }, nil)
	if _, err := tr.Transmit(context.Background(), []byte{0x80, 0xD8, 0x00, 0x81, 0x03, 0x40, 0x41, 0x42}); err != nil {
		t.Fatal(err)
	}
	if len(lines) != 1 || !strings.HasPrefix(lines[0], ">> 80D8008103 <redacted 3 bytes>\n<< 6D00  (") {
		t.Fatalf("trace = %q", lines)
	}
}

func TestPCSC_CardReconnectsAfterPcscdRestart(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	slot := vpcd.Insert(ctx, daemon.Addr(3), newTestCard())
	defer slot.Remove()
	if err := daemon.Restart(); err != nil {
		t.Fatal(err)
	}
	pc, err := reader.NewContext()
	if err != nil {
		t.Fatalf("new context after restart: %v", err)
	}
	defer pc.Close()
	name := readerName(t, pc, 3)
	if err := pc.WaitForCard(ctx, name); err != nil {
		t.Fatalf("card did not come back after pcscd restart: %v", err)
	}
	p, err := pc.Connect(ctx, name, reader.ConnectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if r, err := p.Transmit(ctx, []byte{0x00, 0xA4, 0x04, 0x00, 0x00}); err != nil || !bytes.Equal(r, []byte{0x90, 0x00}) {
		t.Fatalf("SELECT after restart: %X %v", r, err)
	}
}

// cardLink feeds APDUs straight to a test card, for the in-process baseline.
type cardLink struct{ c *testCard }

func (l cardLink) Exchange(_ context.Context, a []byte) ([]byte, error) { return l.c.Transmit(a), nil }

func benchSelect(b *testing.B, t reader.Transport) {
	ctx := context.Background()
	cmd := []byte{0x00, 0xA4, 0x04, 0x00, 0x08, 0xA0, 0x00, 0x00, 0x01, 0x51, 0x00, 0x00, 0x00}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := t.Transmit(ctx, cmd); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N), "µs/APDU")
}

// BenchmarkAPDU_PCSCD is one SELECT round trip through libpcsclite, pcscd, the
// vpcd driver and TCP to the card.
func BenchmarkAPDU_PCSCD(b *testing.B) {
	_, _, p := insert(b, 0)
	benchSelect(b, p)
}

// BenchmarkAPDU_InProcess is the same SELECT with the card called directly.
func BenchmarkAPDU_InProcess(b *testing.B) {
	benchSelect(b, reader.WithISORules("in-process", cardLink{newTestCard()}, nil))
}

func TestPCSC_TransactionAndProtocol(t *testing.T) {
	_, _, p := insert(t, 0)
	ctx := context.Background()
	if p.Protocol() != reader.ProtocolT1 {
		t.Errorf("vpcd reports T=1; got protocol %v", p.Protocol())
	}
	if err := p.Begin(ctx); err != nil {
		t.Fatal(err)
	}
	// Inside the transaction another connection can still connect (shared)
	// but cannot transmit until End; we only check our own path here.
	if r, err := p.Transmit(ctx, []byte{0x00, 0xA4, 0x04, 0x00, 0x00}); err != nil || !bytes.Equal(r, []byte{0x90, 0x00}) {
		t.Fatalf("SELECT in transaction: %X %v", r, err)
	}
	if err := p.End(); err != nil {
		t.Fatal(err)
	}
	pc, err := reader.NewContext()
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	t1, err := pc.Connect(ctx, p.Reader(), reader.ConnectOptions{Protocol: reader.ProtocolT1})
	if err != nil {
		t.Fatalf("connect T=1: %v", err)
	}
	t1.Close()
	if err := t1.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := t1.Transmit(ctx, []byte{0x00, 0xA4, 0x04, 0x00, 0x00}); !errors.Is(err, reader.ErrClosed) {
		t.Errorf("transmit after Close: %v", err)
	}
}
