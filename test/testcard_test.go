package test

import (
	"bytes"
	"sync"
)

// testCard is a scripted card for the reader tests. It answers by INS:
//   - A4 SELECT: 9000, and remembers that something is selected.
//   - B0: 600 bytes delivered through 61xx/GET RESPONSE in 128-byte chunks.
//   - CA: needs Le = 2D, answers 6C2D otherwise (T=0 wrong-length rule).
//   - EE: echoes its data field (short or extended APDU).
//   - B1: blocks until release is closed, then answers 9000.
//   - F0: 9000 if a SELECT happened since the last power-up/reset, else 6985.
type testCard struct {
	mu       sync.Mutex
	atr      []byte
	selected bool
	pending  []byte // data still to deliver through GET RESPONSE
	powerOns int
	resets   int
	block    chan struct{} // closed to release a blocked B1
	entered  chan struct{} // receives when B1 starts blocking
}

func newTestCard() *testCard {
	return &testCard{atr: []byte{0x3B, 0x80, 0x80, 0x01, 0x01}, block: make(chan struct{}), entered: make(chan struct{}, 1)}
}

func (c *testCard) PowerOn() {
	c.mu.Lock()
	c.powerOns++
	c.selected = false
	c.pending = nil
	c.mu.Unlock()
}
func (c *testCard) PowerOff() { c.mu.Lock(); c.selected = false; c.pending = nil; c.mu.Unlock() }
func (c *testCard) Reset() {
	c.mu.Lock()
	c.resets++
	c.selected = false
	c.pending = nil
	c.mu.Unlock()
}
func (c *testCard) ATR() []byte {
	return c.atr
}

func (c *testCard) counts() (powerOns, resets int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.powerOns, c.resets
}

// chainData is what INS B0 returns: 600 bytes 00..FF repeating.
func chainData() []byte {
	b := make([]byte, 600)
	for i := range b {
		b[i] = byte(i)
	}
	return b
}

func (c *testCard) Transmit(apdu []byte) []byte {
	if len(apdu) < 4 {
		return []byte{0x67, 0x00}
	}
	if apdu[1] == 0xB1 {
		select {
		case c.entered <- struct{}{}:
		default:
		}
		<-c.block
		return []byte{0x90, 0x00}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	switch apdu[1] {
	case 0xA4:
		c.selected = true
		return []byte{0x90, 0x00}
	case 0xB0:
		c.pending = chainData()
		return c.nextChunk(nil)
	case 0xC0:
		if c.pending == nil {
			return []byte{0x69, 0x85}
		}
		return c.nextChunk(nil)
	case 0xCA:
		if len(apdu) != 5 || apdu[4] != 0x2D {
			return []byte{0x6C, 0x2D}
		}
		return append(bytes.Repeat([]byte{0xAB}, 0x2D), 0x90, 0x00)
	case 0xEE:
		return append(dataField(apdu), 0x90, 0x00)
	case 0xF0:
		if c.selected {
			return []byte{0x90, 0x00}
		}
		return []byte{0x69, 0x85}
	}
	return []byte{0x6D, 0x00}
}

// nextChunk returns up to 128 pending bytes with 61xx (or 9000 at the end).
func (c *testCard) nextChunk([]byte) []byte {
	n := min(128, len(c.pending))
	out := append([]byte(nil), c.pending[:n]...)
	c.pending = c.pending[n:]
	if len(c.pending) == 0 {
		c.pending = nil
		return append(out, 0x90, 0x00)
	}
	return append(out, 0x61, byte(min(128, len(c.pending))))
}

// dataField extracts the data of a case 3/4 APDU, short or extended
// (ISO/IEC 7816-4 §5.1).
func dataField(a []byte) []byte {
	if len(a) <= 5 {
		return nil
	}
	if a[4] == 0 && len(a) >= 7 {
		n := int(a[5])<<8 | int(a[6])
		if 7+n <= len(a) {
			return a[7 : 7+n]
		}
		return nil
	}
	n := int(a[4])
	if 5+n <= len(a) {
		return a[5 : 5+n]
	}
	return nil
}
