package sim

import (
	"github.com/cardhost/cardhost/applet"
	"github.com/cardhost/cardhost/gpcard/sw"
	"github.com/cardhost/cardhost/sim/image"
)

// storage is an applet's view of its persistent memory during one call:
// writes go to an overlay that the card commits with the command, or drops.
type storage struct {
	base    map[string][]byte
	writes  map[string][]byte // nil value = deleted
	changed bool
}

var _ applet.Storage = (*storage)(nil)

func newStorage(base map[string][]byte) *storage { return &storage{base: base} }

// Get returns the value of name, or nil.
func (s *storage) Get(name string) []byte {
	if v, ok := s.writes[name]; ok {
		return v
	}
	return s.base[name]
}

// Put stores a copy of value under name.
func (s *storage) Put(name string, value []byte) {
	if s.writes == nil {
		s.writes = map[string][]byte{}
	}
	s.writes[name] = append([]byte{}, value...)
	s.changed = true
}

// Delete removes name.
func (s *storage) Delete(name string) {
	if s.writes == nil {
		s.writes = map[string][]byte{}
	}
	s.writes[name] = nil
	s.changed = true
}

// apply writes the overlay into m (a map of a cloned state) and returns it.
func (s *storage) apply(m map[string][]byte) map[string][]byte {
	if m == nil {
		m = map[string][]byte{}
	}
	for k, v := range s.writes {
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
	}
	return m
}

func (c *Card) appletContext(st *storage, chNum int, level byte) applet.Context {
	if st == nil {
		st = newStorage(nil) // writes on a path that cannot commit are dropped
	}
	return applet.Context{Storage: st, Channel: chNum, SecurityLevel: level}
}

// live returns the running instance for aid if one exists.
func (c *Card) live(aid []byte) applet.Applet { return c.applets[string(aid)] }

// instance returns the running instance of app, creating it from the
// registry (or applet.Inert) after power-up; its state is in its storage.
func (c *Card) instance(app *image.App) applet.Applet {
	if a := c.live(app.AID); a != nil {
		return a
	}
	a := c.newApplet(app.LoadFile, app.Module)
	if c.applets == nil {
		c.applets = map[string]applet.Applet{}
	}
	c.applets[string(app.AID)] = a
	return a
}

func (c *Card) newApplet(loadFile, module []byte) applet.Applet {
	if f, ok := c.registry.Lookup(loadFile, module); ok {
		if a := f(); a != nil {
			return a
		}
	}
	return applet.Inert{}
}

// appletSelect runs the applet's Select and commits its storage writes.
func (c *Card) appletSelect(ch *channel, chNum int, app *image.App) ([]byte, uint16) {
	a := c.instance(app)
	return c.appletCall(app, chNum, func(ctx applet.Context) ([]byte, uint16) { return a.Select(ctx) })
}

// appletProcess forwards a command to the selected applet.
func (c *Card) appletProcess(ch *channel, chNum int, app *image.App, raw []byte) ([]byte, uint16) {
	if !app.Selectable() {
		return nil, sw.ConditionsNotSatisfied
	}
	a := c.instance(app)
	cmd := append([]byte(nil), raw...)
	return c.appletCall(app, chNum, func(ctx applet.Context) ([]byte, uint16) { return a.Process(ctx, cmd) })
}

// appletCall runs f with a storage overlay and commits the writes together
// with the command when the applet answered; a panicking applet answers
// 6F00 and its writes are dropped.
func (c *Card) appletCall(app *image.App, chNum int, f func(applet.Context) ([]byte, uint16)) (data []byte, status uint16) {
	st := newStorage(app.Storage)
	defer func() {
		if recover() != nil {
			data, status = nil, sw.NoPreciseDiagnosis
		}
	}()
	data, status = f(c.appletContext(st, chNum, 0))
	if !st.changed {
		return data, status
	}
	aid := app.AID
	if _, cs := c.update(func(s *image.State) ([]byte, uint16) {
		a := s.App(aid)
		a.Storage = st.apply(a.Storage)
		return nil, swOK
	}); cs != swOK {
		return nil, cs
	}
	return data, status
}
