package main

import (
	"fmt"
	"io"

	"github.com/cardhost/cardhost/reader"
	"github.com/spf13/cobra"
)

// readersJSON is the output of "gpcard readers".
type readersJSON struct {
	Readers []readerJSON `json:"readers"`
}

type readerJSON struct {
	Index int    `json:"index"` // usable as --reader
	Name  string `json:"name"`
}

func (a *app) readersCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "readers",
		Short: "List the PC/SC readers (index and name, usable with --reader)",
		Args:  exactArgs(0, "no arguments"),
		RunE: func(c *cobra.Command, _ []string) error {
			pc, err := reader.NewContext()
			if err != nil {
				return err
			}
			defer pc.Close()
			names, err := pc.Readers()
			if err != nil {
				return err
			}
			out := readersJSON{Readers: []readerJSON{}}
			for i, n := range names {
				out.Readers = append(out.Readers, readerJSON{Index: i, Name: n})
			}
			return a.emit(out, func(w io.Writer) error {
				if len(names) == 0 {
					_, err := fmt.Fprintln(w, "No readers.")
					return err
				}
				for _, r := range out.Readers {
					if _, err := fmt.Fprintf(w, "%d: %s\n", r.Index, r.Name); err != nil {
						return err
					}
				}
				return nil
			})
		},
	}
}
