package payment

import (
	"github.com/cardhost/cardhost/applet"
	"github.com/cardhost/cardhost/gpcard/sw"
	"github.com/cardhost/cardhost/gpcard/tlv"
)

// Version is the applet version reported by SELECT and GET VERSION unless
// the install parameter tag 80 overrides it.
const Version = "1.0"

// Instruction bytes of the purse commands (CLA 80); see the package doc.
const (
	INSCredit     byte = 0x52
	INSDebit      byte = 0x54
	INSGetCounter byte = 0x56
	INSGetVersion byte = 0x58
	INSGetBalance byte = 0x5C
)

// Flags are the feature flags, set by install parameter tag 81 and by
// personalisation DGI 0104. Bits not named here must be 0.
type Flags byte

// Feature flags.
const (
	// FlagDebit enables DEBIT.
	FlagDebit Flags = 0x01
	// FlagCredit enables CREDIT.
	FlagCredit Flags = 0x02
	// FlagBalanceProtected makes GET BALANCE answer 6982 unless the command
	// came through a secure channel with C-MAC (applet.Context.SecurityLevel
	// bit 01).
	FlagBalanceProtected Flags = 0x04

	flagsKnown = FlagDebit | FlagCredit | FlagBalanceProtected
)

// DefaultFlags apply when neither install parameters nor personalisation
// set the flags: debit and credit enabled, balance readable by anyone.
const DefaultFlags = FlagDebit | FlagCredit

// securityLevelCMAC is the C-MAC bit of applet.Context.SecurityLevel
// (GPCS 2.3.1 §10.6).
const securityLevelCMAC = 0x01

// Purse is the e-purse applet. It keeps no state of its own (everything is
// in applet.Storage), so its zero value is ready and one value may serve any
// number of instances.
type Purse struct{}

var (
	_ applet.Applet       = (*Purse)(nil)
	_ applet.Personalizer = (*Purse)(nil)
)

// New returns a purse applet, not yet installed.
func New() *Purse { return &Purse{} }

// Install stores the install parameters (the value of tag C9; see the
// package doc). It returns an error, making INSTALL fail with 6A80, when they
// are not empty and not the documented BER-TLV.
func (*Purse) Install(ctx applet.Context, params []byte) error {
	ip, err := parseInstallParams(params)
	if err != nil {
		return err
	}
	if ip.version != "" {
		ctx.Storage.Put(nameVersion, []byte(ip.version))
	}
	if ip.hasFlags {
		ctx.Storage.Put(nameFlags, []byte{byte(ip.flags)})
	}
	return nil
}

// Select answers 9000 with the FCI described in the package doc.
func (*Purse) Select(ctx applet.Context) ([]byte, uint16) {
	st := state{ctx.Storage}
	var perso byte
	if st.personalised() {
		perso = 1
	}
	fci := tlv.NewConstructed(0x6F, tlv.NewConstructed(0xA5,
		tlv.New(0x80, []byte(st.version())),
		tlv.New(0x81, []byte{perso}),
		tlv.New(0x82, []byte{byte(st.flags())}),
	))
	return fci.Bytes(), sw.OK
}

// Deselect does nothing: the purse has no transient state.
func (*Purse) Deselect(applet.Context) {}

// Process handles the commands of the package doc. It never panics, whatever
// apdu holds, and does not retain apdu.
func (*Purse) Process(ctx applet.Context, apdu []byte) ([]byte, uint16) {
	if len(apdu) < 4 {
		return nil, sw.WrongLength
	}
	if apdu[0]&0x80 == 0 || apdu[0] == 0xFF {
		return nil, sw.ClaNotSupported
	}
	ins := apdu[1]
	switch ins {
	case INSCredit, INSDebit, INSGetCounter, INSGetVersion, INSGetBalance:
	default:
		return nil, sw.InsNotSupported
	}
	if apdu[2] != 0 || apdu[3] != 0 {
		return nil, sw.IncorrectP1P2
	}
	c, ok := parseCommand(apdu)
	if !ok {
		return nil, sw.WrongLength
	}
	st := state{ctx.Storage}
	if ins == INSCredit || ins == INSDebit {
		if len(c.data) != authLen {
			return nil, sw.WrongLength
		}
		return transaction(st, ins, c.data)
	}
	if len(c.data) != 0 {
		return nil, sw.WrongLength
	}
	if ins == INSGetVersion {
		return c.respond([]byte(st.version()))
	}
	if !st.personalised() {
		return nil, sw.ConditionsNotSatisfied
	}
	if ins == INSGetCounter {
		return c.respond(be32(st.u32(nameCounter)))
	}
	if st.flags()&FlagBalanceProtected != 0 && ctx.SecurityLevel&securityLevelCMAC == 0 {
		return nil, sw.SecurityStatus
	}
	return c.respond(append(be32(st.u32(nameBalance)), st.s.Get(nameCurrency)...))
}
