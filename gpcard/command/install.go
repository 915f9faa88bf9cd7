package command

import (
	"fmt"

	"github.com/cardhost/cardhost/gpcard/tlv"
	"github.com/skythen/apdu"
)

// INSTALL P1 values (GPCS 2.3.1 §11.5.2.1, Table 11-41).
const (
	installForLoad            = 0x02
	installForInstall         = 0x04
	installForMakeSelectable  = 0x08
	installForExtradition     = 0x10
	installForPersonalization = 0x20
	installForRegistryUpdate  = 0x40
)

// SystemParams are the memory quotas of the EF system specific parameters
// (GPCS 2.3.1 §11.5.2.3.7, Table 11-49/11-50); zero means absent.
type SystemParams struct {
	// NonVolatileCode is the non-volatile code space limit (C6, load only).
	NonVolatileCode uint32
	// Volatile is the volatile data space limit / quota (C7).
	Volatile uint32
	// NonVolatileData is the non-volatile data space limit / quota (C8).
	NonVolatileData uint32
}

// appendQuota codes a limit in 2 bytes, or 4 above 32767 (GPCS 2.3.1
// Table 11-50 note: 4-byte values are for quotas beyond 32767 bytes).
func appendQuota(tag tlv.Tag, v uint32, out []tlv.TLV) []tlv.TLV {
	switch {
	case v == 0:
		return out
	case v <= 0x7FFF:
		return append(out, tlv.New(tag, []byte{byte(v >> 8), byte(v)}))
	}
	return append(out, tlv.New(tag, []byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}))
}

// TLV returns the EF template, or ok false when every quota is zero.
func (s SystemParams) TLV() (t tlv.TLV, ok bool) {
	var kids []tlv.TLV
	kids = appendQuota(0xC6, s.NonVolatileCode, kids)
	kids = appendQuota(0xC7, s.Volatile, kids)
	kids = appendQuota(0xC8, s.NonVolatileData, kids)
	if len(kids) == 0 {
		return tlv.TLV{}, false
	}
	return tlv.NewConstructed(0xEF, kids...), true
}

// InstallForLoadParams is the data of INSTALL [for load] (GPCS 2.3.1
// §11.5.2.3.1, Table 11-42).
type InstallForLoadParams struct {
	// LoadFile is the executable load file (package) AID.
	LoadFile []byte
	// SecurityDomain is the AID of the SD to associate with; empty for the
	// default (the ISD or the current SD).
	SecurityDomain []byte
	// Hash is the load file data block hash; empty when not needed.
	Hash []byte
	// System adds the EF memory limits to the load parameters.
	System SystemParams
	// Token is the load token (delegated management); empty when none.
	Token []byte
}

// InstallForLoad returns 80 E6 02 00 Lc LV(ELF) LV(SD) LV(hash) LV(load
// params) LV(token) 00.
func InstallForLoad(p InstallForLoadParams) (apdu.Capdu, error) {
	if err := checkAID("INSTALL [for load]: load file", p.LoadFile, false); err != nil {
		return apdu.Capdu{}, err
	}
	if err := checkAID("INSTALL [for load]: security domain", p.SecurityDomain, true); err != nil {
		return apdu.Capdu{}, err
	}
	var params []byte
	if ef, ok := p.System.TLV(); ok {
		params = ef.Bytes()
	}
	return installLV(NameInstallForLoad, installForLoad, 0,
		[][]byte{p.LoadFile, p.SecurityDomain, p.Hash}, params, p.Token)
}

// installLV builds an INSTALL whose data is one-byte LVs, then BER-LV
// parameters and token (GPCS 2.3.1 Tables 11-42..11-47).
func installLV(name string, p1, p2 byte, lvs [][]byte, params, token []byte) (apdu.Capdu, error) {
	var data []byte
	var err error
	for _, v := range lvs {
		if data, err = tlv.AppendLV(data, v); err != nil {
			return apdu.Capdu{}, fmt.Errorf("%s: %w", name, err)
		}
	}
	if len(params) > tlv.MaxLength || len(token) > tlv.MaxLength {
		return apdu.Capdu{}, fmt.Errorf("%s: parameters or token too long", name)
	}
	data = tlv.AppendBERLV(data, params)
	data = tlv.AppendBERLV(data, token)
	if err := checkData(name, data); err != nil {
		return apdu.Capdu{}, err
	}
	return apdu.Capdu{Cla: claGP, Ins: insInstall, P1: p1, P2: p2, Data: data, Ne: neMax}, nil
}

// InstallParams are the install parameters of INSTALL [for install] and
// [for make selectable] (GPCS 2.3.1 §11.5.2.3.7, Table 11-49).
type InstallParams struct {
	// Application is the content of C9, passed to the applet (for a security
	// domain, BER-TLV such as SDParams). C9 is always sent, empty as C9 00.
	Application []byte
	// System adds EF with the C7/C8 quotas (C6 is ignored here).
	System SystemParams
	// ETSI is the content of EA (ETSI TS 102 226), sent when non-empty.
	ETSI []byte
}

// Bytes encodes C9 [EF] [EA].
func (p InstallParams) Bytes() []byte {
	b := tlv.New(0xC9, p.Application).Bytes()
	sys := p.System
	sys.NonVolatileCode = 0
	if ef, ok := sys.TLV(); ok {
		b = ef.Append(b)
	}
	if len(p.ETSI) > 0 {
		b = tlv.New(0xEA, p.ETSI).Append(b)
	}
	return b
}

// SDParams returns C9 content for a new security domain in the style of
// gp-card.md §1.5 (GlobalPlatformPro --domain): 81 02 <scp> <i>, followed by
// extra data objects (e.g. 82 02 20 20 to accept extradition). The layout is
// card-profile data, not core GPCS.
func SDParams(scp, i byte, extra ...tlv.TLV) []byte {
	return tlv.Encode(append([]tlv.TLV{tlv.New(0x81, []byte{scp, i})}, extra...)...)
}

// InstallForInstallParams is the data of INSTALL [for install] (GPCS 2.3.1
// §11.5.2.3.2, Table 11-43).
type InstallForInstallParams struct {
	// LoadFile, Module and Application are the package, applet class and
	// new instance AIDs.
	LoadFile, Module, Application []byte
	// Privileges is the 1- or 3-byte privilege field (see Privileges).
	Privileges []byte
	// Params are the install parameters.
	Params InstallParams
	// MakeSelectable sends INSTALL [for install and make selectable] (P1 0C).
	MakeSelectable bool
	// Token is the install token (delegated management); empty when none.
	Token []byte
}

// InstallForInstall returns 80 E6 04|0C 00 Lc LV(ELF) LV(module) LV(app)
// LV(privileges) LV(C9 …) LV(token) 00.
func InstallForInstall(p InstallForInstallParams) (apdu.Capdu, error) {
	name, p1 := NameInstallForInstall, byte(installForInstall)
	if p.MakeSelectable {
		name, p1 = NameInstallForInstallMakeSelectable, installForInstall|installForMakeSelectable
	}
	for _, f := range []struct {
		field string
		aid   []byte
	}{{"load file", p.LoadFile}, {"module", p.Module}, {"application", p.Application}} {
		if err := checkAID(name+": "+f.field, f.aid, false); err != nil {
			return apdu.Capdu{}, err
		}
	}
	if len(p.Privileges) != 1 && len(p.Privileges) != 3 {
		return apdu.Capdu{}, fmt.Errorf("%s: privileges of %d bytes, want 1 or 3", name, len(p.Privileges))
	}
	return installLV(name, p1, 0, [][]byte{p.LoadFile, p.Module, p.Application, p.Privileges}, p.Params.Bytes(), p.Token)
}

// InstallForMakeSelectable returns INSTALL [for make selectable] (GPCS 2.3.1
// Table 11-44): 80 E6 08 00 Lc 00 00 LV(app) LV(privileges) LV(params)
// LV(token) 00. params may be empty (a single 00 length).
func InstallForMakeSelectable(app, privileges, params, token []byte) (apdu.Capdu, error) {
	if err := checkAID(NameInstallForMakeSelectable+": application", app, false); err != nil {
		return apdu.Capdu{}, err
	}
	if len(privileges) != 1 && len(privileges) != 3 {
		return apdu.Capdu{}, fmt.Errorf("%s: privileges of %d bytes, want 1 or 3", NameInstallForMakeSelectable, len(privileges))
	}
	return installLV(NameInstallForMakeSelectable, installForMakeSelectable, 0, [][]byte{nil, nil, app, privileges}, params, token)
}

// InstallForPersonalization returns INSTALL [for personalization] (GPCS
// 2.3.1 Table 11-47): 80 E6 20 00 Lc 00 00 LV(app) 00 00 00 00.
func InstallForPersonalization(app []byte) (apdu.Capdu, error) {
	if err := checkAID(NameInstallForPersonalization+": application", app, false); err != nil {
		return apdu.Capdu{}, err
	}
	return installLV(NameInstallForPersonalization, installForPersonalization, 0, [][]byte{nil, nil, app, nil}, nil, nil)
}

// InstallForExtradition returns INSTALL [for extradition] (GPCS 2.3.1
// Table 11-45): 80 E6 10 00 Lc LV(SD) 00 LV(app or ELF) 00 LV(params)
// LV(token) 00, moving app under the security domain sd.
func InstallForExtradition(sd, app, params, token []byte) (apdu.Capdu, error) {
	if err := checkAID(NameInstallForExtradition+": security domain", sd, false); err != nil {
		return apdu.Capdu{}, err
	}
	if err := checkAID(NameInstallForExtradition+": application", app, false); err != nil {
		return apdu.Capdu{}, err
	}
	return installLV(NameInstallForExtradition, installForExtradition, 0, [][]byte{sd, nil, app, nil}, params, token)
}

// InstallForRegistryUpdate returns INSTALL [for registry update] (GPCS
// 2.3.1 Table 11-46): 80 E6 40 00 Lc LV(SD) 00 LV(app) LV(privileges)
// LV(params) LV(token) 00. sd, app and privileges may be empty.
func InstallForRegistryUpdate(sd, app, privileges, params, token []byte) (apdu.Capdu, error) {
	if err := checkAID(NameInstallForRegistryUpdate+": security domain", sd, true); err != nil {
		return apdu.Capdu{}, err
	}
	if err := checkAID(NameInstallForRegistryUpdate+": application", app, true); err != nil {
		return apdu.Capdu{}, err
	}
	if n := len(privileges); n != 0 && n != 1 && n != 3 {
		return apdu.Capdu{}, fmt.Errorf("%s: privileges of %d bytes, want 0, 1 or 3", NameInstallForRegistryUpdate, n)
	}
	return installLV(NameInstallForRegistryUpdate, installForRegistryUpdate, 0, [][]byte{sd, nil, app, privileges}, params, token)
}
