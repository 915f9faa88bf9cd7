package main

import (
	"crypto"
	"encoding/hex"
	"fmt"
	"io"
	"strings"

	"github.com/cardhost/cardhost/applet/cap"
	"github.com/spf13/cobra"
)

func newCapCommand(a *app) *cobra.Command {
	c := groupCommand(&cobra.Command{Use: "cap", Short: "Inspect CAP files"})
	c.AddCommand(newCapInfoCommand(a))
	return c
}

func newCapInfoCommand(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "info FILE",
		Short: "Show the packages, applets, imports and load file of a CAP file",
		Long: "Parses and validates a CAP file (JAR/ZIP or IJC form) and shows its contents. The load file\n" +
			"size and hashes are those of the GlobalPlatform Load File Data Block without the Descriptor\n" +
			"component and without the C4 tag and length, as GlobalPlatformPro loads it.",
		Args: exactArgs(1, "exactly one FILE"),
		RunE: func(c *cobra.Command, args []string) error {
			f, err := cap.Open(args[0])
			if err != nil {
				return err
			}
			info, err := newCapInfo(f)
			if err != nil {
				return err
			}
			return a.emit(info, info.print)
		},
	}
}

// capInfo is the output of "gpcard cap info"; its JSON field names are a
// stable interface.
type capInfo struct {
	File             string       `json:"file"`
	Form             string       `json:"form"`
	CAPVersion       string       `json:"cap_version"`
	Flags            []string     `json:"flags"`
	LoadFileAID      string       `json:"load_file_aid"`
	PackageAID       string       `json:"package_aid"`
	PackageVersion   string       `json:"package_version"`
	PackageName      string       `json:"package_name"`
	Packages         []pkgJSON    `json:"packages"`
	Applets          []appletJSON `json:"applets"`
	Imports          []importJSON `json:"imports"`
	JavaCardVersion  string       `json:"javacard_version"`
	HasExport        bool         `json:"has_export"`
	CustomComponents []customJSON `json:"custom_components"`
	LoadFileSize     int          `json:"load_file_size"`
	LoadFileSizeDesc int          `json:"load_file_size_with_descriptor"`
	LoadFileSHA256   string       `json:"load_file_sha256"`
	LoadFileSHA1     string       `json:"load_file_sha1"`
}

type pkgJSON struct {
	AID     string `json:"aid"` // empty for a private package of an extended CAP
	Version string `json:"version"`
	Name    string `json:"name"`
}

type appletJSON struct {
	AID string `json:"aid"`
}

type importJSON struct {
	AID     string `json:"aid"`
	Version string `json:"version"`
}

type customJSON struct {
	Tag  string `json:"tag"`
	AID  string `json:"aid"`
	Size uint32 `json:"size"`
}

// flagNames spells the Header flags as gp does (JCVM 3.1 Table 6-3).
func flagNames(fl cap.Flags) []string {
	names := []string{}
	for _, n := range []struct {
		f    cap.Flags
		name string
	}{{cap.FlagInt, "integers"}, {cap.FlagExport, "exports"}, {cap.FlagApplet, "applets"}, {cap.FlagExtended, "extended"}} {
		if fl&n.f != 0 {
			names = append(names, n.name)
		}
	}
	return names
}

func newCapInfo(f *cap.File) (*capInfo, error) {
	o := cap.LoadOptions{}
	sha256, err := f.LoadFileDataBlockHash(crypto.SHA256, o)
	if err != nil {
		return nil, err
	}
	sha1, err := f.LoadFileDataBlockHash(crypto.SHA1, o)
	if err != nil {
		return nil, err
	}
	p := f.Package()
	info := &capInfo{
		File: f.Name, Form: f.Form.String(), CAPVersion: f.Format.String(), Flags: flagNames(f.Flags),
		LoadFileAID: hexUpper(f.LoadFileAID()),
		PackageAID:  hexUpper(p.AID), PackageVersion: p.Version.String(), PackageName: p.Name,
		Packages: []pkgJSON{}, Applets: []appletJSON{}, Imports: []importJSON{}, CustomComponents: []customJSON{},
		JavaCardVersion:  f.JavaCardVersion(),
		HasExport:        f.HasComponent(cap.TagExport),
		LoadFileSize:     len(f.LoadFileDataBlock(o)),
		LoadFileSizeDesc: len(f.LoadFileDataBlock(cap.LoadOptions{IncludeDescriptor: true})),
		LoadFileSHA256:   hex.EncodeToString(sha256),
		LoadFileSHA1:     hex.EncodeToString(sha1),
	}
	for _, p := range f.Packages {
		info.Packages = append(info.Packages, pkgJSON{AID: hexUpper(p.AID), Version: p.Version.String(), Name: p.Name})
	}
	for _, a := range f.Applets {
		info.Applets = append(info.Applets, appletJSON{AID: hexUpper(a.AID)})
	}
	for _, im := range f.Imports {
		info.Imports = append(info.Imports, importJSON{AID: hexUpper(im.AID), Version: im.Version.String()})
	}
	for _, c := range f.Custom {
		info.CustomComponents = append(info.CustomComponents,
			customJSON{Tag: fmt.Sprintf("%02X", uint8(c.Tag)), AID: hexUpper(c.AID), Size: c.Size})
	}
	return info, nil
}

// print writes the human-readable block, in the spirit of gp --info on a CAP.
func (i *capInfo) print(w io.Writer) error {
	var b strings.Builder
	contents := strings.Join(i.Flags, ", ")
	if contents == "" {
		contents = "no applets, no exports"
	}
	jc := i.JavaCardVersion
	if jc == "" {
		jc = "unknown"
	}
	fmt.Fprintf(&b, "CAP file (v%s, %s), contains: %s for Java Card %s\n", i.CAPVersion, i.Form, contents, jc)
	for _, p := range i.Packages {
		aid := p.AID
		if aid == "" {
			aid = "(private)"
		}
		name := p.Name
		if name == "" {
			name = "(unnamed)"
		}
		fmt.Fprintf(&b, "Package:   %s %s v%s\n", name, aid, p.Version)
	}
	for _, a := range i.Applets {
		fmt.Fprintf(&b, "Applet:    %s\n", a.AID)
	}
	for _, im := range i.Imports {
		fmt.Fprintf(&b, "Import:    %s v%s\n", im.AID, im.Version)
	}
	for _, c := range i.CustomComponents {
		fmt.Fprintf(&b, "Custom:    tag %s, %d bytes, AID %s (not loaded)\n", c.Tag, c.Size, c.AID)
	}
	fmt.Fprintf(&b, "Load file: %s, %d bytes (%d with Descriptor)\n", i.LoadFileAID, i.LoadFileSize, i.LoadFileSizeDesc)
	fmt.Fprintf(&b, "SHA-256:   %s\n", i.LoadFileSHA256)
	fmt.Fprintf(&b, "SHA-1:     %s\n", i.LoadFileSHA1)
	_, err := io.WriteString(w, b.String())
	return err
}
