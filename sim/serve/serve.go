package serve

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"

	"github.com/cardhost/cardhost/sim"
	"github.com/cardhost/cardhost/sim/profile"
	"github.com/cardhost/cardhost/sim/vpcd"
)

// Defaults of Options.
const (
	DefaultHost     = "127.0.0.1"
	DefaultBasePort = 35963 // vpcd's default port (vsmartcard VPCDPORT)
	// MaxCards bounds Options.Cards: image names have three digits.
	MaxCards = 1000
)

// Options configures a fleet. The zero value of each field but Dir and Cards
// takes the default its doc states.
type Options struct {
	// Dir holds the card images; it is created (mode 0700) when missing.
	Dir string
	// Cards is the number of cards, 1 to MaxCards.
	Cards int
	// Profile builds the cards whose image does not exist yet; nil means
	// profile.Default(). Card i gets the profile's CPLC IC serial number
	// plus i (modulo 2³²), so the cards of a fleet are told apart by
	// inventories keyed by CPLC serial; everything else is the profile's.
	Profile *profile.Profile
	// Host is the vpcd host to dial; "" means DefaultHost.
	Host string
	// BasePort is card 0's vpcd port; card i uses BasePort+i. Zero means
	// DefaultBasePort.
	BasePort int
	// CardOptions are passed to every card (sim.WithRegistry, …).
	CardOptions []sim.Option
}

// ImagePath returns the image file of card i in dir: dir/card-000.img for i = 0.
func ImagePath(dir string, i int) string {
	return filepath.Join(dir, fmt.Sprintf("card-%03d.img", i))
}

// Fleet is a running fleet: its cards, each inserted in its vpcd slot. Its
// methods are safe for concurrent use.
type Fleet struct {
	cards []*sim.Card
	addrs []string
	slots []*vpcd.Slot
	once  sync.Once
	err   error
}

// Start opens or creates the cards of o and inserts card i into the vpcd slot
// at Host:BasePort+i. It returns once every card is inserted, not when pcscd
// has seen them (a slot dials and redials in the background until Stop or
// until ctx ends). Errors name the option or the image file; on error nothing
// is left running.
func Start(ctx context.Context, o Options) (*Fleet, error) {
	if err := o.validate(); err != nil {
		return nil, err
	}
	cards, err := OpenCards(o.Dir, o.Cards, o.Profile, o.CardOptions...)
	if err != nil {
		return nil, err
	}
	host, base := o.Host, o.BasePort
	if host == "" {
		host = DefaultHost
	}
	if base == 0 {
		base = DefaultBasePort
	}
	f := &Fleet{cards: cards}
	for i, c := range cards {
		addr := net.JoinHostPort(host, strconv.Itoa(base+i))
		f.addrs = append(f.addrs, addr)
		f.slots = append(f.slots, vpcd.Insert(ctx, addr, c))
	}
	return f, nil
}

// Run starts the fleet of o, serves it until ctx ends, then removes the cards
// and returns nil, or the first error of Start or of a slot.
func Run(ctx context.Context, o Options) error {
	f, err := Start(ctx, o)
	if err != nil {
		return err
	}
	<-ctx.Done()
	return f.Stop()
}

// Cards returns the cards; card i is in slot i. The slice must not be
// modified.
func (f *Fleet) Cards() []*sim.Card { return f.cards }

// Addr returns the vpcd address (host:port) card i dials.
func (f *Fleet) Addr(i int) string { return f.addrs[i] }

// Connected reports whether card i currently holds a connection to vpcd.
func (f *Fleet) Connected(i int) bool { return f.slots[i].Connected() }

// Stop removes every card from its slot (pcscd sees the removals) and waits
// for the slots to finish. It returns the serving errors joined, and is
// idempotent. A link that pcscd reset (it stopped or restarted; the slot
// reconnects by itself) is not an error, as a link it closed is not. The
// image files stay.
func (f *Fleet) Stop() error {
	f.once.Do(func() {
		var errs []error
		for i, s := range f.slots {
			if err := s.Remove(); err != nil && !errors.Is(err, syscall.ECONNRESET) {
				errs = append(errs, fmt.Errorf("card %d (%s): %w", i, f.addrs[i], err))
			}
		}
		f.err = errors.Join(errs...)
	})
	return f.err
}

func (o Options) validate() error {
	switch {
	case o.Dir == "":
		return errors.New("serve: no image directory")
	case o.Cards < 1 || o.Cards > MaxCards:
		return fmt.Errorf("serve: %d cards: want 1 to %d", o.Cards, MaxCards)
	case o.BasePort < 0 || o.BasePort+o.Cards-1 > 65535:
		return fmt.Errorf("serve: vpcd ports %d to %d out of range", o.BasePort, o.BasePort+o.Cards-1)
	}
	return nil
}

// OpenCards opens the n card images in dir, creating dir and the missing
// images from p (nil: profile.Default()) as Options.Profile describes.
func OpenCards(dir string, n int, p *profile.Profile, opts ...sim.Option) ([]*sim.Card, error) {
	if p == nil {
		p = profile.Default()
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("serve: %w", err)
	}
	cards := make([]*sim.Card, 0, n)
	for i := range n {
		path := ImagePath(dir, i)
		c, err := sim.Open(path, opts...)
		if errors.Is(err, fs.ErrNotExist) {
			c, err = sim.Create(path, numbered(p, i), opts...)
		}
		if err != nil {
			return nil, fmt.Errorf("serve: card %d: %w", i, err)
		}
		cards = append(cards, c)
	}
	return cards, nil
}

// numbered returns a copy of p whose CPLC IC serial number is p's plus i.
func numbered(p *profile.Profile, i int) *profile.Profile {
	q := *p
	var serial [4]byte
	copy(serial[:], p.CPLC.ICSerialNumber)
	binary.BigEndian.PutUint32(serial[:], binary.BigEndian.Uint32(serial[:])+uint32(i))
	q.CPLC.ICSerialNumber = serial[:]
	return &q
}
