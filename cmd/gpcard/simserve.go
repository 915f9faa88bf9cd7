package main

import (
	"context"
	"fmt"
	"io"
	"os/signal"
	"syscall"

	"github.com/cardhost/cardhost/sim/serve"
	"github.com/spf13/cobra"
)

// serveJSON is what "gpcard sim serve --json" prints once the cards are in
// their slots.
type serveJSON struct {
	Cards []servedJSON `json:"cards"`
}

type servedJSON struct {
	Image string `json:"image"`
	VPCD  string `json:"vpcd"` // host:port the card dials
}

func (a *app) simServeCommand() *cobra.Command {
	o := serve.Options{}
	var prof string
	c := &cobra.Command{
		Use:   "serve",
		Short: "Serve simulated cards to pcscd's vpcd readers until interrupted",
		Long: "Runs --cards simulated cards whose images live in --dir (card-000.img, ...; kept across runs,\n" +
			"created from --profile when missing) and connects card i to the vpcd reader listening on\n" +
			"--vpcd-port+i. Cards reconnect when pcscd restarts. SIGINT or SIGTERM stops serving.",
		Args: exactArgs(0, "no arguments"),
		RunE: func(c *cobra.Command, _ []string) error {
			if o.Cards < 1 || o.Cards > serve.MaxCards {
				return usagef("--cards: want 1 to %d", serve.MaxCards)
			}
			if o.BasePort < 1 || o.BasePort+o.Cards-1 > 65535 {
				return usagef("--vpcd-port: want a TCP port with room for %d cards", o.Cards)
			}
			p, err := loadProfile(prof)
			if err != nil {
				return err
			}
			o.Profile = p
			if o.CardOptions, err = simOptions(); err != nil {
				return err
			}
			return a.serve(c.Context(), o)
		},
	}
	c.Flags().IntVar(&o.Cards, "cards", 1, "number of cards")
	c.Flags().StringVar(&o.Dir, "dir", "cards", "directory of the card images")
	c.Flags().StringVar(&prof, "profile", "", "profile FILE or embedded name for new images (default gp231-scp02-i15)")
	c.Flags().IntVar(&o.BasePort, "vpcd-port", serve.DefaultBasePort, "vpcd port of card 0; card i uses BASE+i")
	c.Flags().StringVar(&o.Host, "vpcd-host", serve.DefaultHost, "host where pcscd's vpcd listens")
	return c
}

func (a *app) serve(ctx context.Context, o serve.Options) error {
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	f, err := serve.Start(ctx, o)
	if err != nil {
		return err
	}
	out := serveJSON{}
	for i := range f.Cards() {
		out.Cards = append(out.Cards, servedJSON{Image: serve.ImagePath(o.Dir, i), VPCD: f.Addr(i)})
	}
	if err := a.emit(out, func(w io.Writer) error {
		for _, c := range out.Cards {
			fmt.Fprintf(w, "Serving %s on vpcd %s\n", c.Image, c.VPCD)
		}
		_, err := fmt.Fprintln(w, "Press Ctrl-C to stop.")
		return err
	}); err != nil {
		f.Stop()
		return err
	}
	<-ctx.Done()
	a.notef("Stopping: removing the cards (images stay in %s)", o.Dir)
	return f.Stop()
}
