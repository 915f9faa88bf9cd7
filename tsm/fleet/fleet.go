package fleet

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/cardhost/cardhost/applet"
	"github.com/cardhost/cardhost/applet/payment"
	"github.com/cardhost/cardhost/gpcard/keys"
	"github.com/cardhost/cardhost/gpcard/secret"
	"github.com/cardhost/cardhost/reader"
	"github.com/cardhost/cardhost/sim"
	"github.com/cardhost/cardhost/sim/profile"
)

// ErrUnknownCard reports a CIN that is not in the fleet.
var ErrUnknownCard = errors.New("fleet: no such card")

// cardExt is the file name extension of card images in a fleet directory.
const cardExt = ".card"

// Spec says how to manufacture a fleet.
type Spec struct {
	// Profile names an embedded sim profile (profile.Names).
	Profile string
	// N is the number of cards.
	N int
	// First is the serial number of the first card (CIN, KDD and CPLC
	// serial are derived from it); cards are numbered First, First+1, ….
	First uint32
	// Master is the manufacturer's master key and Method its
	// diversification: each card's ISD keys are Diversify(Master, KDD).
	Master secret.Key
	Method keys.Method
}

// Fleet is a set of simulated cards keyed by CIN. It is safe for concurrent
// use; each card processes one command at a time.
type Fleet struct {
	cards map[string]*sim.Card
	cins  [][]byte
}

// New manufactures the cards of s in memory.
func New(s Spec) (*Fleet, error) {
	return build(s, func(cin []byte, p *profile.Profile) (*sim.Card, error) {
		return sim.New(p, sim.WithRegistry(registry())), nil
	})
}

// Create manufactures the cards of s as image files in dir (created if
// needed; existing card files are an error).
func Create(dir string, s Spec) (*Fleet, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("fleet: %w", err)
	}
	return build(s, func(cin []byte, p *profile.Profile) (*sim.Card, error) {
		return sim.Create(filepath.Join(dir, hex.EncodeToString(cin)+cardExt), p, sim.WithRegistry(registry()))
	})
}

// Open loads every card image in dir.
func Open(dir string) (*Fleet, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*"+cardExt))
	if err != nil {
		return nil, fmt.Errorf("fleet: %w", err)
	}
	sort.Strings(paths)
	f := &Fleet{cards: map[string]*sim.Card{}}
	for _, path := range paths {
		cin, err := hex.DecodeString(strings.TrimSuffix(filepath.Base(path), cardExt))
		if err != nil {
			return nil, fmt.Errorf("fleet: card file name %s: %w", path, err)
		}
		c, err := sim.Open(path, sim.WithRegistry(registry()))
		if err != nil {
			return nil, err
		}
		f.add(cin, c)
	}
	return f, nil
}

func build(s Spec, newCard func(cin []byte, p *profile.Profile) (*sim.Card, error)) (*Fleet, error) {
	if s.N < 0 {
		return nil, errors.New("fleet: negative N")
	}
	f := &Fleet{cards: make(map[string]*sim.Card, s.N)}
	for i := range s.N {
		p, err := profile.Embedded(s.Profile)
		if err != nil {
			return nil, err
		}
		serial := s.First + uint32(i)
		if err := personalize(p, serial, s.Master, s.Method); err != nil {
			return nil, err
		}
		c, err := newCard(p.CIN, p)
		if err != nil {
			return nil, err
		}
		f.add(p.CIN, c)
	}
	return f, nil
}

// personalize gives profile p the identity of card serial and its ISD keys.
func personalize(p *profile.Profile, serial uint32, master secret.Key, m keys.Method) error {
	p.CIN = binary.BigEndian.AppendUint32([]byte{0xCA, 0x7D, 0x00, 0x00}, serial)
	p.KDD = binary.BigEndian.AppendUint32([]byte{0x00, 0x00, 0x00, 0x00, 0xCA, 0x7D}, serial)
	p.CPLC.ICSerialNumber = binary.BigEndian.AppendUint32(nil, serial)
	ks, err := keys.Diversify(master, m, p.KDD)
	if err != nil {
		return fmt.Errorf("fleet: diversifying the ISD keys: %w", err)
	}
	defer ks.Zero()
	p.Keys.ENC, p.Keys.MAC, p.Keys.DEK = ks.ENC.Bytes(), ks.MAC.Bytes(), ks.DEK.Bytes()
	return nil
}

// registry hosts the payment applet.
func registry() *applet.Registry {
	r := &applet.Registry{}
	if err := payment.Register(r); err != nil {
		panic(err) // a fresh registry: cannot happen
	}
	return r
}

func (f *Fleet) add(cin []byte, c *sim.Card) {
	f.cards[string(cin)] = c
	f.cins = append(f.cins, cin)
}

// CINs lists the cards' CINs in manufacturing (or file name) order. The
// slices must not be modified.
func (f *Fleet) CINs() [][]byte { return f.cins }

// Card returns the card with this CIN, or nil.
func (f *Fleet) Card(cin []byte) *sim.Card { return f.cards[string(cin)] }

// Open implements jobs.CardSource: a new in-process transport to the card,
// powered on if a tear left it without power.
func (f *Fleet) Open(_ context.Context, cin []byte) (reader.Transport, error) {
	c := f.cards[string(cin)]
	if c == nil {
		return nil, fmt.Errorf("%w: %X", ErrUnknownCard, cin)
	}
	if !c.Powered() {
		c.PowerOn()
	}
	return c.Transport(), nil
}
