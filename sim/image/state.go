package image

import (
	"bytes"
	"fmt"
)

// Card life-cycle states (GPCS 2.3.1 §5.1, Table 11-6).
const (
	CardOPReady     byte = 0x01
	CardInitialized byte = 0x07
	CardSecured     byte = 0x0F
	CardLocked      byte = 0x7F
	CardTerminated  byte = 0xFF
)

// Application and Security Domain life-cycle states (GPCS 2.3.1 Tables
// 11-4, 11-5) and the Executable Load File state (Table 11-3).
const (
	AppInstalled    byte = 0x03
	AppSelectable   byte = 0x07
	SDPersonalized  byte = 0x0F
	LockedBit       byte = 0x80
	LoadFileLoaded  byte = 0x01
	selectableCheck byte = 0x07
)

// Key types of PUT KEY and the Key Information Template (GPCS 2.3.1 Table
// 11-16).
const (
	KeyTypeDES3 byte = 0x80
	KeyTypeAES  byte = 0x88
)

// State is the whole persistent state of a card. The ISD is the first entry of
// Apps. A committed State is never modified; change a Clone.
type State struct {
	Config    Config
	LifeCycle byte // card life-cycle state (CardOPReady …)
	CPLC      []byte
	KDD       []byte // key diversification data returned by INITIALIZE UPDATE
	LoadFiles []LoadFile
	Apps      []App
}

// Config is what the card was manufactured with; it never changes after the
// card is created.
type Config struct {
	ATR              []byte
	GPVersion        [3]byte // e.g. 2,3,1
	MaxBlock         int     // maximum command data length (FCI tag 9F65)
	ExtendedLength   bool
	AuthFailureLimit int // failed authentications before an SD blocks
	MemoryTotal      int // non-volatile memory in bytes
	// SSDKeys are the values of the initial key set (KVN FF, KIDs 1–3 =
	// ENC, MAC, DEK) every new Security Domain starts with, so that its
	// provider can select it, open a secure channel and PUT KEY its own keys
	// (shared/spec/gp-card.md §1.6, way 2). Empty in images written before
	// the field existed: SSDs of such cards start without keys.
	SSDKeys []Key `json:",omitempty"`
}

// LoadFile is an Executable Load File in the registry (GPCS 2.3.1 §5.2).
type LoadFile struct {
	AID       []byte
	Version   [2]byte // major, minor
	SD        []byte  // associated Security Domain AID
	Modules   [][]byte
	Imports   [][]byte // AIDs of the packages this load file depends on
	LifeCycle byte
	Size      int // non-volatile bytes charged
	Hash      []byte
}

// App is an application instance or a Security Domain (Domain non-nil).
type App struct {
	AID        []byte
	LoadFile   []byte // Executable Load File AID
	Module     []byte // Executable Module AID
	LifeCycle  byte
	Privileges [3]byte
	SD         []byte // associated Security Domain AID (the ISD's own AID for the ISD)
	Size       int    // non-volatile bytes charged
	// Storage is the applet's persistent memory. Values are never modified
	// in place, only replaced, so clones may share them.
	Storage map[string][]byte
	Domain  *Domain
}

// Domain is the Security Domain part of an App.
type Domain struct {
	SCP, I       byte
	KeySets      []KeySet
	AuthFailures int
	IIN, CIN     []byte // identification and image numbers (GET DATA 42 / 45)
	DAP          *DAPKey
	// Token is the public key an SD with Token Verification privilege
	// checks Delegated Management tokens with (GPCS 2.3.1 §C.4); nil: none.
	Token *DAPKey `json:",omitempty"`
	// Receipt is the symmetric key an SD with Receipt Generation privilege
	// computes receipts with (GPCS 2.3.1 §C.5): KeyTypeDES3 (16 bytes) or
	// KeyTypeAES (16, 24, 32); nil: no receipts.
	Receipt *Key `json:",omitempty"`
	// Confirmations is the confirmation counter of the receipts generated
	// so far (GET DATA C2; GPCS 2.3.1 §11.3.3.1).
	Confirmations uint16 `json:",omitempty"`
}

// DAPKey is the public key an SD with DAP Verification privilege checks load
// file signatures with (also used for the token verification key).
type DAPKey struct {
	Scheme int    // applet/dap.Scheme value
	PKIX   []byte // DER SubjectPublicKeyInfo
}

// KeySet is the set of keys sharing one Key Version Number.
type KeySet struct {
	KVN     byte
	Keys    []Key
	Counter uint32 // sequence counter (SCP02: 2 bytes, SCP03: 3 bytes)
}

// Key is one secret key. Its String and GoString never print the value.
type Key struct {
	ID     byte
	Type   byte
	Value  []byte
	Usage  byte
	Access byte
}

// String prints the key's identifier, type and length, never its value.
func (k Key) String() string {
	return fmt.Sprintf("key{KID %02X type %02X length %d}", k.ID, k.Type, len(k.Value))
}

// GoString is String, so %#v does not print the key value either.
func (k Key) GoString() string { return k.String() }

// Locked reports whether the application's LOCKED bit is set.
func (a *App) Locked() bool { return a.LifeCycle&LockedBit != 0 }

// Selectable reports whether the application may be selected: SELECTABLE or
// a later application-specific state, not locked (GPCS 2.3.1 Table 11-4).
func (a *App) Selectable() bool {
	return !a.Locked() && a.LifeCycle&selectableCheck == selectableCheck
}

// IsSD reports whether the application has the Security Domain privilege.
func (a *App) IsSD() bool { return a.Privileges[0]&0x80 != 0 }

// KeySet returns the key set with version kvn, or nil.
func (d *Domain) KeySet(kvn byte) *KeySet {
	for i := range d.KeySets {
		if d.KeySets[i].KVN == kvn {
			return &d.KeySets[i]
		}
	}
	return nil
}

// Key returns the key with identifier id, or nil.
func (ks *KeySet) Key(id byte) *Key {
	for i := range ks.Keys {
		if ks.Keys[i].ID == id {
			return &ks.Keys[i]
		}
	}
	return nil
}

// ISD returns the Issuer Security Domain.
func (s *State) ISD() *App { return &s.Apps[0] }

// App returns the application with the given AID, or nil.
func (s *State) App(aid []byte) *App {
	for i := range s.Apps {
		if bytes.Equal(s.Apps[i].AID, aid) {
			return &s.Apps[i]
		}
	}
	return nil
}

// LoadFile returns the load file with the given AID, or nil.
func (s *State) LoadFile(aid []byte) *LoadFile {
	for i := range s.LoadFiles {
		if bytes.Equal(s.LoadFiles[i].AID, aid) {
			return &s.LoadFiles[i]
		}
	}
	return nil
}

// MemoryUsed returns the non-volatile bytes charged to load files and
// applications.
func (s *State) MemoryUsed() int {
	n := 0
	for i := range s.LoadFiles {
		n += s.LoadFiles[i].Size
	}
	for i := range s.Apps {
		n += s.Apps[i].Size
	}
	return n
}

// MemoryFree returns the free non-volatile bytes (never negative).
func (s *State) MemoryFree() int {
	return max(0, s.Config.MemoryTotal-s.MemoryUsed())
}
