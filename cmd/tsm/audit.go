package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/cardhost/cardhost/tsm/store"
)

func auditCommand(g *globals, stdout io.Writer) *cobra.Command {
	c := &cobra.Command{Use: "audit", Short: "the hash-chained audit log"}
	c.AddCommand(&cobra.Command{
		Use:   "verify",
		Short: "verify the whole audit chain; exit 1 naming the first bad row",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			return withStore(c.Context(), g, func(ctx context.Context, st store.Store) error {
				sum, err := st.VerifyAudit(ctx)
				var ae *store.AuditError
				if errors.As(err, &ae) {
					if ae.Seq == 0 {
						return fmt.Errorf("audit chain broken at the chain head: %s", ae.Reason)
					}
					return fmt.Errorf("audit chain broken: first bad row seq %d: %s", ae.Seq, ae.Reason)
				}
				if err != nil {
					return err
				}
				fmt.Fprintf(stdout, "audit chain verified: %d entries, head %x\n", sum.Entries, sum.Head)
				return nil
			})
		},
	})
	return c
}
