package sim

import (
	"bytes"

	"github.com/cardhost/cardhost/gpcard/sw"
	"github.com/cardhost/cardhost/sim/image"
)

const swOK = sw.OK

// channel is the volatile state of one logical channel.
type channel struct {
	open     bool
	selected []byte  // AID of the selected application; nil when none
	sess     session // secure channel session with the selected SD
	status   *statusCursor
	load     *loadState
	perso    *persoState
	putKey   *putKeyChain
}

// resetOperations drops every unfinished multi-command operation.
func (ch *channel) resetOperations() {
	ch.status, ch.load, ch.perso, ch.putKey = nil, nil, nil, nil
}

// sdHandler processes a command addressed to the selected Security Domain.
type sdHandler func(c *Card, ch *channel, sd *image.App, cmd command) ([]byte, uint16)

// sdCommand describes a Security Domain command: its handler, whether it
// needs an authenticated secure channel (GPCS 2.3.1 Table 11-2), and whether
// its class must be proprietary (GPCS 2.3.1 Table 11-11).
type sdCommand struct {
	handle        sdHandler
	authenticated bool
	anyClass      bool // interindustry class accepted as well (GET DATA)
}

var sdCommands = map[byte]sdCommand{
	insGetData:    {handle: (*Card).getData, anyClass: true},
	insGetDataOdd: {handle: (*Card).getData, anyClass: true},
	insGetStatus:  {handle: (*Card).getStatus, authenticated: true},
	insSetStatus:  {handle: (*Card).setStatus, authenticated: true},
	insDelete:     {handle: (*Card).delete, authenticated: true},
	insInstall:    {handle: (*Card).install, authenticated: true},
	insLoad:       {handle: (*Card).loadBlock, authenticated: true},
	insPutKey:     {handle: (*Card).putKey, authenticated: true},
	insStoreData:  {handle: (*Card).storeData, authenticated: true},
}

// process handles one command APDU on a powered card and returns the
// response APDU.
func (c *Card) process(raw []byte) []byte {
	cmd, status := parseCommand(raw)
	if status != 0 {
		return respond(nil, status)
	}
	cl, status := decodeClass(cmd.cla)
	if status != 0 {
		return respond(nil, status)
	}
	if cl.channel >= numChannels || !c.channels[cl.channel].open {
		return respond(nil, swChannelNotSupported)
	}
	ch := &c.channels[cl.channel]
	switch cmd.ins {
	case insManageChannel:
		return respond(c.manageChannel(cl, cmd))
	case insSelect:
		if cmd.p1 == 0x04 {
			if cl.proprietary {
				return respond(nil, sw.ClaNotSupported)
			}
			return respond(c.selectByName(ch, cl.channel, cmd))
		}
	}
	app := c.selectedApp(ch)
	if app == nil {
		return respond(nil, sw.FileNotFound)
	}
	if !app.IsSD() {
		return respond(c.appletProcess(ch, cl.channel, app, raw))
	}
	return c.sdProcess(ch, cl, app, cmd, raw)
}

// sdProcess handles a command for the selected SD: initiation commands,
// secure messaging (through the session's protocol package), class and
// security checks, card life-cycle restrictions, then the handler.
func (c *Card) sdProcess(ch *channel, cl class, sd *image.App, cmd command, raw []byte) []byte {
	// GPCS 2.3.1 §5.1.1.5: a TERMINATED card answers only GET DATA (derived:
	// other commands 6985).
	if c.state.LifeCycle == image.CardTerminated && cmd.ins != insGetData && cmd.ins != insGetDataOdd {
		return respond(nil, sw.ConditionsNotSatisfied)
	}
	switch cmd.ins {
	case insInitUpdate, insExtAuth:
		if !cl.proprietary {
			return respond(nil, sw.ClaNotSupported)
		}
		if cmd.ins == insInitUpdate {
			return respond(c.initializeUpdate(ch, sd, raw))
		}
		return respond(c.externalAuthenticate(ch, sd, raw))
	}
	sess := ch.sess
	switch {
	case sess == nil && cl.sm:
		plain, status := c.implicitOpen(ch, sd, raw)
		if status != swOK {
			return respond(nil, status)
		}
		sess = ch.sess
		raw = plain
	case sess != nil:
		plain, status := sess.unwrap(raw)
		if !authenticated(sess) {
			ch.sess, sess = nil, nil // ended by the error, or a pending initiation abandoned
		}
		if status != swOK {
			return respond(nil, status)
		}
		raw = plain
	}
	cmd, status := parseCommand(raw)
	if status != 0 {
		return c.protect(ch, sess, respond(nil, status))
	}
	return c.protect(ch, sess, respond(c.sdCommand(ch, cl, sd, cmd)))
}

// protect applies the response protection of sess if it is still the
// channel's session.
func (c *Card) protect(ch *channel, sess session, rapdu []byte) []byte {
	if sess != nil && ch.sess == sess {
		return sess.wrap(rapdu)
	}
	return rapdu
}

func (c *Card) sdCommand(ch *channel, cl class, sd *image.App, cmd command) ([]byte, uint16) {
	def, ok := sdCommands[cmd.ins]
	if !ok {
		return nil, sw.InsNotSupported
	}
	if !cl.proprietary && !def.anyClass {
		return nil, sw.ClaNotSupported
	}
	if def.authenticated && !authenticated(ch.sess) {
		return nil, sw.SecurityStatus
	}
	if cmd.ins != insGetStatus {
		ch.status = nil
	}
	return def.handle(c, ch, sd, cmd)
}

// selectedApp returns the application selected on ch in the committed
// state, or nil.
func (c *Card) selectedApp(ch *channel) *image.App {
	if ch.selected == nil {
		return nil
	}
	return c.state.App(ch.selected)
}

// isISD reports whether aid is the ISD's.
func isISD(s *image.State, aid []byte) bool { return bytes.Equal(s.ISD().AID, aid) }
