package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/cardhost/cardhost/applet/cap"
	"github.com/cardhost/cardhost/gpcard"
	"github.com/cardhost/cardhost/gpcard/command"
	"github.com/cardhost/cardhost/gpcard/sw"
	"github.com/spf13/cobra"
)

// installFlags are the options of "gpcard install".
type installFlags struct {
	loadOnly, installOnly, force bool
	to, applet, instance         string
	params, privs                string
}

// installJSON is the output of "gpcard install".
type installJSON struct {
	File    string             `json:"file"`
	SD      string             `json:"sd"`           // the security domain authenticated to
	To      string             `json:"to,omitempty"` // --to: the SD the package is associated with
	Deleted bool               `json:"deleted"`      // --force removed an earlier copy
	Load    *gpcard.LoadResult `json:"load"`         // null with --install-only
	Install *instanceJSON      `json:"install"`      // null with --load-only
}

type instanceJSON struct {
	LoadFile   string   `json:"load_file"`
	Module     string   `json:"module"`
	Instance   string   `json:"instance"`
	Privileges []string `json:"privileges"`
	Params     string   `json:"params,omitempty"`
}

func (a *app) installCommand() *cobra.Command {
	var f installFlags
	c := &cobra.Command{
		Use:   "install CAP",
		Short: "Load a CAP file and install its applet, selectable",
		Long: "Loads CAP into the card (INSTALL [for load] and LOAD blocks as large as the card and the secure\n" +
			"channel allow) and installs one applet with INSTALL [for install and make selectable].",
		Args: exactArgs(1, "exactly one CAP file"),
		RunE: func(c *cobra.Command, args []string) error { return a.install(c.Context(), args[0], f) },
	}
	fs := c.Flags()
	fs.BoolVar(&f.loadOnly, "load-only", false, "load the package, install nothing")
	fs.BoolVar(&f.installOnly, "install-only", false, "install from a package already on the card")
	fs.BoolVar(&f.force, "force", false, "delete the package and its instances first, if present")
	fs.StringVar(&f.to, "to", "", "associate the package with this security domain (AID)")
	fs.StringVar(&f.applet, "applet", "", "applet (module) AID to install (default: the CAP file's only applet)")
	fs.StringVar(&f.instance, "instance", "", "instance AID (default: the applet AID)")
	fs.StringVar(&f.params, "params", "", "install parameters for the applet (C9 content, hex)")
	fs.StringVar(&f.privs, "privs", "", "privileges by name, comma separated (e.g. CardReset)")
	return c
}

// installPlan is the parsed command line of install.
type installPlan struct {
	file                *cap.File
	to, module, inst    []byte
	params              []byte
	privs               []string
	load, inst2, delete bool
}

func (f installFlags) plan(path string) (*installPlan, error) {
	if f.loadOnly && f.installOnly {
		return nil, usagef("--load-only and --install-only exclude each other")
	}
	p := &installPlan{load: !f.installOnly, inst2: !f.loadOnly, delete: f.force, privs: splitList(f.privs)}
	var err error
	if p.to, err = optAID("--to", f.to); err != nil {
		return nil, err
	}
	if p.module, err = optAID("--applet", f.applet); err != nil {
		return nil, err
	}
	if p.inst, err = optAID("--instance", f.instance); err != nil {
		return nil, err
	}
	if f.params != "" {
		if p.params, err = parseHex("--params", f.params); err != nil {
			return nil, err
		}
	}
	privs, err := command.ParsePrivilegeNames(p.privs)
	if err != nil {
		return nil, usageError{fmt.Errorf("--privs: %w", err)}
	}
	p.privs = privs.Names()
	if p.file, err = cap.Open(path); err != nil {
		return nil, err
	}
	if p.inst2 && p.module == nil {
		if len(p.file.Applets) != 1 {
			return nil, usagef("%s has %d applets: choose one with --applet", path, len(p.file.Applets))
		}
		p.module = p.file.Applets[0].AID
	}
	if p.inst == nil {
		p.inst = p.module
	}
	return p, nil
}

func (a *app) install(ctx context.Context, path string, f installFlags) error {
	p, err := f.plan(path)
	if err != nil {
		return err
	}
	s, err := a.open(ctx, nil)
	if err != nil {
		return err
	}
	defer s.Close()
	out := installJSON{File: path, SD: hexUpper(s.SD()), To: hexUpper(p.to)}
	pkg := p.file.LoadFileAID()
	if p.delete {
		a.notef("Deleting %X and its instances, if present (--force)", pkg)
		err := s.Delete(ctx, pkg, true)
		if err != nil && !errors.Is(err, sw.ErrNotFound) {
			return err
		}
		out.Deleted = err == nil
	}
	in := gpcard.InstallOptions{LoadFile: pkg, Module: p.module, AID: p.inst, Privileges: p.privs, Params: p.params}
	if p.load {
		progress, done := a.progress("LOAD")
		out.Load, err = s.Load(ctx, p.file, gpcard.LoadOptions{SD: p.to, Progress: progress})
		done()
		if err != nil {
			return err
		}
	}
	if p.inst2 {
		if err := s.Install(ctx, in); err != nil {
			return err
		}
		out.Install = &instanceJSON{LoadFile: hexUpper(pkg), Module: hexUpper(p.module), Instance: hexUpper(p.inst),
			Privileges: nonNil(p.privs), Params: hexUpper(p.params)}
	}
	return a.emit(out, func(w io.Writer) error { return out.print(w, p.file) })
}

// print writes the install outcome in the style of gp.
func (o *installJSON) print(w io.Writer, f *cap.File) error {
	if o.Deleted {
		fmt.Fprintf(w, "Deleted earlier copy of %X\n", f.LoadFileAID())
	}
	if l := o.Load; l != nil {
		name := f.Package().Name
		if name == "" {
			name = "(unnamed)"
		}
		into := o.SD
		if o.To != "" {
			into = o.To
		}
		fmt.Fprintf(w, "%s loaded: %s %s into %s\n", o.File, name, l.LoadFile, into)
		fmt.Fprintf(w, "     LOAD: %d bytes in %d block%s of up to %d bytes\n", l.Bytes, l.Blocks, plural(l.Blocks), l.BlockSize)
	}
	if i := o.Install; i != nil {
		fmt.Fprintf(w, "Installed %s (applet %s from %s), SELECTABLE\n", i.Instance, i.Module, i.LoadFile)
		if len(i.Privileges) > 0 {
			fmt.Fprintf(w, "     Privs:    %s\n", joinComma(i.Privileges))
		}
	}
	return nil
}
