package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/cardhost/cardhost/tsm/api"
	"github.com/cardhost/cardhost/tsm/store"
)

// cliActor names the command line in audit entries.
const cliActor = "cli"

func tokenCommand(g *globals, stdout io.Writer) *cobra.Command {
	c := &cobra.Command{Use: "token", Short: "manage API bearer tokens (the store keeps only their SHA-256)"}
	var name, role string
	create := &cobra.Command{
		Use:   "create --name NAME --role admin|operator|auditor",
		Short: "make a token and print it once",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			r, err := api.ParseRole(role)
			if err != nil {
				return err
			}
			if name == "" {
				return errors.New("--name is required")
			}
			return withStore(c.Context(), g, func(ctx context.Context, st store.Store) error {
				tok, hash, err := api.NewToken(nil)
				if err != nil {
					return err
				}
				t, err := st.CreateToken(ctx, store.NewToken{Name: name, Role: string(r), Hash: hash})
				if err != nil {
					return err
				}
				if err := auditToken(ctx, st, "create-api-token", t); err != nil {
					return err
				}
				fmt.Fprintln(stdout, tok)
				return nil
			})
		},
	}
	create.Flags().StringVar(&name, "name", "", "unique token name (shown in logs and audit entries)")
	create.Flags().StringVar(&role, "role", "", "admin, operator or auditor")
	revoke := &cobra.Command{
		Use:   "revoke NAME|ID",
		Short: "revoke a token",
		Args:  cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			return withStore(c.Context(), g, func(ctx context.Context, st store.Store) error {
				ts, err := st.ListTokens(ctx)
				if err != nil {
					return err
				}
				for _, t := range ts {
					if t.Name == args[0] || t.ID == args[0] {
						if err := st.RevokeToken(ctx, t.ID); err != nil {
							return err
						}
						fmt.Fprintf(stdout, "revoked token %s (%s)\n", t.Name, t.ID)
						return auditToken(ctx, st, "revoke-api-token", t)
					}
				}
				return fmt.Errorf("no token named %q", args[0])
			})
		},
	}
	list := &cobra.Command{
		Use:   "list",
		Short: "list tokens: ID, name, role, created, revoked",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			return withStore(c.Context(), g, func(ctx context.Context, st store.Store) error {
				ts, err := st.ListTokens(ctx)
				if err != nil {
					return err
				}
				tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tNAME\tROLE\tCREATED\tREVOKED")
				for _, t := range ts {
					revoked := "-"
					if !t.Active() {
						revoked = t.RevokedAt.UTC().Format(time.RFC3339)
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", t.ID, t.Name, t.Role, t.CreatedAt.UTC().Format(time.RFC3339), revoked)
				}
				return tw.Flush()
			})
		},
	}
	c.AddCommand(create, revoke, list)
	return c
}

// auditToken records a token change (name, role, ID; never the token).
func auditToken(ctx context.Context, st store.Store, op string, t store.Token) error {
	d, err := json.Marshal(map[string]string{"token_id": t.ID, "name": t.Name, "role": t.Role})
	if err != nil {
		return err
	}
	_, err = st.AppendAudit(ctx, store.AuditRecord{Actor: cliActor, Operation: op, Details: d})
	return err
}

// withStore opens the configured store for fn and closes it after.
func withStore(ctx context.Context, g *globals, fn func(context.Context, store.Store) error) error {
	cfg, err := g.load()
	if err != nil {
		return err
	}
	st, err := store.Open(ctx, storeDSN(cfg, g.config))
	if err != nil {
		return err
	}
	return errors.Join(fn(ctx, st), st.Close())
}
