package main

import (
	"context"
	"fmt"
	"io"

	"github.com/cardhost/cardhost/gpcard"
	"github.com/cardhost/cardhost/gpcard/command"
	"github.com/spf13/cobra"
)

// ssdFlags are the options of "gpcard create-ssd".
type ssdFlags struct {
	privs, scp, i, kvn string
	allowTo, allowFrom bool
	key                newKeyFlags
}

// createSSDJSON is the output of "gpcard create-ssd".
type createSSDJSON struct {
	AID        string               `json:"aid"`
	Parent     string               `json:"parent"`
	Privileges []string             `json:"privileges"`
	Keys       *gpcard.KeySetResult `json:"keys"` // null without --ssd-key
}

func (a *app) createSSDCommand() *cobra.Command {
	f := ssdFlags{key: newKeyFlags{prefix: "ssd-key"}}
	c := &cobra.Command{
		Use:   "create-ssd AID",
		Short: "Create a supplementary security domain, optionally with its first key set",
		Long: "Installs a security domain AID from the SD package (INSTALL [for install and make selectable])\n" +
			"with the given privileges (SecurityDomain is always added) and C9 parameters 81 <scp> <i>.\n" +
			"--ssd-key gives it a key set in the same run, personalised through the current security domain\n" +
			"(INSTALL [for personalization] and STORE DATA of DGI 00B9/8113, keys under the session DEK).",
		Args: exactArgs(1, "exactly one AID"),
		RunE: func(c *cobra.Command, args []string) error { return a.createSSD(c.Context(), args[0], f) },
	}
	fs := c.Flags()
	fs.StringVar(&f.privs, "privs", "", "privileges by name, comma separated (e.g. AuthorizedManagement)")
	fs.StringVar(&f.scp, "ssd-scp", "", "secure channel protocol of the SSD, 02 or 03 (default: the current session's)")
	fs.StringVar(&f.i, "ssd-i", "", "SCP implementation option i of the SSD, hex (default: the current session's)")
	fs.BoolVar(&f.allowTo, "allow-to", false, "the SSD accepts extradition of applications to it (C9 82 02 20 20)")
	fs.BoolVar(&f.allowFrom, "allow-from", false, "the SSD accepts extradition of applications from it (C9 87 02 20 20)")
	fs.StringVar(&f.kvn, "ssd-kvn", "01", "version of the SSD's first key set, hex 01..7F")
	f.key.register(fs, "keys of the new SSD")
	return c
}

func (a *app) createSSD(ctx context.Context, arg string, f ssdFlags) error {
	aid, err := parseAID("AID", arg)
	if err != nil {
		return err
	}
	o := gpcard.SSDOptions{AID: aid, Privileges: splitList(f.privs), AcceptExtraditionTo: f.allowTo, AcceptExtraditionFrom: f.allowFrom}
	privs, err := command.ParsePrivilegeNames(append(o.Privileges, "SecurityDomain"))
	if err != nil {
		return usageError{fmt.Errorf("--privs: %w", err)}
	}
	if o.SCP, err = optHexByte("--ssd-scp", f.scp); err != nil {
		return err
	}
	if o.SCP != 0 && o.SCP != 2 && o.SCP != 3 {
		return usagef("--ssd-scp: want 02 or 03")
	}
	if o.I, err = optHexByte("--ssd-i", f.i); err != nil {
		return err
	}
	if (o.SCP == 0) != (f.i == "") {
		return usagef("--ssd-scp and --ssd-i go together")
	}
	var next *keySource
	if f.key.given() {
		kvn, err := parseKVN("--ssd-kvn", f.kvn)
		if err != nil {
			return err
		}
		ks, err := f.key.source()
		if err != nil {
			return err
		}
		next = &ks
		o.InitialKeys = &gpcard.InitialKeys{Via: gpcard.ByStoreData, KVN: kvn}
	}
	s, err := a.open(ctx, next)
	if err != nil {
		if next != nil {
			next.zero()
		}
		return err
	}
	defer s.Close()
	a.notef("Creating security domain %X under %X, privileges: %s", aid, s.SD(), privs)
	if o.InitialKeys != nil {
		a.notef("Personalising its key set %02X (ENC, MAC, DEK) through %X", o.InitialKeys.KVN, s.SD())
	}
	res, err := s.CreateSSD(ctx, o)
	if err != nil {
		return err
	}
	out := createSSDJSON{AID: hexUpper(aid), Parent: hexUpper(s.SD()), Privileges: privs.Names(), Keys: res.Keys}
	return a.emit(out, func(w io.Writer) error {
		fmt.Fprintf(w, "SSD: %s (SELECTABLE)\n     Parent:   %s\n     Privs:    %s\n", out.AID, out.Parent, joinComma(out.Privileges))
		if res.Keys != nil {
			return printKeySet(w, aid, res.Keys)
		}
		return nil
	})
}

// extraditeJSON is the output of "gpcard extradite".
type extraditeJSON struct {
	AID string `json:"aid"`
	To  string `json:"to"`
}

func (a *app) extraditeCommand() *cobra.Command {
	var to string
	c := &cobra.Command{
		Use:   "extradite AID --to SD",
		Short: "Move an application or package under another security domain",
		Args:  exactArgs(1, "exactly one AID"),
		RunE: func(c *cobra.Command, args []string) error {
			aid, err := parseAID("AID", args[0])
			if err != nil {
				return err
			}
			if to == "" {
				return usagef("extradite needs --to SD")
			}
			sd, err := parseAID("--to", to)
			if err != nil {
				return err
			}
			s, err := a.open(c.Context(), nil)
			if err != nil {
				return err
			}
			defer s.Close()
			a.notef("Extraditing %X to security domain %X", aid, sd)
			if err := s.Extradite(c.Context(), sd, aid); err != nil {
				return err
			}
			out := extraditeJSON{AID: hexUpper(aid), To: hexUpper(sd)}
			return a.emit(out, func(w io.Writer) error {
				_, err := fmt.Fprintf(w, "%s is now associated with %s\n", out.AID, out.To)
				return err
			})
		},
	}
	c.Flags().StringVar(&to, "to", "", "AID of the security domain to move AID under (required)")
	return c
}
