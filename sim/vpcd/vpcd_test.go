package vpcd

import (
	"bytes"
	"encoding/binary"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
)

// recCard records the calls the bridge makes.
type recCard struct {
	mu    sync.Mutex
	calls []string
}

func (c *recCard) log(s string) { c.mu.Lock(); c.calls = append(c.calls, s); c.mu.Unlock() }
func (c *recCard) PowerOn()     { c.log("on") }
func (c *recCard) PowerOff()    { c.log("off") }
func (c *recCard) Reset()       { c.log("reset") }
func (c *recCard) ATR() []byte  { c.log("atr"); return []byte{0x3B, 0x00} }
func (c *recCard) Transmit(a []byte) []byte {
	c.log("apdu")
	return append(append([]byte(nil), a[4:]...), 0x90, 0x00)
}

func frame(b ...byte) []byte {
	out := make([]byte, 2, 2+len(b))
	binary.BigEndian.PutUint16(out, uint16(len(b)))
	return append(out, b...)
}

func readFrame(t *testing.T, r io.Reader) []byte {
	t.Helper()
	var h [2]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		t.Fatal(err)
	}
	b := make([]byte, binary.BigEndian.Uint16(h[:]))
	if _, err := io.ReadFull(r, b); err != nil {
		t.Fatal(err)
	}
	return b
}

func TestServe_ControlAndAPDU(t *testing.T) {
	vpcdSide, cardSide := net.Pipe()
	card := &recCard{}
	done := make(chan error, 1)
	go func() { done <- Serve(cardSide, card) }()

	// Power on, reset and power off get no reply; ATR and APDUs do.
	for _, f := range [][]byte{frame(ctrlOn), frame(ctrlReset), frame(ctrlATR)} {
		if _, err := vpcdSide.Write(f); err != nil {
			t.Fatal(err)
		}
	}
	if got := readFrame(t, vpcdSide); !bytes.Equal(got, []byte{0x3B, 0x00}) {
		t.Fatalf("ATR frame = %X", got)
	}
	vpcdSide.Write(frame(0x00, 0xEE, 0x00, 0x00, 0xAA, 0xBB))
	if got := readFrame(t, vpcdSide); !bytes.Equal(got, []byte{0xAA, 0xBB, 0x90, 0x00}) {
		t.Fatalf("R-APDU frame = %X", got)
	}
	vpcdSide.Write(frame(ctrlOff))
	vpcdSide.Close()
	if err := <-done; err != nil {
		t.Fatalf("Serve after peer close: %v", err)
	}
	want := "on reset atr apdu off"
	if got := strings.Join(card.calls, " "); got != want {
		t.Fatalf("card calls %q, want %q", got, want)
	}
}

func TestServe_ProtocolErrors(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		want string
	}{
		{"zero-length frame", []byte{0x00, 0x00}, "zero-length"},
		{"unknown control", frame(0x07), "unknown control code 07"},
		{"truncated frame", []byte{0x00, 0x10, 0x01}, "reading 16-byte frame"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, b := net.Pipe()
			done := make(chan error, 1)
			go func() { done <- Serve(b, &recCard{}) }()
			a.Write(tc.in)
			a.Close()
			err := <-done
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want error containing %q", err, tc.want)
			}
		})
	}
}

func TestWriteFrame_Bounds(t *testing.T) {
	if err := writeFrame(io.Discard, nil); err == nil {
		t.Error("empty reply accepted")
	}
	if err := writeFrame(io.Discard, make([]byte, maxFrame+1)); err == nil {
		t.Error("oversized reply accepted")
	}
	var buf bytes.Buffer
	if err := writeFrame(&buf, make([]byte, maxFrame)); err != nil || buf.Len() != maxFrame+2 {
		t.Errorf("largest frame: %v, %d bytes", err, buf.Len())
	}
}

func TestSlot_ReconnectsAndRemoves(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	card := &recCard{}
	slot := Insert(t.Context(), l.Addr().String(), card)
	// First connection: ask for the ATR, then drop the link as a stopping
	// pcscd would; the slot must dial again.
	for i := 0; i < 2; i++ {
		c, err := l.Accept()
		if err != nil {
			t.Fatal(err)
		}
		c.Write(frame(ctrlATR))
		if got := readFrame(t, c); !bytes.Equal(got, []byte{0x3B, 0x00}) {
			t.Fatalf("connection %d: ATR %X", i, got)
		}
		if i == 0 {
			c.Close()
		} else {
			defer c.Close()
		}
	}
	if err := slot.Remove(); err != nil {
		t.Fatalf("Remove: %v", err)
	}
	if slot.Connected() {
		t.Fatal("still connected after Remove")
	}
	if err := slot.Remove(); err != nil {
		t.Fatalf("second Remove: %v", err)
	}
}
