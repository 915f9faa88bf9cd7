package keystore

import (
	"fmt"
	"path/filepath"
)

// Config selects and configures the key store: the keystore section of the
// TSM configuration. It holds references to secrets, never secrets.
type Config struct {
	// Backend is a registered backend name: "sealed" or "pkcs11".
	Backend string `json:"backend"`
	// Sealed configures the sealed file backend.
	Sealed *SealedConfig `json:"sealed,omitempty"`
	// PKCS11 configures the PKCS#11 backend.
	PKCS11 *PKCS11Config `json:"pkcs11,omitempty"`
}

// SealedConfig configures the sealed file store.
type SealedConfig struct {
	// Path is the store file; it is created on first open.
	Path string `json:"path"`
	// Passphrase references the passphrase the store key is derived from.
	Passphrase SecretRef `json:"passphrase"`
	// Argon2 sets the argon2id cost of a new file; nil means
	// DefaultArgon2. An existing file keeps the parameters it was made with.
	Argon2 *Argon2Params `json:"argon2,omitempty"`
}

// Argon2Params are argon2id cost parameters (RFC 9106 §3.1).
type Argon2Params struct {
	Time      uint32 `json:"time"`       // passes over memory
	MemoryKiB uint32 `json:"memory_kib"` // memory in KiB
	Threads   uint8  `json:"threads"`    // lanes
}

// DefaultArgon2 is RFC 9106 §4's second recommended option: t=3, 64 MiB,
// p=4.
var DefaultArgon2 = Argon2Params{Time: 3, MemoryKiB: 64 * 1024, Threads: 4}

// Validate checks the parameters are usable: time ≥ 1, threads ≥ 1,
// memory ≥ 8 KiB per lane (RFC 9106 §3.1).
func (p Argon2Params) Validate() error {
	if p.Time < 1 || p.Threads < 1 || p.MemoryKiB < 8*uint32(p.Threads) {
		return fmt.Errorf("time and threads must be at least 1 and memory_kib at least 8 per thread")
	}
	return nil
}

// PKCS11Config configures the PKCS#11 store.
type PKCS11Config struct {
	// Module is the absolute path of the PKCS#11 library, e.g.
	// /usr/lib/softhsm/libsofthsm2.so.
	Module string `json:"module"`
	// TokenLabel selects the token (CKA_LABEL of its token info).
	TokenLabel string `json:"token_label"`
	// PIN references the user PIN (the pin-source of RFC 7512 URIs).
	PIN SecretRef `json:"pin"`
	// InsecureAllowDESExport lets 3DES keys with UsePutKey be stored
	// readable by this process (CKA_SENSITIVE false): GP SCP02 encrypts
	// PUT KEY keys with 3DES-ECB under the session DEK, and a token without
	// a DES key-wrapping mechanism (SoftHSM 2.6) cannot do that inside.
	// Without it such imports fail. Warned about at startup.
	InsecureAllowDESExport bool `json:"insecure_allow_des_export,omitempty"`
}

// Validate checks the configuration without touching files or the
// environment; errors name the field path (keystore.sealed.path). It
// accepts nil sub-configurations of backends not selected.
func (c *Config) Validate() error {
	if c == nil {
		return fmt.Errorf("keystore: configuration missing")
	}
	switch c.Backend {
	case "":
		return fmt.Errorf("keystore.backend: required")
	case "sealed":
		return c.Sealed.validate("keystore.sealed")
	case "pkcs11":
		return c.PKCS11.validate("keystore.pkcs11")
	}
	return nil
}

func (c *SealedConfig) validate(path string) error {
	if c == nil {
		return fmt.Errorf("%s: required for backend sealed", path)
	}
	if c.Path == "" {
		return fmt.Errorf("%s.path: required", path)
	}
	if err := c.Passphrase.Validate(); err != nil {
		return fmt.Errorf("%s.passphrase: %w", path, err)
	}
	if c.Argon2 != nil {
		if err := c.Argon2.Validate(); err != nil {
			return fmt.Errorf("%s.argon2: %w", path, err)
		}
	}
	return nil
}

func (c *PKCS11Config) validate(path string) error {
	if c == nil {
		return fmt.Errorf("%s: required for backend pkcs11", path)
	}
	if !filepath.IsAbs(c.Module) {
		return fmt.Errorf("%s.module: must be an absolute path, got %q", path, c.Module)
	}
	if c.TokenLabel == "" || len(c.TokenLabel) > 32 {
		return fmt.Errorf("%s.token_label: must be 1 to 32 characters", path)
	}
	if err := c.PIN.Validate(); err != nil {
		return fmt.Errorf("%s.pin: %w", path, err)
	}
	return nil
}
