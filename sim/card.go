package sim

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"io"
	"sync"

	"github.com/cardhost/cardhost/applet"
	"github.com/cardhost/cardhost/sim/image"
	"github.com/cardhost/cardhost/sim/profile"
)

// numChannels is the number of logical channels: the basic channel 0 and
// the further channels 1–19 (ISO/IEC 7816-4 §5.4.1).
const numChannels = 20

// Card is a simulated GlobalPlatform card. Its methods are safe for
// concurrent use; commands are processed one at a time.
type Card struct {
	mu       sync.Mutex
	state    *image.State // last committed state; never modified
	file     *image.File  // nil for an in-memory card
	registry *applet.Registry
	rand     io.Reader
	powered  bool
	channels [numChannels]channel
	applets  map[string]applet.Applet // live instances by AID
	faults   faults
}

// Option configures a Card.
type Option func(*Card)

// WithRegistry makes the card instantiate the Go applets in r; without it
// every installed application is inert (applet.Inert).
func WithRegistry(r *applet.Registry) Option { return func(c *Card) { c.registry = r } }

// WithRand sets the card's source of randomness (card challenges); the
// default is crypto/rand.
func WithRand(r io.Reader) Option { return func(c *Card) { c.rand = r } }

// New returns a powered, in-memory card built from p. It panics if p does
// not validate (a programmer error: embedded and loaded profiles are
// validated by package profile).
func New(p *profile.Profile, opts ...Option) *Card {
	s, err := newState(p)
	if err != nil {
		panic(fmt.Sprintf("sim: %v", err))
	}
	return newCard(s, nil, opts)
}

// Create builds a card from p whose state is kept in the image file at path
// (which must not exist yet) and returns it powered.
func Create(path string, p *profile.Profile, opts ...Option) (*Card, error) {
	s, err := newState(p)
	if err != nil {
		return nil, fmt.Errorf("sim: %w", err)
	}
	f := image.NewFile(path)
	if err := f.Create(s); err != nil {
		return nil, fmt.Errorf("sim: %w", err)
	}
	return newCard(s, f, opts), nil
}

// Open loads the card whose image is at path and returns it powered. A
// missing, corrupt, truncated or unknown-version image gives an error naming
// the file.
func Open(path string, opts ...Option) (*Card, error) {
	f := image.NewFile(path)
	s, err := f.Load()
	if err != nil {
		return nil, fmt.Errorf("sim: %w", err)
	}
	return newCard(s, f, opts), nil
}

func newCard(s *image.State, f *image.File, opts []Option) *Card {
	c := &Card{state: s, file: f, rand: rand.Reader, registry: new(applet.Registry)}
	for _, o := range opts {
		o(c)
	}
	c.powerOn()
	return c
}

// ATR returns the card's answer to reset. The slice must not be modified.
func (c *Card) ATR() []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.state.Config.ATR
}

// PowerOn powers the card: channel 0 is open with the ISD selected, no
// secure channel exists.
func (c *Card) PowerOn() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.powerOn()
}

// PowerOff removes power: every selection, secure channel and unfinished
// multi-command operation (LOAD, PUT KEY chain, STORE DATA) is lost;
// committed state is kept.
func (c *Card) PowerOff() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.powerOff()
}

// Reset is a warm reset: power off, then on.
func (c *Card) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.powerOff()
	c.powerOn()
}

// Powered reports whether the card is powered (false after a tear until
// PowerOn or Reset).
func (c *Card) Powered() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.powered
}

// Snapshot returns a deep copy of the last committed state, for tests and
// inspection. It contains key values: do not print or log it.
func (c *Card) Snapshot() *image.State {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.state.Clone()
}

// Path returns the image file of a file-backed card, or "".
func (c *Card) Path() string {
	if c.file == nil {
		return ""
	}
	return c.file.Path()
}

func (c *Card) powerOn() {
	c.powerOff()
	c.powered = true
	c.channels[0] = channel{open: true, selected: bytes.Clone(c.state.ISD().AID)}
}

func (c *Card) powerOff() {
	for i := range c.channels {
		c.deselect(&c.channels[i])
		c.channels[i] = channel{}
	}
	c.applets = nil
	c.powered = false
}

// commit makes next the committed state: written to the image file first
// for a file-backed card. On failure the previous state stays.
func (c *Card) commit(next *image.State) error {
	if c.file != nil {
		if err := c.file.Commit(next); err != nil {
			return err
		}
	}
	c.state = next
	return nil
}

// update runs f on a clone of the committed state and commits the clone when
// f succeeds (SW 9000); otherwise nothing changes. A failed commit answers
// 6581 (memory failure).
func (c *Card) update(f func(s *image.State) ([]byte, uint16)) ([]byte, uint16) {
	next := c.state.Clone()
	data, status := f(next)
	if status != swOK {
		return nil, status
	}
	if err := c.commit(next); err != nil {
		return nil, swMemoryFailure
	}
	return data, status
}
