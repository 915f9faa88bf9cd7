package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/cardhost/cardhost/gpcard/command"
	"github.com/cardhost/cardhost/gpcard/sw"
	"github.com/spf13/cobra"
)

func (a *app) infoCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "info",
		Short: "Show card data: CPLC, IIN, CIN, KDD, sequence counter, card data, capabilities, keys",
		Long: "Selects the security domain and reads its data objects with GET DATA, once each, without\n" +
			"authenticating (like gp -i). Objects the card does not give are listed as not available.",
		Args: exactArgs(0, "no arguments"),
		RunE: func(c *cobra.Command, _ []string) error { return a.info(c.Context()) },
	}
}

func (a *app) info(ctx context.Context) error {
	s, err := a.connect(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	ci, err := s.Info(ctx)
	if err != nil {
		return err
	}
	out := newInfoJSON(s.reader, s.t.ATR(), ci, a.now())
	// gpcard.Info does not read the KDD (GET DATA CF); ask for it once here.
	r, err := s.Transmit(ctx, command.GetData(command.TagKDD))
	if err != nil {
		return err
	}
	if err := sw.Check(command.NameGetData, uint16(r.SW1)<<8|uint16(r.SW2)); err != nil {
		out.Unavailable["KDD"] = err.Error()
	} else if kdd, err := command.ParseKDD(r.Data); err != nil {
		out.Unavailable["KDD"] = err.Error()
	} else {
		out.KDD = hexUpper(kdd)
	}
	return a.emit(out, out.print)
}

// print writes the info in the layout of gp -i.
func (i *infoJSON) print(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Reader: %s\nATR: %s\n", i.Reader, i.ATR)
	fmt.Fprintf(&b, "SD: %s", i.SD)
	if i.MaxCommandData > 0 {
		fmt.Fprintf(&b, " (max command data %d bytes)", i.MaxCommandData)
	}
	b.WriteString("\n")
	if len(i.CPLC) > 0 {
		for n, f := range i.CPLC {
			prefix := "      "
			if n == 0 {
				prefix = "CPLC: "
			}
			fmt.Fprintf(&b, "%s%s=%s", prefix, f.Name, f.Value)
			if f.Date != "" {
				fmt.Fprintf(&b, " (%s)", f.Date)
			}
			b.WriteString("\n")
		}
	}
	for _, l := range []struct{ name, v string }{{"IIN", i.IIN}, {"CIN", i.CIN}, {"KDD", i.KDD}} {
		if l.v != "" {
			fmt.Fprintf(&b, "%s: %s\n", l.name, l.v)
		}
	}
	if i.Sequence != nil {
		fmt.Fprintf(&b, "SSC: %d\n", *i.Sequence)
	}
	i.printCardData(&b)
	i.printCapability(&b)
	i.printKeys(&b)
	if r := i.Resources; r != nil {
		fmt.Fprintf(&b, "Card resources: %d applications, %d bytes free non-volatile, %d bytes free volatile\n",
			r.Applications, r.FreeNonVolatile, r.FreeVolatile)
	}
	for _, name := range sortedKeys(i.Unavailable) {
		fmt.Fprintf(&b, "Not available: %s (%s)\n", name, i.Unavailable[name])
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func (i *infoJSON) printCardData(b *strings.Builder) {
	cd := i.CardData
	if cd == nil {
		return
	}
	b.WriteString("Card Data:\n")
	if cd.GPCard {
		b.WriteString("Tag 6: 1.2.840.114283.1\n-> Global Platform card\n")
	}
	if cd.VersionOID != "" {
		fmt.Fprintf(b, "Tag 60: %s\n-> GP Version: %s\n", cd.VersionOID, cd.Version)
	}
	for _, o := range cd.SCPs {
		fmt.Fprintf(b, "Tag 64: %s\n-> GP %s\n", o.OID, o.Name)
	}
}

func (i *infoJSON) printCapability(b *strings.Builder) {
	c := i.Capability
	if c == nil {
		return
	}
	b.WriteString("Card Capabilities:\n")
	for _, s := range c.SCPs {
		fmt.Fprintf(b, "Supports SCP%s i=%s\n", s.SCP, strings.Join(s.I, " i="))
	}
	fmt.Fprintf(b, "Supported DOM privileges: %s\n", strings.Join(c.SSDPrivileges, ", "))
	fmt.Fprintf(b, "Supported APP privileges: %s\n", strings.Join(c.AppPrivileges, ", "))
	if len(c.LFDBHash) > 0 {
		fmt.Fprintf(b, "Supported LFDB hash: %s\n", strings.Join(c.LFDBHash, ", "))
	}
}

func (i *infoJSON) printKeys(b *strings.Builder) {
	for _, k := range i.Keys {
		for _, c := range k.Components {
			fmt.Fprintf(b, "Version: %3d (0x%02X) ID: %3d (0x%02X) type: %-12s length: %3d", k.KVN, k.KVN, k.KID, k.KID, c.Type, c.Length)
			if k.KVN == 0xFF {
				b.WriteString(" (factory key)")
			}
			b.WriteString("\n")
		}
	}
}
