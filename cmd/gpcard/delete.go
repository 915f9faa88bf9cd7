package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"
)

// deleteJSON is the output of "gpcard delete".
type deleteJSON struct {
	Deleted string `json:"deleted"`
	Related bool   `json:"related"`
}

func (a *app) deleteCommand() *cobra.Command {
	var related bool
	c := &cobra.Command{
		Use:   "delete AID",
		Short: "Delete a package, application or SSD",
		Long: "Deletes AID with DELETE. A package with instances is refused by the card (6985) unless\n" +
			"--related deletes the instances too.",
		Args: exactArgs(1, "exactly one AID"),
		RunE: func(c *cobra.Command, args []string) error {
			aid, err := parseAID("AID", args[0])
			if err != nil {
				return err
			}
			s, err := a.open(c.Context(), nil)
			if err != nil {
				return err
			}
			defer s.Close()
			if err := s.Delete(c.Context(), aid, related); err != nil {
				return err
			}
			out := deleteJSON{Deleted: hexUpper(aid), Related: related}
			return a.emit(out, func(w io.Writer) error {
				what := ""
				if related {
					what = " and related objects"
				}
				_, err := fmt.Fprintf(w, "Deleted %s%s\n", out.Deleted, what)
				return err
			})
		},
	}
	c.Flags().BoolVar(&related, "related", false, "also delete the package's instances (DELETE P2 80)")
	return c
}
