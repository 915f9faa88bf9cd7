package main

import (
	"fmt"
	"io"
	"os"

	"github.com/cardhost/cardhost/applet/payment"
	"github.com/cardhost/cardhost/gpcard/command"
	"github.com/cardhost/cardhost/gpcard/keys"
	"github.com/cardhost/cardhost/gpcard/secret"
	"github.com/cardhost/cardhost/sim"
	"github.com/cardhost/cardhost/sim/image"
	"github.com/cardhost/cardhost/sim/profile"
	"github.com/spf13/cobra"
)

func (a *app) simCommand() *cobra.Command {
	c := groupCommand(&cobra.Command{Use: "sim", Short: "Create, inspect and serve simulated cards"})
	c.AddCommand(a.simNewCommand(), a.simShowCommand(), a.simServeCommand(), a.simPurseCAPCommand())
	return c
}

func (a *app) simPurseCAPCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "purse-cap FILE",
		Short: "Write the CAP file of the e-purse applet that simulated cards run (for trying gpcard out)",
		Long: "Writes the CAP file of the e-purse (package A0000006170001, applet A000000617000101).\n" +
			"Its byte code is filler: simulated cards run the Go implementation registered for it.",
		Args: exactArgs(1, "exactly one FILE"),
		RunE: func(c *cobra.Command, args []string) error {
			b, err := payment.CAP()
			if err != nil {
				return err
			}
			if err := os.WriteFile(args[0], b, 0o644); err != nil {
				return err
			}
			_, err = fmt.Fprintf(a.stdout, "Wrote %s (%d bytes): package %X, applet %X\n", args[0], len(b), payment.PackageAID(), payment.AppletAID())
			return err
		},
	}
}

// loadProfile reads a profile file, or an embedded profile by name; ""
// is the default profile.
func loadProfile(s string) (*profile.Profile, error) {
	if s == "" {
		return profile.Default(), nil
	}
	if _, err := os.Stat(s); err != nil {
		if p, perr := profile.Embedded(s); perr == nil {
			return p, nil
		}
	}
	return profile.Load(s)
}

func (a *app) simNewCommand() *cobra.Command {
	var prof string
	c := &cobra.Command{
		Use:   "new PATH",
		Short: "Create a simulated card image at PATH (use it with --reader sim:PATH)",
		Args:  exactArgs(1, "exactly one PATH"),
		RunE: func(c *cobra.Command, args []string) error {
			p, err := loadProfile(prof)
			if err != nil {
				return err
			}
			opts, err := simOptions()
			if err != nil {
				return err
			}
			card, err := sim.Create(args[0], p, opts...)
			if err != nil {
				return err
			}
			return a.showImage(args[0], card.Snapshot())
		},
	}
	c.Flags().StringVar(&prof, "profile", "", "profile FILE or embedded profile name (default "+profile.DefaultName+")")
	return c
}

func (a *app) simShowCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "show PATH",
		Short: "Show a simulated card image: life cycle, security domains, key sets (KVN/KID/type/KCV), content",
		Args:  exactArgs(1, "exactly one PATH"),
		RunE: func(c *cobra.Command, args []string) error {
			card, err := sim.Open(args[0])
			if err != nil {
				return err
			}
			return a.showImage(args[0], card.Snapshot())
		},
	}
}

// imageJSON is the output of "gpcard sim new" and "gpcard sim show". Keys
// appear by KVN, KID, type, length and KCV only.
type imageJSON struct {
	Path       string     `json:"path"`
	ATR        string     `json:"atr"`
	LifeCycle  string     `json:"life_cycle"`
	MemoryUsed int        `json:"memory_used"`
	MemoryFree int        `json:"memory_free"`
	Domains    []sdJSON   `json:"security_domains"`
	Apps       []appJSON  `json:"applications"`
	LoadFiles  []loadJSON `json:"load_files"`
}

type sdJSON struct {
	AID          string       `json:"aid"`
	SCP          string       `json:"scp"`
	I            string       `json:"i"`
	AuthFailures int          `json:"auth_failures"`
	KeySets      []keySetJSON `json:"key_sets"`
}

type keySetJSON struct {
	KVN     byte         `json:"kvn"`
	Counter uint32       `json:"sequence_counter"`
	Keys    []simKeyJSON `json:"keys"`
}

type simKeyJSON struct {
	KID    byte   `json:"kid"`
	Type   string `json:"type"`
	Length int    `json:"length"`
	KCV    string `json:"kcv"`
}

type appJSON struct {
	AID        string   `json:"aid"`
	Kind       string   `json:"kind"`
	LoadFile   string   `json:"load_file,omitempty"`
	State      string   `json:"state"`
	Privileges []string `json:"privileges"`
	Parent     string   `json:"parent"`
}

type loadJSON struct {
	AID     string   `json:"aid"`
	Version string   `json:"version"`
	Modules []string `json:"modules"`
}

// showImage prints what a card image holds without any key bytes.
func (a *app) showImage(path string, s *image.State) error {
	out := imageJSON{Path: path, ATR: hexUpper(s.Config.ATR), LifeCycle: command.LifeCycleName(command.KindISD, s.LifeCycle),
		MemoryUsed: s.MemoryUsed(), MemoryFree: s.MemoryFree(), Domains: []sdJSON{}, Apps: []appJSON{}, LoadFiles: []loadJSON{}}
	for i := range s.Apps {
		app := &s.Apps[i]
		kind := command.KindApp
		if i == 0 {
			kind = command.KindISD
		} else if app.IsSD() {
			kind = command.KindSSD
		}
		p, _ := command.ParsePrivileges(app.Privileges[:])
		out.Apps = append(out.Apps, appJSON{AID: hexUpper(app.AID), Kind: kind.String(), LoadFile: hexUpper(app.LoadFile),
			State: command.LifeCycleName(kind, app.LifeCycle), Privileges: nonNil(p.Names()), Parent: hexUpper(app.SD)})
		if app.Domain != nil {
			out.Domains = append(out.Domains, newSDJSON(app))
		}
	}
	for _, lf := range s.LoadFiles {
		l := loadJSON{AID: hexUpper(lf.AID), Version: fmt.Sprintf("%d.%d", lf.Version[0], lf.Version[1]), Modules: []string{}}
		for _, m := range lf.Modules {
			l.Modules = append(l.Modules, hexUpper(m))
		}
		out.LoadFiles = append(out.LoadFiles, l)
	}
	return a.emit(out, out.print)
}

func newSDJSON(app *image.App) sdJSON {
	d := app.Domain
	j := sdJSON{AID: hexUpper(app.AID), SCP: hexUpperByte(d.SCP), I: hexUpperByte(d.I), AuthFailures: d.AuthFailures, KeySets: []keySetJSON{}}
	for _, ks := range d.KeySets {
		kj := keySetJSON{KVN: ks.KVN, Counter: ks.Counter, Keys: []simKeyJSON{}}
		for _, k := range ks.Keys {
			kj.Keys = append(kj.Keys, simKeyJSON{KID: k.ID, Type: keyTypeName(k.Type), Length: len(k.Value), KCV: simKCV(k)})
		}
		j.KeySets = append(j.KeySets, kj)
	}
	return j
}

// simKCV computes the check value of a key in a card image (3DES or AES,
// GPCS 2.3.1 §B.6 via keys.KCV), or "?" for other key types.
func simKCV(k image.Key) string {
	scp := byte(0x02)
	if k.Type == image.KeyTypeAES {
		scp = 0x03
	}
	t, err := keys.TypeFor(scp, len(k.Value))
	if err != nil {
		return "?"
	}
	sk := secret.New(k.Value)
	defer sk.Zero()
	kcv, err := keys.KCV(t, sk)
	if err != nil {
		return "?"
	}
	return hexUpper(kcv)
}

func (o *imageJSON) print(w io.Writer) error {
	fmt.Fprintf(w, "Card image: %s\nATR: %s\nLife cycle: %s\nMemory: %d bytes used, %d bytes free\n",
		o.Path, o.ATR, o.LifeCycle, o.MemoryUsed, o.MemoryFree)
	for _, d := range o.Domains {
		fmt.Fprintf(w, "SD: %s SCP%s i=%s, %d failed authentications\n", d.AID, d.SCP, d.I, d.AuthFailures)
		for _, ks := range d.KeySets {
			for _, k := range ks.Keys {
				fmt.Fprintf(w, "     KVN %02X KID %d type %-4s length %2d KCV %s\n", ks.KVN, k.KID, k.Type, k.Length, k.KCV)
			}
		}
	}
	for _, ap := range o.Apps {
		fmt.Fprintf(w, "%s: %s (%s)\n", ap.Kind, ap.AID, ap.State)
	}
	for _, l := range o.LoadFiles {
		fmt.Fprintf(w, "PKG: %s v%s\n", l.AID, l.Version)
	}
	return nil
}
