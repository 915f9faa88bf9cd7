package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"

	"github.com/spf13/cobra"

	"github.com/cardhost/cardhost/gpcard/keys"
	"github.com/cardhost/cardhost/reader"
	"github.com/cardhost/cardhost/tsm"
	"github.com/cardhost/cardhost/tsm/api"
	"github.com/cardhost/cardhost/tsm/fleet"
	"github.com/cardhost/cardhost/tsm/keystore"
	"github.com/cardhost/cardhost/tsm/store"
)

type serveFlags struct {
	listen, simCards, tlsCert, tlsKey string
	workers                           int
	readers                           []string
}

func serveCommand(g *globals, stdout, stderr io.Writer) *cobra.Command {
	f := &serveFlags{}
	c := &cobra.Command{
		Use:   "serve [--listen ADDR] [--sim-cards DIR] [--reader NAME]...",
		Short: "serve the TSM's REST API",
		Long: `serve opens the store (SQLite tsm.db next to the configuration file by default, or
--db postgres://…) and the key store, and serves the REST API until interrupted: /healthz,
/openapi.json, /metrics and /v1/… with bearer tokens made by "tsm token create". With
--sim-cards DIR it also runs the jobs of every campaign on the simulated cards in DIR. Each
--reader NAME (a PC/SC reader name, index or unique substring; repeatable) runs a reader
station: it waits for a card, identifies it by CIN, runs its job and waits for removal.`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error { return runServe(c.Context(), g, f, stdout, stderr) },
	}
	c.Flags().StringVar(&f.listen, "listen", "", "API address host:port (default from config: 127.0.0.1:8080)")
	c.Flags().StringVar(&f.simCards, "sim-cards", "", "run jobs on the simulated card images in this directory")
	c.Flags().StringArrayVar(&f.readers, "reader", nil, "run a reader station on this PC/SC reader (name, index or unique substring; repeatable)")
	c.Flags().IntVar(&f.workers, "workers", 0, "cards the executor drives at once (default from config: 4)")
	c.Flags().StringVar(&f.tlsCert, "tls-cert", "", "serve HTTPS with this certificate (PEM; needs --tls-key)")
	c.Flags().StringVar(&f.tlsKey, "tls-key", "", "private key of --tls-cert (PEM file)")
	return c
}

// apply puts the flags over the configuration's serve section.
func (f *serveFlags) apply(s *ServeConfig) error {
	if f.listen != "" {
		s.Listen = f.listen
	}
	if f.simCards != "" {
		s.SimCards = f.simCards
	}
	if f.workers != 0 {
		s.Workers = f.workers
	}
	if len(f.readers) > 0 {
		s.Readers = f.readers
	}
	if (f.tlsCert == "") != (f.tlsKey == "") {
		return errors.New("--tls-cert and --tls-key go together")
	}
	if f.tlsCert != "" {
		s.TLS = &TLSConfig{CertFile: f.tlsCert, KeyFile: f.tlsKey}
	}
	return s.Validate()
}

func runServe(ctx context.Context, g *globals, f *serveFlags, stdout, stderr io.Writer) error {
	cfg, err := g.load()
	if err != nil {
		return err
	}
	sc := cfg.Serve.merged()
	if err := f.apply(&sc); err != nil {
		return err
	}
	log := logger(stderr, cfg.LogLevel)
	ks, err := keystore.Open(ctx, serveKeystore(cfg, g.config), keystore.Options{Logger: log})
	if err != nil {
		return err
	}
	defer ks.Close()
	st, err := store.Open(ctx, storeDSN(cfg, g.config))
	if err != nil {
		return err
	}
	defer st.Close()
	if err := ensureCatalogKey(ctx, ks, sc.Keys.Catalog, log); err != nil {
		return err
	}
	svc, err := tsm.New(ctx, st, ks, tsm.Keys{ISD: sc.Keys.ISD, Catalog: sc.Keys.Catalog}, tsm.WithLogger(log), tsm.WithWorker(sc.WorkerID))
	if err != nil {
		return err
	}
	h := api.New(svc, st, api.WithLogger(log), api.WithMaxUpload(sc.MaxUploadBytes))
	ln, scheme, err := listen(ctx, sc, log)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	var execErr error
	if sc.SimCards != "" {
		cards, err := fleet.Open(sc.SimCards)
		if err != nil {
			ln.Close()
			return err
		}
		log.Info("executor started", "sim_cards", sc.SimCards, "cards", len(cards.CINs()), "workers", sc.Workers)
		wg.Go(func() {
			if execErr = h.RunJobs(ctx, cards, tsm.RunOptions{Workers: sc.Workers}); execErr != nil {
				cancel()
			}
		})
	}
	stationErrs, err := startStations(ctx, &wg, svc, h.Metrics().Station(tsm.StationOptions{}), sc.Readers, log, cancel)
	if err != nil {
		cancel()
		wg.Wait()
		ln.Close()
		return errors.Join(err, execErr)
	}
	if sc.SimCards == "" && len(sc.Readers) == 0 {
		log.Info("no executor: campaigns wait until an executor claims their jobs")
	}
	fmt.Fprintf(stdout, "TSM API on %s://%s (OpenAPI: /openapi.json, metrics: /metrics); Ctrl-C stops\n", scheme, ln.Addr())
	err = api.ServeListener(ctx, ln, h)
	cancel()
	wg.Wait()
	return errors.Join(err, execErr, errors.Join(stationErrs...))
}

// startStations resolves each reader spec (reader.Context.Find) and runs a
// reader station on it, each with its own PC/SC context, until ctx ends. A
// station whose reader fails calls stop (the server stops too) and leaves
// its error in the returned slice, which is complete once wg is done. Two
// specs naming the same reader are an error.
func startStations(ctx context.Context, wg *sync.WaitGroup, svc *tsm.Service, opts tsm.StationOptions, specs []string, log *slog.Logger, stop func()) ([]error, error) {
	errs := make([]error, len(specs))
	if len(specs) == 0 {
		return errs, nil
	}
	byName := map[string]string{} // reader name → spec
	names := make([]string, 0, len(specs))
	pcs := make([]*reader.Context, 0, len(specs))
	closeAll := func() {
		for _, pc := range pcs {
			pc.Close()
		}
	}
	for _, spec := range specs {
		// One PC/SC context per station: pcsc-lite serialises the calls
		// of a context, so a station waiting for a card would hold up
		// another station's commands.
		pc, err := reader.NewContext()
		if err != nil {
			closeAll()
			return nil, fmt.Errorf("serve.readers: %w", err)
		}
		pcs = append(pcs, pc)
		name, err := pc.Find(spec)
		if err != nil {
			closeAll()
			return nil, fmt.Errorf("serve.readers: %q: %w", spec, err)
		}
		if other, dup := byName[name]; dup {
			closeAll()
			return nil, fmt.Errorf("serve.readers: %q and %q both name reader %q", other, spec, name)
		}
		byName[name] = spec
		names = append(names, name)
	}
	for i, pc := range pcs {
		name := names[i]
		log.Info("reader station started", "reader", name)
		wg.Go(func() {
			defer pc.Close()
			err := svc.RunStation(ctx, pc, name, opts)
			if ctx.Err() == nil && err != nil {
				log.Error("reader station stopped", "reader", name, "err", err)
				errs[i] = err
				stop()
			}
		})
	}
	return errs, nil
}

// listen opens the API's listener, with TLS when configured, and warns
// when plain HTTP is reachable from other hosts.
func listen(ctx context.Context, sc ServeConfig, log *slog.Logger) (net.Listener, string, error) {
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", sc.Listen)
	if err != nil {
		return nil, "", err
	}
	if sc.TLS != nil {
		cert, err := tls.LoadX509KeyPair(sc.TLS.CertFile, sc.TLS.KeyFile)
		if err != nil {
			ln.Close()
			return nil, "", fmt.Errorf("serve.tls: %w", err)
		}
		return tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}), "https", nil
	}
	if ap, ok := ln.Addr().(*net.TCPAddr); ok && !ap.IP.IsLoopback() {
		log.Warn("serving plain HTTP beyond loopback: bearer tokens cross the network in clear; configure serve.tls or a TLS proxy",
			"listen", ln.Addr().String())
	}
	return ln, "http", nil
}

// ensureCatalogKey generates the catalog's AES-256 key set on first start.
func ensureCatalogKey(ctx context.Context, ks keystore.Store, label string, log *slog.Logger) error {
	ms, err := ks.List(ctx)
	if err != nil {
		return err
	}
	for _, m := range ms {
		if m.Label == label {
			return nil
		}
	}
	if _, err := ks.Generate(ctx, keystore.GenerateRequest{Label: label, Kind: keystore.Static, Type: keys.AES256, Usage: keystore.UseChannel}); err != nil {
		return fmt.Errorf("generating the catalog key %q: %w", label, err)
	}
	log.Info("catalog key generated", "key_label", label)
	return nil
}
