package main

import (
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"strings"

	"github.com/cardhost/cardhost/tsm/keystore"
)

// ServeConfig is the "serve" section of the configuration file: what `tsm
// serve` needs besides the store, the key store and the log level.
type ServeConfig struct {
	// Listen is the API's address (default 127.0.0.1:8080).
	Listen string `json:"listen"`
	// TLS, when set, serves HTTPS with this certificate and key (PEM
	// files). Without it the API is plain HTTP: keep it on loopback or
	// behind a TLS proxy, since bearer tokens travel in every request.
	TLS *TLSConfig `json:"tls,omitempty"`
	// Keys names the key store entries of the service.
	Keys KeysConfig `json:"keys"`
	// SimCards is a directory of simulated card images (tsm/fleet); when
	// set, the server runs the jobs of every campaign on those cards.
	SimCards string `json:"sim_cards,omitempty"`
	// Readers are PC/SC readers (name, decimal index or unique
	// case-insensitive substring) on each of which the server runs a
	// reader station (jobs.Station) while it serves the API.
	Readers []string `json:"readers,omitempty"`
	// Workers is the number of cards the executor drives at once (default 4).
	Workers int `json:"workers,omitempty"`
	// WorkerID names this instance in job leases and audit entries
	// (default "tsm-serve").
	WorkerID string `json:"worker_id,omitempty"`
	// MaxUploadBytes bounds CAP uploads (default 8 MiB).
	MaxUploadBytes int64 `json:"max_upload_bytes,omitempty"`
}

// TLSConfig names the PEM files of the API's certificate and private key.
type TLSConfig struct {
	CertFile string `json:"cert_file"`
	KeyFile  string `json:"key_file"`
}

// KeysConfig names key store entries by label.
type KeysConfig struct {
	// ISD opens the cards' issuer security domains (default
	// "issuer/isd-master").
	ISD string `json:"isd"`
	// Catalog is the AES key set the catalog derives per-package keys
	// from (default "tsm/catalog"); serve generates it when missing.
	Catalog string `json:"catalog"`
}

// defaultServe returns the serve defaults.
func defaultServe() ServeConfig {
	return ServeConfig{Listen: "127.0.0.1:8080", Keys: KeysConfig{ISD: "issuer/isd-master", Catalog: "tsm/catalog"},
		Workers: 4, WorkerID: "tsm-serve", MaxUploadBytes: 8 << 20}
}

// Validate checks the section without changing it; errors name the field.
func (c *ServeConfig) Validate() error {
	if c == nil {
		return nil
	}
	if c.Listen != "" {
		if _, _, err := net.SplitHostPort(c.Listen); err != nil {
			return fmt.Errorf("serve.listen: %v", err)
		}
	}
	if c.TLS != nil && (c.TLS.CertFile == "" || c.TLS.KeyFile == "") {
		return errors.New("serve.tls: cert_file and key_file are both required")
	}
	for name, l := range map[string]string{"serve.keys.isd": c.Keys.ISD, "serve.keys.catalog": c.Keys.Catalog} {
		if l != "" && keystore.ValidLabel(l) != nil {
			return fmt.Errorf("%s: not a valid key store label", name)
		}
	}
	if c.Workers < 0 || c.Workers > 1000 {
		return errors.New("serve.workers: want 1 to 1000")
	}
	for i, r := range c.Readers {
		if strings.TrimSpace(r) == "" {
			return fmt.Errorf("serve.readers[%d]: empty reader name", i)
		}
	}
	if c.MaxUploadBytes < 0 {
		return errors.New("serve.max_upload_bytes: must not be negative")
	}
	return nil
}

// merged returns the section over the defaults (zero fields take the
// default).
func (c *ServeConfig) merged() ServeConfig {
	d := defaultServe()
	if c == nil {
		return d
	}
	out := *c
	if out.Listen == "" {
		out.Listen = d.Listen
	}
	if out.Keys.ISD == "" {
		out.Keys.ISD = d.Keys.ISD
	}
	if out.Keys.Catalog == "" {
		out.Keys.Catalog = d.Keys.Catalog
	}
	if out.Workers == 0 {
		out.Workers = d.Workers
	}
	if out.WorkerID == "" {
		out.WorkerID = d.WorkerID
	}
	if out.MaxUploadBytes == 0 {
		out.MaxUploadBytes = d.MaxUploadBytes
	}
	return out
}

// baseDir is where a file-based default lives: next to the configuration
// file, or the working directory without one.
func baseDir(configPath string) string {
	if configPath == "" {
		return "."
	}
	return filepath.Dir(configPath)
}

// storeDSN is the configured store, or SQLite tsm.db in baseDir.
func storeDSN(c *Config, configPath string) string {
	if c.Store != "" {
		return c.Store
	}
	return "sqlite://" + filepath.Join(baseDir(configPath), "tsm.db")
}

// serveKeystore is the configured key store, or a sealed file
// keystore.json in baseDir whose passphrase comes from the environment
// variable CARDHOST_KEYSTORE_PASSPHRASE.
func serveKeystore(c *Config, configPath string) keystore.Config {
	if c.Keystore != nil {
		return *c.Keystore
	}
	return keystore.Config{Backend: "sealed", Sealed: &keystore.SealedConfig{Path: filepath.Join(baseDir(configPath), "keystore.json"),
		Passphrase: "env:CARDHOST_KEYSTORE_PASSPHRASE"}}
}
