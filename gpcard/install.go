package gpcard

import (
	"context"
	"errors"
	"fmt"

	"github.com/cardhost/cardhost/applet/cap"
	"github.com/cardhost/cardhost/gpcard/command"
)

// InstallOptions configure Install.
type InstallOptions struct {
	// LoadFile, Module and AID are the package, the applet class and the new
	// instance; a nil AID means the Module AID.
	LoadFile, Module, AID []byte
	// Privileges are privilege names as gp --privs takes them (e.g.
	// "CardReset", "SecurityDomain"); none means no privileges.
	Privileges []string
	// Params is the content of C9 (application specific parameters).
	Params []byte
	// System are the memory quotas (EF C7/C8).
	System command.SystemParams
	// NotSelectable sends INSTALL [for install] alone (P1 04) instead of
	// [for install and make selectable] (P1 0C).
	NotSelectable bool
	// Token is the install token (delegated management).
	Token []byte
}

// Install creates an application instance with one INSTALL [for install and
// make selectable] (GPCS 2.3.1 §11.5.2.3.2). It needs a secure channel. With
// a Delegation it carries a token and its receipt is verified.
func (c *Card) Install(ctx context.Context, o InstallOptions) error {
	if _, err := c.secured(); err != nil {
		return err
	}
	priv, err := privilegeField(o.Privileges)
	if err != nil {
		return err
	}
	aid := o.AID
	if aid == nil {
		aid = o.Module
	}
	p := command.InstallForInstallParams{LoadFile: o.LoadFile, Module: o.Module, Application: aid, Privileges: priv,
		Params: command.InstallParams{Application: o.Params, System: o.System}, MakeSelectable: !o.NotSelectable, Token: o.Token}
	cmd, err := command.InstallForInstall(p)
	if err != nil {
		return err
	}
	cmd, tokened, err := c.withToken(ctx, cmd, o.Token)
	if err != nil {
		return err
	}
	name := command.NameInstallForInstallMakeSelectable
	if o.NotSelectable {
		name = command.NameInstallForInstall
	}
	r, err := c.exchange(ctx, name, cmd)
	if err != nil {
		return err
	}
	// Install receipt context: ELF, application (GPCS 2.3.1 §C.5).
	return c.checkReceipt(ctx, name, r.Data, tokened, o.LoadFile, aid)
}

// privilegeField encodes privilege names in one byte when bytes 2 and 3 are
// zero (accepted by GP 2.1.1 cards too), in three otherwise (GPCS 2.3.1
// §11.5.2.3.2).
func privilegeField(names []string) ([]byte, error) {
	p, err := command.ParsePrivilegeNames(names)
	if err != nil {
		return nil, err
	}
	if p[1] == 0 && p[2] == 0 {
		return p[:1], nil
	}
	return p[:], nil
}

// InstallCAPOptions configure InstallCAP.
type InstallCAPOptions struct {
	Load LoadOptions
	// Applet is the applet (module) AID to instantiate; nil means the CAP
	// file's only applet.
	Applet []byte
	// Install configures the instance; its LoadFile and Module are filled in.
	Install InstallOptions
}

// InstallCAP loads f and installs one applet in one call: INSTALL [for load],
// the LOAD blocks and INSTALL [for install and make selectable], nothing else.
func (c *Card) InstallCAP(ctx context.Context, f *cap.File, o InstallCAPOptions) (*LoadResult, error) {
	if f == nil {
		return nil, errors.New("gpcard: InstallCAP needs a CAP file")
	}
	applet := o.Applet
	if applet == nil {
		if len(f.Applets) != 1 {
			return nil, fmt.Errorf("gpcard: %s has %d applets; choose one", f.Name, len(f.Applets))
		}
		applet = f.Applets[0].AID
	}
	res, err := c.Load(ctx, f, o.Load)
	if err != nil {
		return nil, err
	}
	in := o.Install
	in.LoadFile, in.Module = res.LoadFile, applet
	return res, c.Install(ctx, in)
}

// Delete removes a package, application or SSD with DELETE (GPCS 2.3.1
// §11.2); related also deletes a package's instances. A card refusing
// because instances remain answers 6985 (a *sw.StatusError matching
// sw.ErrConditionsNotSatisfied). It needs a secure channel. With a
// Delegation the DELETE carries a token (tag 9E) and its receipt is
// verified.
func (c *Card) Delete(ctx context.Context, aid []byte, related bool) error {
	if _, err := c.secured(); err != nil {
		return err
	}
	cmd, err := command.Delete(aid, related, nil)
	if err != nil {
		return err
	}
	cmd, tokened, err := c.withToken(ctx, cmd, nil)
	if err != nil {
		return err
	}
	r, err := c.exchange(ctx, command.NameDelete, cmd)
	if err != nil {
		return err
	}
	return c.checkReceipt(ctx, command.NameDelete, r.Data, tokened, aid)
}

// Extradite moves an application or load file under the Security Domain sd
// with INSTALL [for extradition] (GPCS 2.3.1 §11.5.2.3.5). It needs a
// secure channel.
func (c *Card) Extradite(ctx context.Context, sd, app []byte) error {
	if _, err := c.secured(); err != nil {
		return err
	}
	cmd, err := command.InstallForExtradition(sd, app, nil, nil)
	if err != nil {
		return err
	}
	cmd, tokened, err := c.withToken(ctx, cmd, nil)
	if err != nil {
		return err
	}
	r, err := c.exchange(ctx, command.NameInstallForExtradition, cmd)
	if err != nil {
		return err
	}
	// Extradition receipt context: old SD, application, new SD
	// (GlobalPlatformPro ReceiptVerifier.extradite). The old SD is taken to
	// be the selected one: under Delegated Management an SSD extradites only
	// what is associated with itself.
	return c.checkReceipt(ctx, command.NameInstallForExtradition, r.Data, tokened, c.fci.AID, app, sd)
}
