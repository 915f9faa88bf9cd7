package keystore

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"sync"
	"time"
)

// Options carry what a backend needs besides its configuration.
type Options struct {
	// Logger receives ceremony events (import, generate, delete: label,
	// type, KVN, KCVs — never keys) and startup warnings. Nil discards.
	Logger *slog.Logger
	// Now stamps new entries; nil means time.Now.
	Now func() time.Time
	// Rand is the randomness for generated keys, nonces and PUT KEY padding
	// of software backends; nil means crypto/rand. It must be safe for
	// concurrent use.
	Rand io.Reader
}

// WithDefaults returns o with nil fields replaced by their defaults.
func (o Options) WithDefaults() Options {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// OpenFunc opens a backend from the configuration. It reads its own
// sub-configuration (Config.Sealed, Config.PKCS11).
type OpenFunc func(ctx context.Context, cfg Config, o Options) (Store, error)

// backends is the registry Register fills from init functions (STYLE §9:
// init only registers backends).
var backends = struct {
	sync.RWMutex
	m map[string]OpenFunc
}{m: map[string]OpenFunc{}}

// Register makes a backend available to Open under name. It panics if name
// is empty, open is nil or the name is taken: those are programmer errors.
func Register(name string, open OpenFunc) {
	backends.Lock()
	defer backends.Unlock()
	if name == "" || open == nil {
		panic("keystore: Register needs a name and an OpenFunc")
	}
	if _, dup := backends.m[name]; dup {
		panic("keystore: backend " + name + " registered twice")
	}
	backends.m[name] = open
}

// Backends returns the registered backend names, sorted.
func Backends() []string {
	backends.RLock()
	defer backends.RUnlock()
	var names []string
	for n := range backends.m {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Open validates cfg and opens the backend it names.
func Open(ctx context.Context, cfg Config, o Options) (Store, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	backends.RLock()
	open, ok := backends.m[cfg.Backend]
	backends.RUnlock()
	if !ok {
		return nil, fmt.Errorf("keystore.backend: %q is not registered (have %v)", cfg.Backend, Backends())
	}
	return open(ctx, cfg, o.WithDefaults())
}
