package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/cardhost/cardhost/tsm/keystore"
)

// Config is the tsm configuration file (JSON). Flags override it; it
// overrides the defaults of DefaultConfig.
type Config struct {
	// Store is the database: "sqlite:///path", a plain path, or a
	// postgres:// URL (put the password in a pgpass file, not here).
	Store string `json:"store"`
	// Keystore selects the key store; nil means the demo's sealed file.
	Keystore *keystore.Config `json:"keystore,omitempty"`
	// LogLevel is debug, info, warn or error.
	LogLevel string `json:"log_level"`
	// Serve configures `tsm serve`; nil means its defaults.
	Serve *ServeConfig `json:"serve,omitempty"`
}

// DefaultConfig returns the defaults: SQLite (in the demo's directory when
// empty), info logging.
func DefaultConfig() *Config { return &Config{LogLevel: "info"} }

// Load reads the configuration file at path over the defaults; an empty
// path gives the defaults.
func Load(path string) (*Config, error) {
	c := DefaultConfig()
	if path == "" {
		return c, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	d := json.NewDecoder(bytesReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(c); err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	return c, c.Validate()
}

// Validate checks the configuration without changing it.
func (c *Config) Validate() error {
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return errors.New("config: log_level: want debug, info, warn or error")
	}
	if c.Keystore != nil {
		if err := c.Keystore.Validate(); err != nil {
			return fmt.Errorf("config: %w", err)
		}
	}
	if err := c.Serve.Validate(); err != nil {
		return fmt.Errorf("config: %w", err)
	}
	return nil
}
