// Package applet holds what the simulator needs to host applications written
// in Go in place of Java Card bytecode: the Applet interface, the Storage an
// applet persists into, and a Registry that binds package and applet AIDs to
// Go implementations. Subpackages read and write CAP files (applet/cap), sign
// and verify DAP blocks (applet/dap) and implement applets (applet/payment).
//
// The card manager (sim) instantiates an applet when INSTALL [for install]
// names a module whose AID has a Go implementation; a module without one gets
// an inert applet (SELECT 9000, everything else 6D00).
package applet

import (
	"fmt"
	"strings"
	"sync"
)

// Storage is an applet's persistent memory: named byte strings. Writes made
// while processing one APDU are committed atomically with the card's state
// when the APDU completes; if power is cut first they are lost together
// (the card's transaction rule). Values returned by Get must not be modified.
type Storage interface {
	Get(name string) []byte
	Put(name string, value []byte)
	Delete(name string)
}

// Context is handed to every applet call.
type Context struct {
	// Storage is the applet instance's persistent memory.
	Storage Storage
	// Channel is the logical channel (0–19) of the command.
	Channel int
	// SecurityLevel is the security level of the secure channel the card
	// manager verified the command under (GPCS 2.3.1 §10.6: 01 C-MAC, 02 C-DEC,
	// 10 R-MAC, 20 R-ENC bits); zero for a plain command.
	SecurityLevel byte
}

// Applet is a card application hosted by the simulator. Calls are serialised
// by the card; an implementation needs no locking of its own.
type Applet interface {
	// Install runs once, from INSTALL [for install], with the application
	// specific parameters (the value of tag C9, possibly empty). A non-nil
	// error makes the INSTALL fail with 6A80 and nothing is created.
	Install(ctx Context, params []byte) error
	// Select runs on SELECT of the instance and returns the response data
	// (typically an FCI) and the status word; any SW other than 9000 refuses
	// the selection.
	Select(ctx Context) (data []byte, sw uint16)
	// Deselect runs when another application is selected on the channel, on
	// reset and on power loss.
	Deselect(ctx Context)
	// Process handles a command APDU while the instance is selected and returns
	// the response data and status word. apdu is the plain command (secure
	// messaging already removed by the card manager); it must not be retained.
	Process(ctx Context, apdu []byte) (data []byte, sw uint16)
}

// Personalizer is implemented by applets that accept STORE DATA forwarded by
// their security domain after INSTALL [for personalization] (GPCS 2.3.1
// §11.11, the Application.processData path). p1 is the STORE DATA P1 (format,
// encryption, last block); data is the decrypted data field.
type Personalizer interface {
	StoreData(ctx Context, p1 byte, data []byte) (sw uint16)
}

// Factory makes a new, not yet installed applet instance.
type Factory func() Applet

// Registry binds executable module (applet class) AIDs to Go
// implementations. It is safe for concurrent use. The zero value is empty and
// ready to use.
type Registry struct {
	mu        sync.RWMutex
	factories map[string]entry
}

type entry struct {
	packageAID string
	factory    Factory
}

// Register binds the module AID moduleAID, which belongs to the load file
// packageAID, to f. Registering the same module twice is an error.
func (r *Registry) Register(packageAID, moduleAID []byte, f Factory) error {
	if f == nil {
		return fmt.Errorf("applet: nil factory for module %X", moduleAID)
	}
	if len(moduleAID) < 5 || len(moduleAID) > 16 || len(packageAID) < 5 || len(packageAID) > 16 {
		return fmt.Errorf("applet: AIDs must be 5 to 16 bytes (package %X, module %X)", packageAID, moduleAID)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.factories == nil {
		r.factories = map[string]entry{}
	}
	k := key(moduleAID)
	if _, dup := r.factories[k]; dup {
		return fmt.Errorf("applet: module %X registered twice", moduleAID)
	}
	r.factories[k] = entry{packageAID: key(packageAID), factory: f}
	return nil
}

// Lookup returns the factory for moduleAID in load file packageAID, or false
// when no Go implementation is registered for that pair.
func (r *Registry) Lookup(packageAID, moduleAID []byte) (Factory, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	e, ok := r.factories[key(moduleAID)]
	if !ok || e.packageAID != key(packageAID) {
		return nil, false
	}
	return e.factory, true
}

func key(aid []byte) string { return strings.ToUpper(fmt.Sprintf("%X", aid)) }

// Inert is the applet the simulator installs for a module with no Go
// implementation: it can be selected (9000, no data) and answers every other
// command with 6D00 (instruction not supported).
type Inert struct{}

// Install accepts any parameters.
func (Inert) Install(Context, []byte) error { return nil }

// Select succeeds with no data.
func (Inert) Select(Context) ([]byte, uint16) { return nil, 0x9000 }

// Deselect does nothing.
func (Inert) Deselect(Context) {}

// Process answers 6D00.
func (Inert) Process(Context, []byte) ([]byte, uint16) { return nil, 0x6D00 }
