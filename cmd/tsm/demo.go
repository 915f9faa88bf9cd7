package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/cardhost/cardhost/tsm"
	"github.com/cardhost/cardhost/tsm/api"
	"github.com/cardhost/cardhost/tsm/demo"
	"github.com/cardhost/cardhost/tsm/jobs"
	"github.com/cardhost/cardhost/tsm/store"
)

type demoFlags struct {
	cards, workers int
	exit           bool
	dir, profile   string
	listen         string
}

func demoCommand(g *globals, stdout, stderr io.Writer) *cobra.Command {
	f := &demoFlags{}
	c := &cobra.Command{
		Use:   "demo [--cards N] [--exit]",
		Short: "run a TSM on SQLite with simulated cards and provision them",
		Long: `demo starts a TSM (SQLite and a sealed key store in a temporary directory), makes N
simulated cards, puts the payment applet into the catalog and runs one campaign: on each
card create an SSD with Authorized Management, give it per-card diversified keys, then load,
install and personalise the payment applet in it. It prints progress and a summary.`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error { return runDemo(c.Context(), g, f, stdout, stderr) },
	}
	c.Flags().IntVar(&f.cards, "cards", 100, "number of simulated cards")
	c.Flags().IntVar(&f.workers, "workers", 8, "cards provisioned in parallel (campaign concurrency)")
	c.Flags().BoolVar(&f.exit, "exit", false, "return after the campaign (exit 0 only if every card succeeded)")
	c.Flags().StringVar(&f.dir, "dir", "", "keep the TSM's files here instead of a temporary directory")
	c.Flags().StringVar(&f.profile, "profile", "gp231-scp03-i70", "sim card profile")
	c.Flags().StringVar(&f.listen, "listen", "127.0.0.1:8080", "address of the REST API served after the campaign (without --exit)")
	return c
}

func runDemo(ctx context.Context, g *globals, f *demoFlags, stdout, stderr io.Writer) error {
	cfg, err := g.load()
	if err != nil {
		return err
	}
	if f.cards < 1 || f.workers < 1 {
		return fmt.Errorf("--cards and --workers must be at least 1")
	}
	dir := f.dir
	if dir == "" {
		if dir, err = os.MkdirTemp("", "tsm-demo-"); err != nil {
			return err
		}
		defer os.RemoveAll(dir)
	}
	logFile, err := os.OpenFile(filepath.Join(dir, "tsm.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	defer logFile.Close()
	fmt.Fprintf(stdout, "TSM in %s (log: tsm.log), %d simulated cards (%s)\n", dir, f.cards, f.profile)
	log := logger(logFile, cfg.LogLevel)
	env, err := demo.Open(ctx, demo.Config{Dir: dir, DSN: cfg.Store, Keystore: cfg.Keystore, Profile: f.profile,
		Cards: f.cards, Concurrency: f.workers, Logger: log, Worker: "tsm-demo"})
	if err != nil {
		return err
	}
	defer env.Close()
	camp, err := env.Campaign(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "campaign %s: %s\n", camp.ID, camp.Name)
	var (
		mu    sync.Mutex
		apdus int
	)
	bar := progress(stderr, f.cards)
	start := time.Now()
	err = env.Service.RunCampaign(ctx, camp.ID, env.Fleet, tsm.RunOptions{Workers: f.workers, OnResult: func(r jobs.Result, _ error) {
		mu.Lock()
		apdus += r.APDUs
		mu.Unlock()
		if bar != nil && (r.Job.State == store.JobDone || r.Job.State == store.JobFailed) {
			_ = bar.Add(1)
		}
	}})
	wall := time.Since(start)
	if bar != nil {
		_ = bar.Finish()
		fmt.Fprintln(stderr)
	}
	if err != nil {
		return err
	}
	if camp, err = env.Service.Campaign(ctx, camp.ID); err != nil {
		return err
	}
	ok, failed := camp.Counts[store.JobDone], camp.Counts[store.JobFailed]
	audit, err := env.Service.VerifyAudit(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "cards ok %d, failed %d; APDUs %d (%.1f per card); wall time %s; %.0f cards/s; audit chain verified (%d entries)\n",
		ok, failed, apdus, float64(apdus)/float64(max(ok+failed, 1)), wall.Round(time.Millisecond), float64(ok+failed)/wall.Seconds(), audit.Entries)
	if !f.exit {
		if err := serveDemoAPI(ctx, env, f.listen, log, stdout); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "provisioned %d/%d cards\n", ok, f.cards)
	if ok != f.cards {
		return errFailedCards
	}
	return nil
}

// progress returns a progress bar on w when w is a terminal, else nil.
func progress(w io.Writer, n int) *progressbar.ProgressBar {
	file, isFile := w.(*os.File)
	if !isFile || !isatty.IsTerminal(file.Fd()) {
		return nil
	}
	return progressbar.NewOptions(n, progressbar.OptionSetWriter(w), progressbar.OptionSetDescription("provisioning"),
		progressbar.OptionShowCount(), progressbar.OptionSetPredictTime(true), progressbar.OptionThrottle(100*time.Millisecond))
}

// serveDemoAPI serves the REST API on the demo's TSM until ctx ends, with a
// fresh admin token printed once (the store keeps only its hash).
func serveDemoAPI(ctx context.Context, env *demo.Env, listen string, log *slog.Logger, stdout io.Writer) error {
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return fmt.Errorf("REST API: %w", err)
	}
	tok, hash, err := api.NewToken(nil)
	if err != nil {
		ln.Close()
		return err
	}
	if _, err := env.Store.CreateToken(ctx, store.NewToken{Name: "demo-admin", Role: string(api.RoleAdmin), Hash: hash}); err != nil {
		ln.Close()
		return err
	}
	h := api.New(env.Service, env.Store, api.WithLogger(log))
	fmt.Fprintf(stdout, "REST API on http://%s (OpenAPI: /openapi.json, metrics: /metrics)\n", ln.Addr())
	fmt.Fprintf(stdout, "admin token (shown once): %s\n", tok)
	fmt.Fprintf(stdout, "try: curl -H 'Authorization: Bearer %s' http://%s/v1/cards?limit=3\n", tok, ln.Addr())
	fmt.Fprintln(stdout, "Press Ctrl-C to stop.")
	return api.ServeListener(ctx, ln, h)
}
