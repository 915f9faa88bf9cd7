package main

import (
	"io"

	"github.com/cardhost/cardhost/gpcard"
	"github.com/spf13/cobra"
)

// listJSON is the output of "gpcard list".
type listJSON struct {
	SD      string          `json:"sd"`
	Entries gpcard.Registry `json:"entries"`
}

func (a *app) listCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List the card content like gp -l: ISD, SSDs, applications and packages",
		Long: "Authenticates to the security domain and lists the registry with GET STATUS: one block per\n" +
			"entry with its AID, life cycle, privileges by name, parent, load file, version and modules.",
		Args: exactArgs(0, "no arguments"),
		RunE: func(c *cobra.Command, _ []string) error {
			s, err := a.open(c.Context(), nil)
			if err != nil {
				return err
			}
			defer s.Close()
			stop := a.busy("listing")
			reg, err := s.Registry(c.Context())
			stop()
			if err != nil {
				return err
			}
			if reg == nil {
				reg = gpcard.Registry{}
			}
			return a.emit(listJSON{SD: hexUpper(s.SD()), Entries: reg}, func(w io.Writer) error {
				_, err := io.WriteString(w, reg.String())
				return err
			})
		},
	}
}
