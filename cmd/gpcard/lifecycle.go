package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/cardhost/cardhost/gpcard/command"
	"github.com/spf13/cobra"
)

// lockJSON is the output of "gpcard lock" and "gpcard unlock".
type lockJSON struct {
	AID    string `json:"aid"`
	Locked bool   `json:"locked"`
}

func (a *app) lockCommand(lock bool) *cobra.Command {
	use, verb, short := "unlock AID", "Unlocking", "Unlock a locked application or SSD (back to its previous state)"
	if lock {
		use, verb, short = "lock AID", "Locking", "Lock an application or SSD (SET STATUS)"
	}
	return &cobra.Command{
		Use:   use,
		Short: short,
		Args:  exactArgs(1, "exactly one AID"),
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
			a.notef("%s %X (SET STATUS)", verb, aid)
			if lock {
				err = s.Lock(c.Context(), aid)
			} else {
				err = s.Unlock(c.Context(), aid)
			}
			if err != nil {
				return err
			}
			out := lockJSON{AID: hexUpper(aid), Locked: lock}
			return a.emit(out, func(w io.Writer) error {
				state := "unlocked"
				if lock {
					state = "LOCKED"
				}
				_, err := fmt.Fprintf(w, "%s %s\n", out.AID, state)
				return err
			})
		},
	}
}

// cardState maps a card-state argument to the life cycle it sets (GPCS
// 2.3.1 Table 11-6): unlock returns a locked card to SECURED.
func cardState(arg string) (state byte, name string, ok bool) {
	switch strings.ToLower(arg) {
	case "initialize":
		return command.CardInitialized, "INITIALIZED", true
	case "secure", "unlock":
		return command.CardSecured, "SECURED", true
	case "lock":
		return command.CardLocked, "CARD_LOCKED", true
	case "terminate":
		return command.CardTerminated, "TERMINATED", true
	}
	return 0, "", false
}

// cardStateJSON is the output of "gpcard card-state".
type cardStateJSON struct {
	State     string `json:"state"`      // e.g. SECURED
	LifeCycle string `json:"life_cycle"` // hex, e.g. 0F
}

func (a *app) cardStateCommand() *cobra.Command {
	var yes bool
	c := &cobra.Command{
		Use:   "card-state initialize|secure|lock|unlock|terminate",
		Short: "Set the card life cycle (terminate is irreversible and needs --yes-really)",
		Args:  exactArgs(1, "one of initialize, secure, lock, unlock, terminate"),
		RunE: func(c *cobra.Command, args []string) error {
			state, name, ok := cardState(args[0])
			if !ok {
				return usagef("card-state %q: want initialize, secure, lock, unlock or terminate", args[0])
			}
			if state == command.CardTerminated && !yes {
				return usagef("terminating makes the card unusable for ever; add --yes-really if that is what you want")
			}
			s, err := a.open(c.Context(), nil)
			if err != nil {
				return err
			}
			defer s.Close()
			a.notef("Setting the card life cycle to %s (%02X) through %X", name, state, s.SD())
			if err := s.SetCardState(c.Context(), state); err != nil {
				return err
			}
			out := cardStateJSON{State: name, LifeCycle: hexUpperByte(state)}
			return a.emit(out, func(w io.Writer) error {
				_, err := fmt.Fprintf(w, "Card life cycle: %s\n", out.State)
				return err
			})
		},
	}
	c.Flags().BoolVar(&yes, "yes-really", false, "confirm card-state terminate")
	return c
}
