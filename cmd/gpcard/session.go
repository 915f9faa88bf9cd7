package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"strings"

	"github.com/cardhost/cardhost/applet"
	"github.com/cardhost/cardhost/applet/payment"
	"github.com/cardhost/cardhost/gpcard"
	"github.com/cardhost/cardhost/reader"
	"github.com/cardhost/cardhost/sim"
	"github.com/cardhost/cardhost/sim/profile"
)

// simPrefix marks a --reader value naming a simulated card image.
const simPrefix = "sim:"

// session is an open card for one command: the transport (traced when
// asked), the gpcard session on it, and how to release both.
type session struct {
	*gpcard.Card
	reader string // reader name or sim:PATH
	t      reader.Transport
	log    *slog.Logger
	keys   *keyChain // provider of Authenticate; nil before
	closer func()
}

// Close ends the secure channel, the reader transaction and the connection,
// and wipes the keys.
func (s *session) Close() {
	if s.Card != nil {
		s.Card.Close()
	}
	if s.keys != nil {
		s.keys.cur.zero()
		if s.keys.next != nil {
			s.keys.next.zero()
		}
	}
	s.closer()
}

// logger returns the debug logger of -dd (nil handler output otherwise).
// Attributes named key, pin or token are dropped as a backstop.
func (a *app) logger() *slog.Logger {
	level := slog.LevelInfo
	if a.g.trace >= 2 {
		level = slog.LevelDebug
	}
	h := slog.NewTextHandler(a.stderr, &slog.HandlerOptions{Level: level, ReplaceAttr: func(_ []string, at slog.Attr) slog.Attr {
		switch strings.ToLower(at.Key) {
		case "key", "pin", "token":
			return slog.Attr{}
		case slog.TimeKey:
			return slog.Attr{} // traces are compared across runs
		}
		return at
	}})
	return slog.New(h)
}

// openTransport reaches the card named by --reader: a simulated card image
// (created with the default profile when missing) or a PC/SC reader, in
// which case a transaction keeps other applications out until closed.
func (a *app) openTransport(ctx context.Context, log *slog.Logger) (reader.Transport, string, func(), error) {
	spec := a.g.reader
	if path, ok := strings.CutPrefix(spec, simPrefix); ok {
		if path == "" {
			return nil, "", nil, usagef("--reader sim:PATH needs a path")
		}
		card, created, err := openSim(path)
		if err != nil {
			return nil, "", nil, err
		}
		if created {
			fmt.Fprintf(a.stderr, "Created simulated card %s (profile %s)\n", path, profile.DefaultName)
		}
		log.Debug("simulated card", "reader", spec, "created", created)
		t := card.Transport()
		return t, spec, func() { t.Close() }, nil
	}
	p, err := reader.Open(ctx, spec, 0, reader.ConnectOptions{})
	if err != nil {
		return nil, "", nil, err
	}
	if err := p.Begin(ctx); err != nil {
		p.Close()
		return nil, "", nil, err
	}
	log.Debug("connected", "reader", p.Reader(), "atr", fmt.Sprintf("%X", p.ATR()))
	return p, p.Reader(), func() { p.Close() }, nil
}

// openSim opens the card image at path, creating it from the default
// profile when it does not exist.
func openSim(path string) (*sim.Card, bool, error) {
	opts, err := simOptions()
	if err != nil {
		return nil, false, err
	}
	c, err := sim.Open(path, opts...)
	if err == nil {
		return c, false, nil
	}
	if _, serr := os.Stat(path); !errors.Is(serr, fs.ErrNotExist) {
		return nil, false, err
	}
	c, err = sim.Create(path, profile.Default(), opts...)
	return c, err == nil, err
}

// simOptions are the options of every simulated card gpcard runs: the Go
// applets it hosts (the e-purse of applet/payment); other applets are inert.
func simOptions() ([]sim.Option, error) {
	r := new(applet.Registry)
	if err := payment.Register(r); err != nil {
		return nil, err
	}
	return []sim.Option{sim.WithRegistry(r)}, nil
}

// connect opens the card and selects the security domain (--sd or the
// discovered ISD): one SELECT.
func (a *app) connect(ctx context.Context) (*session, error) {
	sd, err := optAID("--sd", a.g.sd)
	if err != nil {
		return nil, err
	}
	log := a.logger()
	t, name, closer, err := a.openTransport(ctx, log)
	if err != nil {
		return nil, err
	}
	o := gpcard.Options{SD: sd}
	if a.g.trace > 0 {
		o.Trace = func(e reader.Exchange) { fmt.Fprintln(a.stderr, reader.FormatExchange(e)) }
	}
	card, err := gpcard.Connect(ctx, t, o)
	if err != nil {
		closer()
		return nil, err
	}
	log.Debug("selected", "reader", name, "sd", fmt.Sprintf("%X", card.SD()))
	return &session{Card: card, reader: name, t: t, log: log, closer: closer}, nil
}

// open connects and authenticates with the global key flags; next, when
// non-nil, are new keys the command will send (PUT KEY, SSD keys).
func (a *app) open(ctx context.Context, next *keySource) (*session, error) {
	kc, auth, err := a.keyChain(next)
	if err != nil {
		return nil, err
	}
	stop := a.busy("connecting")
	defer stop()
	s, err := a.connect(ctx)
	if err != nil {
		kc.cur.zero()
		return nil, err
	}
	s.keys = kc
	if err := s.Authenticate(ctx, kc, auth); err != nil {
		s.Close()
		return nil, err
	}
	s.log.Debug("authenticated", "sd", fmt.Sprintf("%X", s.SD()), "kvn", auth.KVN, "scp", auth.SCP)
	return s, nil
}

// keyChain parses the global key flags into the command's key provider.
func (a *app) keyChain(next *keySource) (*keyChain, gpcard.AuthOptions, error) {
	auth, err := a.g.authOptions()
	if err != nil {
		return nil, auth, err
	}
	cur, err := parseKeySource("--key", a.g.key, a.g.keyENC, a.g.keyMAC, a.g.keyDEK)
	if err != nil {
		return nil, auth, err
	}
	return &keyChain{cur: cur, kvn: auth.KVN, next: next}, auth, nil
}
