package sim

import (
	"bytes"

	"github.com/cardhost/cardhost/applet"
	"github.com/cardhost/cardhost/gpcard/sw"
	"github.com/cardhost/cardhost/gpcard/tlv"
	"github.com/cardhost/cardhost/sim/image"
)

// INSTALL P1 roles (GPCS 2.3.1 §11.5.2.1, Table 11-41); b8 ("more INSTALL
// commands") is ignored.
const (
	installLoad           = 0x02
	installInstall        = 0x04
	installMakeSelectable = 0x08
	installExtradition    = 0x10
	installPerso          = 0x20
	installRegistryUpdate = 0x40
)

// Security Domain load file and module AIDs (GP and the older Visa/OP ones,
// shared/spec/gp-card.md §1.4).
var sdModules = map[string]string{
	"\xA0\x00\x00\x01\x51\x53\x50": "\xA0\x00\x00\x01\x51\x53\x50\x41",
	"\xA0\x00\x00\x00\x03\x53\x50": "\xA0\x00\x00\x00\x03\x53\x50\x41",
}

// install handles INSTALL (GPCS 2.3.1 §11.5). Tokens are checked by
// checkToken; the response data is a single 00 byte, or for an operation
// authorised by a token the confirmation with its receipt (confirm).
func (c *Card) install(ch *channel, sd *image.App, cmd command) ([]byte, uint16) {
	if cmd.p2 != 0 {
		return nil, sw.IncorrectP1P2 // combined load+install (P2 01/03) is not supported
	}
	ch.load, ch.perso = nil, nil
	switch cmd.p1 & 0x7F {
	case installLoad, installInstall, installInstall | installMakeSelectable, installMakeSelectable,
		installPerso, installExtradition, installRegistryUpdate:
	default:
		return nil, sw.IncorrectP1P2
	}
	f, err := parseInstall(cmd.p1&0x7F, cmd.data)
	if err != nil {
		return nil, sw.WrongData
	}
	// Delegated Management (GPCS 2.3.1 §C.4): the token signs P1 ‖ P2 ‖ Lc ‖
	// the data before the token field.
	delegated, st := checkToken(c.state, sd, tokenData(cmd.p1, cmd.p2, cmd.data[:f.tokenAt]), f.token)
	if st != swOK {
		return nil, st
	}
	// done answers a committed operation: a confirmation for a delegated
	// one, else 00 (§11.5.3).
	done := func(s *image.State, st uint16, aids ...[]byte) ([]byte, uint16) {
		if st != swOK {
			return nil, st
		}
		if !delegated {
			return []byte{0}, swOK
		}
		return confirm(s, aids...)
	}
	switch cmd.p1 & 0x7F {
	case installLoad:
		return c.installForLoad(ch, sd, f, delegated)
	case installInstall, installInstall | installMakeSelectable:
		return c.update(func(s *image.State) ([]byte, uint16) {
			// Install receipt: ELF, application.
			return done(s, c.installForInstall(s, sd, f, cmd.p1&installMakeSelectable != 0), f.loadFile, f.app)
		})
	case installMakeSelectable:
		return c.update(func(s *image.State) ([]byte, uint16) { return done(s, makeSelectable(s, sd, f), f.app) })
	case installPerso:
		if delegated {
			return nil, sw.WrongData // no token in INSTALL [for personalization] (Table 11-47)
		}
		return c.installForPerso(ch, sd, f)
	case installExtradition:
		return c.update(func(s *image.State) ([]byte, uint16) {
			// Extradition receipt: old SD, application, new SD.
			old := bytesClone(association(s, f.app))
			return done(s, extradite(s, sd, f.sd, f.app), old, f.app, f.sd)
		})
	case installRegistryUpdate:
		return c.update(func(s *image.State) ([]byte, uint16) { return done(s, registryUpdate(s, sd, f), f.app) })
	}
	return nil, sw.IncorrectP1P2
}

// association returns the SD an application or load file is associated
// with, or nil.
func association(s *image.State, aid []byte) []byte {
	if app := s.App(aid); app != nil {
		return app.SD
	}
	if lf := s.LoadFile(aid); lf != nil {
		return lf.SD
	}
	return nil
}

// installFields is the decoded INSTALL data field; which fields exist depends
// on P1 (GPCS 2.3.1 Tables 11-42..11-47).
type installFields struct {
	loadFile, module, app, sd, hash []byte
	privileges                      []byte
	params                          []byte // install / load parameters (BER-TLV)
	token                           []byte
	tokenAt                         int // offset of the token's length field
}

// parseInstall decodes the data field for role p1.
func parseInstall(p1 byte, data []byte) (installFields, error) {
	var f installFields
	r := lvReader{b: data}
	switch p1 {
	case installLoad: // Table 11-42: LF AID, SD AID, hash, load params, token
		f.loadFile, f.sd, f.hash = r.lv(), r.lv(), r.lv()
		f.params = r.berLV()
		f.tokenAt = len(data) - len(r.b)
		f.token = r.berLV()
	case installInstall, installInstall | installMakeSelectable, installMakeSelectable:
		// Table 11-43 / 11-44: ELF, module, application, privileges, params, token
		f.loadFile, f.module, f.app, f.privileges = r.lv(), r.lv(), r.lv(), r.lv()
		f.params = r.berLV()
		f.tokenAt = len(data) - len(r.b)
		f.token = r.berLV()
	case installPerso: // Table 11-47: 00 00 LV(AID) 00 00 00
		r.lv()
		r.lv()
		f.app = r.lv()
		r.lv()
		r.berLV()
		f.tokenAt = len(data) - len(r.b)
		f.token = r.berLV()
	case installExtradition:
		// Table 11-45: LV(SD AID) 00 LV(AID) 00 LV(extradition parameters)
		// LV(token), as GlobalPlatformPro sends it ("no extradition
		// parameters", then the token). The parameters are ignored.
		f.sd = r.lv()
		r.lv()
		f.app = r.lv()
		r.lv()
		r.berLV()
		f.tokenAt = len(data) - len(r.b)
		f.token = r.berLV()
	case installRegistryUpdate: // Table 11-46: LV(SD AID) 00 LV(AID) LV(privs) LV(params) LV(token)
		f.sd = r.lv()
		r.lv()
		f.app, f.privileges = r.lv(), r.lv()
		f.params = r.berLV()
		f.tokenAt = len(data) - len(r.b)
		f.token = r.berLV()
	default:
		return f, errBadInstall
	}
	if r.err != nil || len(r.b) != 0 {
		return f, errBadInstall
	}
	return f, nil
}

// validAID reports whether aid has a legal length (5–16 bytes).
func validAID(aid []byte) bool { return len(aid) >= 5 && len(aid) <= 16 }

// mayManage reports whether the requesting SD may manage content associated
// with assoc: the ISD may always; an SSD needs Authorized Management or
// Delegated Management (whose token checkToken has verified) and may manage
// only content associated with itself (GPCS 2.3.1 §9.2.1, §11.5.2.3).
func mayManage(s *image.State, req *image.App, assoc []byte) bool {
	if isISD(s, req.AID) {
		return true
	}
	return (has(req.Privileges[1], privAuthorizedMgmt) || has(req.Privileges[0], privDelegatedMgmt)) && bytes.Equal(assoc, req.AID)
}

// installForInstall creates an application or Security Domain (GPCS 2.3.1
// §11.5.2.3.2). The new instance is associated with the requesting SD.
func (c *Card) installForInstall(s *image.State, sd *image.App, f installFields, selectable bool) uint16 {
	if !validAID(f.loadFile) || !validAID(f.module) || !validAID(f.app) {
		return sw.WrongData
	}
	req := s.App(sd.AID)
	lf := s.LoadFile(f.loadFile)
	if lf == nil {
		return sw.ReferencedDataNotFound
	}
	if !isISD(s, req.AID) && !mayManage(s, req, req.AID) {
		return sw.SecurityStatus
	}
	if !isISD(s, req.AID) && !bytes.Equal(lf.SD, req.AID) && !isISD(s, lf.SD) {
		return sw.SecurityStatus // an SSD instantiates its own or the issuer's code
	}
	if !containsAID(lf.Modules, f.module) {
		return sw.ReferencedDataNotFound
	}
	if s.App(f.app) != nil || s.LoadFile(f.app) != nil {
		return sw.ConditionsNotSatisfied
	}
	privs, ok := expandPrivileges(f.privileges)
	if !ok {
		return sw.WrongData
	}
	// §11.5.2.3.2: Card Reset needs the application to be made selectable.
	if privs[0]&privCardReset != 0 && !selectable {
		return sw.WrongData
	}
	// Card-wide privileges can only be granted by the ISD (derived).
	if !isISD(s, req.AID) && (privs[0]&(privCardLock|privCardTerminate|privCardReset) != 0 || privs[1]&0x1C != 0) {
		return sw.SecurityStatus
	}
	params, ok := parseInstallParams(f.params)
	if !ok || len(f.params) == 0 { // C9 is mandatory (Table 11-49)
		return sw.WrongData
	}
	isSDModule := sdModules[string(lf.AID)] == string(f.module)
	if isSDModule != (privs[0]&privSecurityDomain != 0) {
		return sw.WrongData // SD privilege and SD module go together
	}
	app := image.App{
		AID: bytesClone(f.app), LoadFile: bytesClone(lf.AID), Module: bytesClone(f.module),
		LifeCycle: image.AppInstalled, Privileges: privs, SD: bytesClone(req.AID),
		Size: appletInstanceSize + params.quota,
	}
	if selectable {
		app.LifeCycle = image.AppSelectable
	}
	if isSDModule {
		d, ok := c.newDomain(req, params.c9)
		if !ok {
			return sw.WrongData
		}
		app.Domain = d
		app.Size = sdInstanceSize + params.quota
	} else {
		st := newStorage(nil)
		a := c.newApplet(lf.AID, f.module)
		if err := installApplet(a, c.appletContext(st, 0, 0), params.c9); err != nil {
			return sw.WrongData
		}
		if st.changed {
			app.Storage = st.apply(nil)
		}
	}
	if app.Size > s.MemoryFree() {
		return sw.NotEnoughMemory
	}
	s.Apps = append(s.Apps, app)
	return swOK
}

// installApplet runs Install, turning a panic into an error.
func installApplet(a applet.Applet, ctx applet.Context, params []byte) (err error) {
	defer func() {
		if recover() != nil {
			err = errBadInstall
		}
	}()
	return a.Install(ctx, params)
}

// newDomain builds the domain of a new SSD from the C9 parameters: they must
// be BER-TLV (GPCS 2.3.1 Table 11-49); tag 81 {SCP, i} selects the protocol
// (GlobalPlatformPro --domain, shared/spec/gp-card.md §1.5), default the
// requester's. Other tags are accepted and ignored. The SSD starts with the
// card's initial key set KVN FF (ssdInitialKeys), which its provider
// replaces by PUT KEY on the SSD's own secure channel or the ISD by STORE
// DATA (gp-card.md §1.6, ways 2 and 1); adding a set next to it removes it
// (storeKeys).
func (c *Card) newDomain(req *image.App, c9 []byte) (*image.Domain, bool) {
	objs, err := tlv.Parse(c9)
	if err != nil {
		return nil, false
	}
	d := &image.Domain{SCP: req.Domain.SCP, I: req.Domain.I}
	if o, ok := tlv.Find(objs, 0x81); ok {
		if len(o.Value) != 2 {
			return nil, false
		}
		d.SCP, d.I = o.Value[0], o.Value[1]
	}
	var opts []byte
	switch d.SCP {
	case 0x02:
		opts = scp02Options
	case 0x03:
		opts = scp03Options
	default:
		return nil, false
	}
	if bytes.IndexByte(opts, d.I) < 0 {
		return nil, false
	}
	d.KeySets = ssdInitialKeys(c.state.Config.SSDKeys, d.SCP)
	return d, true
}

// ssdInitialKeys returns the initial key set of a new SD with protocol scp:
// KVN FF holding values as 3DES keys for SCP02 (16 bytes, GPCS 2.3.1 §E.1.2)
// or AES keys for SCP03 (16, 24 or 32 bytes, Amd D §6.1). Values that do not
// fit the protocol, or none, give no key set.
func ssdInitialKeys(values []image.Key, scp byte) []image.KeySet {
	ks := image.KeySet{KVN: 0xFF}
	for _, k := range values {
		t, n := image.KeyTypeAES, len(k.Value)
		if scp == 0x02 {
			t = image.KeyTypeDES3
		}
		if (scp == 0x02 && n != 16) || (scp == 0x03 && n != 16 && n != 24 && n != 32) {
			return nil
		}
		ks.Keys = append(ks.Keys, image.Key{ID: k.ID, Type: t, Value: bytesClone(k.Value)})
	}
	if len(ks.Keys) == 0 {
		return nil
	}
	return []image.KeySet{ks}
}

// installParams is the decoded install parameter field.
type installParams struct {
	c9    []byte // application specific parameters
	quota int    // EF / C8 non-volatile quota
}

// parseInstallParams decodes C9 (mandatory, Table 11-49) and EF { C8 } (2 or
// 4 bytes). Empty input is allowed for make selectable.
func parseInstallParams(b []byte) (installParams, bool) {
	var p installParams
	if len(b) == 0 {
		return p, true
	}
	objs, err := tlv.Parse(b)
	if err != nil {
		return p, false
	}
	c9, ok := tlv.Find(objs, 0xC9)
	if !ok {
		return p, false
	}
	p.c9 = c9.Value
	if ef, ok := tlv.Find(objs, 0xEF); ok {
		if q, ok := ef.Find(0xC8); ok {
			if len(q.Value) != 2 && len(q.Value) != 4 {
				return p, false
			}
			for _, v := range q.Value {
				p.quota = p.quota<<8 | int(v)
			}
		}
	}
	return p, true
}

// expandPrivileges accepts 1 or 3 privilege bytes; one byte leaves bytes 2
// and 3 zero (GPCS 2.3.1 §11.5.2.3.2 note).
func expandPrivileges(b []byte) ([3]byte, bool) {
	var p [3]byte
	if len(b) != 1 && len(b) != 3 {
		return p, false
	}
	copy(p[:], b)
	return p, true
}

// makeSelectable moves an INSTALLED application to SELECTABLE (GPCS 2.3.1
// §11.5.2.3.3).
func makeSelectable(s *image.State, sd *image.App, f installFields) uint16 {
	if len(f.loadFile) != 0 || len(f.module) != 0 || !validAID(f.app) {
		return sw.WrongData
	}
	app := s.App(f.app)
	if app == nil {
		return sw.ReferencedDataNotFound
	}
	if !mayManage(s, s.App(sd.AID), app.SD) {
		return sw.SecurityStatus
	}
	if app.LifeCycle != image.AppInstalled {
		return sw.ConditionsNotSatisfied
	}
	if len(f.privileges) != 0 {
		privs, ok := expandPrivileges(f.privileges)
		if !ok || privs[0]&privSecurityDomain != app.Privileges[0]&privSecurityDomain {
			return sw.WrongData
		}
		app.Privileges = privs
	}
	app.LifeCycle = image.AppSelectable
	return swOK
}

// extradite associates an application or load file with another SD (GPCS
// 2.3.1 §11.5.2.3.4). The requester must manage the object; the target must
// be a Security Domain.
func extradite(s *image.State, sd *image.App, target, aid []byte) uint16 {
	if !validAID(target) || !validAID(aid) {
		return sw.WrongData
	}
	to := s.App(target)
	if to == nil || !to.IsSD() {
		return sw.ReferencedDataNotFound
	}
	req := s.App(sd.AID)
	var assoc *[]byte
	if app := s.App(aid); app != nil && !isISD(s, aid) {
		assoc = &app.SD
	} else if lf := s.LoadFile(aid); lf != nil {
		assoc = &lf.SD
	} else {
		return sw.ReferencedDataNotFound
	}
	if bytes.Equal(aid, target) || !mayManage(s, req, *assoc) {
		return sw.SecurityStatus
	}
	*assoc = bytesClone(target)
	return swOK
}

// registryUpdate changes an application's privileges and/or associated SD
// (GPCS 2.3.1 §11.5.2.3.6). Requires the ISD or Global Registry.
func registryUpdate(s *image.State, sd *image.App, f installFields) uint16 {
	req := s.App(sd.AID)
	if !isISD(s, req.AID) && !has(req.Privileges[1], privGlobalRegistry) {
		return sw.SecurityStatus
	}
	if !validAID(f.app) {
		return sw.WrongData
	}
	app := s.App(f.app)
	if app == nil {
		return sw.ReferencedDataNotFound
	}
	if len(f.privileges) != 0 {
		privs, ok := expandPrivileges(f.privileges)
		if !ok || privs[0]&privSecurityDomain != app.Privileges[0]&privSecurityDomain {
			return sw.WrongData
		}
		app.Privileges = privs
	}
	if len(f.sd) != 0 {
		if st := extradite(s, sd, f.sd, f.app); st != swOK {
			return st
		}
	}
	return swOK
}

func containsAID(list [][]byte, aid []byte) bool {
	for _, a := range list {
		if bytes.Equal(a, aid) {
			return true
		}
	}
	return false
}

func bytesClone(b []byte) []byte { return append([]byte(nil), b...) }
