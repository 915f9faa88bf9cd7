package command

import "fmt"

// Kind is the kind of a registry entry, as `gp -l` labels it.
type Kind int

// Registry entry kinds; the zero value is unset.
const (
	KindISD Kind = iota + 1 // issuer security domain
	KindSSD                 // supplementary security domain
	KindApp                 // application
	KindPkg                 // executable load file (package)
)

// String returns ISD, SSD, APP or PKG.
func (k Kind) String() string {
	switch k {
	case KindISD:
		return "ISD"
	case KindSSD:
		return "SSD"
	case KindApp:
		return "APP"
	case KindPkg:
		return "PKG"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Card life-cycle states (GPCS 2.3.1 §11.1.1, Table 11-6).
const (
	CardOPReady     byte = 0x01
	CardInitialized byte = 0x07
	CardSecured     byte = 0x0F
	CardLocked      byte = 0x7F
	CardTerminated  byte = 0xFF
)

// Application and security domain life-cycle states (GPCS 2.3.1 Tables
// 11-4 and 11-5) and the executable load file state (Table 11-3).
const (
	AppInstalled      byte = 0x03
	AppSelectable     byte = 0x07
	SDPersonalized    byte = 0x0F
	AppLocked         byte = 0x83 // b8 set on top of the previous state
	LoadFileLoaded    byte = 0x01
	lockedMask        byte = 0x83
	appSpecificMaxLCS byte = 0x7F
)

// LifeCycleName names state for an entry of kind k with the names of
// clients.md (`gp -l`): ISD OP_READY/INITIALIZED/SECURED/CARD_LOCKED/
// TERMINATED; SSD INSTALLED/SELECTABLE/PERSONALIZED/LOCKED; APP INSTALLED/
// SELECTABLE/LOCKED (application-specific states 07–7F are SELECTABLE); PKG
// LOADED/LOGICALLY_DELETED. Other values print as "0xNN".
func LifeCycleName(k Kind, state byte) string {
	switch k {
	case KindISD:
		switch state {
		case CardOPReady:
			return "OP_READY"
		case CardInitialized:
			return "INITIALIZED"
		case CardSecured:
			return "SECURED"
		case CardLocked:
			return "CARD_LOCKED"
		case CardTerminated:
			return "TERMINATED"
		}
	case KindSSD:
		switch {
		case state == AppInstalled:
			return "INSTALLED"
		case state == AppSelectable:
			return "SELECTABLE"
		case state == SDPersonalized:
			return "PERSONALIZED"
		case state&lockedMask == lockedMask:
			return "LOCKED"
		}
	case KindApp:
		switch {
		case state == AppInstalled:
			return "INSTALLED"
		case state&lockedMask == lockedMask:
			return "LOCKED"
		case state <= appSpecificMaxLCS && state&AppSelectable == AppSelectable:
			return "SELECTABLE"
		}
	case KindPkg:
		switch state {
		case LoadFileLoaded:
			return "LOADED"
		case 0x00:
			return "LOGICALLY_DELETED"
		}
	}
	return fmt.Sprintf("0x%02X", state)
}
