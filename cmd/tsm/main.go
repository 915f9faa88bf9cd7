package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	_ "github.com/cardhost/cardhost/tsm/keystore/pkcs11" // registers "pkcs11"
	_ "github.com/cardhost/cardhost/tsm/keystore/sealed" // registers "sealed"
	_ "github.com/cardhost/cardhost/tsm/store/postgres"  // registers postgres://
	_ "github.com/cardhost/cardhost/tsm/store/sqlite"    // registers sqlite:// and plain paths
)

// errFailedCards makes the exit code 1 without printing more.
var errFailedCards = errors.New("not every card was provisioned")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := newRoot(os.Stdout, os.Stderr).ExecuteContext(ctx)
	stop()
	if err != nil {
		if !errors.Is(err, errFailedCards) {
			fmt.Fprintln(os.Stderr, "tsm:", err)
		}
		os.Exit(1)
	}
}

// globals are the flags every subcommand shares.
type globals struct {
	config string
	db     string
	level  string
}

func newRoot(stdout, stderr io.Writer) *cobra.Command {
	g := &globals{}
	root := &cobra.Command{Use: "tsm", Short: "cardhost Trusted Service Manager", SilenceUsage: true, SilenceErrors: true}
	root.PersistentFlags().StringVar(&g.config, "config", "", "configuration file (JSON)")
	root.PersistentFlags().StringVar(&g.db, "db", "", "store: SQLite path or sqlite:// URL (default), or postgres://…")
	root.PersistentFlags().StringVar(&g.level, "log-level", "", "debug, info, warn or error (default from config: info)")
	root.AddCommand(demoCommand(g, stdout, stderr))
	root.AddCommand(serveCommand(g, stdout, stderr), tokenCommand(g, stdout), auditCommand(g, stdout))
	return root
}

// load reads the configuration and applies the flags over it.
func (g *globals) load() (*Config, error) {
	c, err := Load(g.config)
	if err != nil {
		return nil, err
	}
	if g.db != "" {
		c.Store = g.db
	}
	if g.level != "" {
		c.LogLevel = g.level
	}
	return c, c.Validate()
}

// logger writes text logs to w at the configured level; a ReplaceAttr drops
// attributes named like secrets as a backstop (STYLE §8).
func logger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level)) // validated by Config.Validate
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l, ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
		switch a.Key {
		case "key", "pin", "token", "passphrase":
			return slog.Attr{}
		}
		return a
	}}))
}

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }
