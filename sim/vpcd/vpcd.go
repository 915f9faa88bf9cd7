package vpcd

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"
)

// Card is what the bridge drives. Calls are serialised: the bridge never calls
// two methods at once.
type Card interface {
	// PowerOn and PowerOff follow the reader's contacts; Reset is a warm
	// reset. All three must drop any secure channel and selection state.
	PowerOn()
	PowerOff()
	Reset()
	// ATR returns the answer to reset.
	ATR() []byte
	// Transmit processes one C-APDU and returns the R-APDU (data ‖ SW1 SW2).
	Transmit(capdu []byte) []byte
}

// Control codes sent by vpcd (vsmartcard vpcd.h VPCD_CTRL_*).
const (
	ctrlOff   = 0x00
	ctrlOn    = 0x01
	ctrlReset = 0x02
	ctrlATR   = 0x04
)

// redialDelay is the pause between attempts to reach vpcd, e.g. while pcscd
// restarts.
const redialDelay = 50 * time.Millisecond

// Slot is a card inserted into one vpcd reader slot. It keeps reconnecting
// to vpcd (for instance after pcscd restarts) until Remove or until the
// context given to Insert ends.
type Slot struct {
	addr   string
	cancel context.CancelFunc
	done   chan struct{}

	mu   sync.Mutex
	conn net.Conn
	err  error
}

// Insert connects card to the vpcd slot listening at addr (host:port) and
// serves it in the background. pcscd sees the card as inserted once the
// connection is up.
func Insert(ctx context.Context, addr string, card Card) *Slot {
	ctx, cancel := context.WithCancel(ctx)
	s := &Slot{addr: addr, cancel: cancel, done: make(chan struct{})}
	go s.run(ctx, card)
	return s
}

// Remove takes the card out: the connection is closed (pcscd sees a removal,
// and an APDU in flight fails) and no reconnection is tried. It waits for the
// serving goroutine and is idempotent. It returns the last serving error other
// than those caused by the removal itself.
func (s *Slot) Remove() error {
	s.cancel()
	s.mu.Lock()
	if s.conn != nil {
		s.conn.Close()
	}
	s.mu.Unlock()
	<-s.done
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// Connected reports whether the slot currently holds a connection to vpcd.
func (s *Slot) Connected() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conn != nil
}

func (s *Slot) run(ctx context.Context, card Card) {
	defer close(s.done)
	var d net.Dialer
	for ctx.Err() == nil {
		conn, err := d.DialContext(ctx, "tcp", s.addr)
		if err != nil {
			select {
			case <-ctx.Done():
			case <-time.After(redialDelay):
			}
			continue
		}
		s.mu.Lock()
		s.conn = conn
		s.mu.Unlock()
		err = Serve(conn, card)
		conn.Close()
		s.mu.Lock()
		s.conn = nil
		if err != nil && ctx.Err() == nil {
			s.err = err
		}
		s.mu.Unlock()
		// vpcd closed the link (pcscd stopped): the card lost power.
		card.PowerOff()
	}
}

// maxFrame is the largest vpcd message: the length prefix is 16 bits.
const maxFrame = 0xFFFF

// Serve runs the vpcd protocol for card on one established connection until
// the peer closes it (nil) or a protocol or I/O error occurs.
func Serve(conn net.Conn, card Card) error {
	buf := make([]byte, maxFrame)
	var hdr [2]byte
	for {
		if _, err := io.ReadFull(conn, hdr[:]); err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) {
				return nil
			}
			return fmt.Errorf("vpcd %s: reading frame header: %w", conn.RemoteAddr(), err)
		}
		quickAck(conn)
		n := int(binary.BigEndian.Uint16(hdr[:]))
		if n == 0 {
			return fmt.Errorf("vpcd %s: zero-length frame", conn.RemoteAddr())
		}
		msg := buf[:n]
		if _, err := io.ReadFull(conn, msg); err != nil {
			return fmt.Errorf("vpcd %s: reading %d-byte frame: %w", conn.RemoteAddr(), n, err)
		}
		var reply []byte
		if n == 1 {
			switch msg[0] {
			case ctrlOff:
				card.PowerOff()
			case ctrlOn:
				card.PowerOn()
			case ctrlReset:
				card.Reset()
			case ctrlATR:
				reply = card.ATR()
			default:
				return fmt.Errorf("vpcd %s: unknown control code %02X", conn.RemoteAddr(), msg[0])
			}
			if reply == nil {
				continue
			}
		} else {
			reply = card.Transmit(append([]byte(nil), msg...))
		}
		if err := writeFrame(conn, reply); err != nil {
			return fmt.Errorf("vpcd %s: %w", conn.RemoteAddr(), err)
		}
	}
}

func writeFrame(w io.Writer, b []byte) error {
	if len(b) == 0 || len(b) > maxFrame {
		return fmt.Errorf("card reply of %d bytes does not fit a vpcd frame (1..%d)", len(b), maxFrame)
	}
	out := make([]byte, 2+len(b))
	binary.BigEndian.PutUint16(out, uint16(len(b)))
	copy(out[2:], b)
	_, err := w.Write(out)
	return err
}
