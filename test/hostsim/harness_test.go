package hostsim

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cardhost/cardhost/applet"
	"github.com/cardhost/cardhost/applet/payment"
	"github.com/cardhost/cardhost/gpcard"
	"github.com/cardhost/cardhost/gpcard/keys"
	"github.com/cardhost/cardhost/gpcard/secret"
	"github.com/cardhost/cardhost/reader"
	"github.com/cardhost/cardhost/sim"
	"github.com/cardhost/cardhost/sim/profile"
	"github.com/cardhost/cardhost/sim/vpcd"
)

// variant is one card profile of the matrix with the security levels its i
// allows: SCP02 i=15/55 have no R-MAC (GPCS 2.3.1 Table E-1, b6 = 0); SCP03
// R-MAC needs i b6 and R-ENC i b7 (Amd D Table 5-1, gp-card.md §1.12), so
// i=00 allows 01 and 03, i=70 also 13 and 33.
type variant struct {
	name    string
	profile func(t testing.TB) *profile.Profile
	levels  []gpcard.Level
}

const (
	lvlMAC     = gpcard.CMAC
	lvlMACDEC  = gpcard.CMAC | gpcard.CDEC
	lvlRMAC    = gpcard.CMAC | gpcard.CDEC | gpcard.RMAC
	lvlRMACENC = gpcard.CMAC | gpcard.CDEC | gpcard.RMAC | gpcard.RENC
)

// scp03 returns the embedded SCP03 profile with implementation option i
// (b1 S16, b5 pseudo-random, b6-b7 R-MAC/R-ENC): the embedded set has only
// i=70, the other options are built here from it.
func scp03(i byte) func(t testing.TB) *profile.Profile {
	return func(t testing.TB) *profile.Profile {
		p, err := profile.Embedded("gp231-scp03-i70")
		if err != nil {
			t.Fatal(err)
		}
		p.Name, p.I = fmt.Sprintf("gp231-scp03-i%02x", i), profile.Byte(i)
		if err := p.Validate(); err != nil {
			t.Fatal(err)
		}
		return p
	}
}

func embedded(name string) func(t testing.TB) *profile.Profile {
	return func(t testing.TB) *profile.Profile {
		p, err := profile.Embedded(name)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
}

var variants = []variant{
	{"SCP02-i15", embedded("gp231-scp02-i15"), []gpcard.Level{lvlMAC, lvlMACDEC}},
	{"SCP02-i55", embedded("gp231-scp02-i55"), []gpcard.Level{lvlMAC, lvlMACDEC}},
	{"SCP03-i00-S8", scp03(0x00), []gpcard.Level{lvlMAC, lvlMACDEC}},
	{"SCP03-i01-S16", scp03(0x01), []gpcard.Level{lvlMAC, lvlMACDEC}},
	{"SCP03-i70-S8", scp03(0x70), []gpcard.Level{lvlMAC, lvlMACDEC, lvlRMAC, lvlRMACENC}},
	{"SCP03-i71-S16", scp03(0x71), []gpcard.Level{lvlMAC, lvlMACDEC, lvlRMAC, lvlRMACENC}},
}

// Test key values. Every one is distinct so that a leak of any of them into a
// trace or an error can be told apart; none is derivable from another.
const (
	factoryKeyHex = keys.DefaultKeyHex // the profiles' ISD keys (40..4F)
	newKeyHex     = "1A2B3C4D5E6F708192A3B4C5D6E7F809"
	replKeyHex    = "C1D2E3F40516273849506A7B8C9DAEBF"
	ssdKeyHex     = "7766554433221100FFEEDDCCBBAA9988"
	ssd2KeyHex    = "0F1E2D3C4B5A69788796A5B4C3D2E1F0"
	wrongKeyHex   = "DEADBEEFCAFEBABE0123456789ABCDEF"
	purseKeyHex   = "A5A5C3C35A5A3C3C9696696912122121"
	receiptKeyHex = "5C6D7E8F90A1B2C3D4E5F60718293A4B" // the ISD's receipt key (delegated_test.go)
)

// allKeyHex lists every test key, for the leak check.
var allKeyHex = []string{factoryKeyHex, newKeyHex, replKeyHex, ssdKeyHex, ssd2KeyHex, wrongKeyHex, purseKeyHex, receiptKeyHex}

// Key versions used by the scenario (gp-card.md §1.10 ranges: 20–2F SCP02,
// 30–3F SCP03; both protocols use the same numbers here).
const (
	kvnNew  = 0x2A // added by PUT KEY next to the profile's set
	kvnRepl = 0x2B // replaces kvnNew
	kvnSSD  = 0x2C // SSD keys delivered by STORE DATA through the ISD
	kvnSSD2 = 0x2D // SSD keys delivered by PUT KEY on the SSD's own channel
)

func key(t testing.TB, h string) secret.Key {
	t.Helper()
	k, err := secret.FromHex(h)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// set is the key set kvn with ENC = MAC = DEK = h.
func set(t testing.TB, kvn byte, h string) keys.KeySet {
	return keys.KeySet{KVN: kvn, ENC: key(t, h), MAC: key(t, h), DEK: key(t, h)}
}

// countingTransport counts and records the commands reaching the card (below
// the secure channel, so every APDU on the wire counts once).
type countingTransport struct {
	reader.Transport
	mu   sync.Mutex
	cmds [][]byte
}

func (c *countingTransport) Transmit(ctx context.Context, capdu []byte) ([]byte, error) {
	c.mu.Lock()
	c.cmds = append(c.cmds, bytes.Clone(capdu))
	c.mu.Unlock()
	return c.Transport.Transmit(ctx, capdu)
}

// n returns the number of commands sent so far.
func (c *countingTransport) n() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.cmds)
}

// since returns the INS bytes of the commands sent after mark.
func (c *countingTransport) since(mark int) []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []byte
	for _, cmd := range c.cmds[mark:] {
		if len(cmd) >= 2 {
			out = append(out, cmd[1])
		}
	}
	return out
}

// traceLog collects every formatted exchange and error text of a run for the
// key leak check.
type traceLog struct {
	mu    sync.Mutex
	lines []string
}

func (l *traceLog) trace(e reader.Exchange) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, reader.FormatExchange(e), hex.EncodeToString(e.Command), hex.EncodeToString(e.Response))
}

func (l *traceLog) add(s string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, s)
}

// checkNoKeys fails if any test key's hex (either case) appears in the log.
func (l *traceLog) checkNoKeys(t testing.TB) {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	all := strings.ToUpper(strings.Join(l.lines, "\n"))
	for _, k := range allKeyHex {
		if strings.Contains(all, strings.ToUpper(k)) {
			t.Errorf("test key %s… appears in the trace or error text", k[:4])
		}
	}
	if len(l.lines) == 0 {
		t.Error("empty trace")
	}
}

// transportKind is how the host reaches the card.
type transportKind int

const (
	inProcess transportKind = iota + 1
	viaPCSC
)

func (k transportKind) String() string {
	if k == viaPCSC {
		return "pcscd"
	}
	return "inproc"
}

// readers hands out the vpcd reader indices, one card per reader.
var readers = func() chan int {
	ch := make(chan int, numReaders)
	for i := 0; i < numReaders; i++ {
		ch <- i
	}
	return ch
}()

// newCard returns a fresh card of p (with the payment applet registered)
// and a transport to it of kind k, closed at the end of the test.
func newCard(t *testing.T, p *profile.Profile, k transportKind) (*sim.Card, reader.Transport) {
	t.Helper()
	reg := new(applet.Registry)
	if err := payment.Register(reg); err != nil {
		t.Fatal(err)
	}
	card := sim.New(p, sim.WithRegistry(reg))
	if k == inProcess {
		tr := card.Transport()
		t.Cleanup(func() { tr.Close() })
		return card, tr
	}
	return card, insert(t, card)
}

// insert serves card through a free vpcd reader and connects to it.
func insert(t *testing.T, card *sim.Card) reader.Transport {
	t.Helper()
	r := <-readers
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	pc, err := reader.NewContext()
	if err != nil {
		readers <- r
		t.Fatal(err)
	}
	name := readerName(t, pc, r)
	slot := vpcd.Insert(context.Background(), daemon.Addr(r), card)
	t.Cleanup(func() {
		slot.Remove()
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := pc.WaitForRemoval(ctx, name); err != nil {
			t.Errorf("removal of the card in %q not seen: %v", name, err)
		}
		pc.Close()
		readers <- r
	})
	if err := pc.WaitForCard(ctx, name); err != nil {
		t.Fatalf("waiting for the card in %q: %v", name, err)
	}
	p, err := pc.Connect(ctx, name, reader.ConnectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
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

func hx(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func keyOf(t testing.TB, b []byte) secret.Key {
	t.Helper()
	return secret.New(bytes.Clone(b))
}

// keysProvider is a plain provider with one key set (KVN 0: any).
func keysProvider(t testing.TB, kvn byte, h string) keys.Provider {
	return keys.NewPlain(set(t, kvn, h))
}
