package command

import (
	"fmt"
	"strings"
)

// FormatRegistry prints entries in the `gp -l` style of clients.md: a
// "KIND: AID (STATE)" line, detail lines indented by five spaces
// ("Parent:", "From:", "Privs:" for applications and domains; "Parent:",
// "Version:", "Applet:" for packages) and a blank line after each entry.
func FormatRegistry(entries []RegistryEntry) string {
	var b strings.Builder
	for _, e := range entries {
		fmt.Fprintf(&b, "%s: %X (%s)\n", e.Kind, e.AID, LifeCycleName(e.Kind, e.LifeCycle))
		if e.AssociatedSD != nil {
			fmt.Fprintf(&b, "     Parent:   %X\n", e.AssociatedSD)
		}
		if e.Kind == KindPkg {
			if e.Version != nil {
				fmt.Fprintf(&b, "     Version:  %s\n", versionString(e.Version))
			}
			for _, m := range e.Modules {
				fmt.Fprintf(&b, "     Applet:   %X\n", m)
			}
		} else {
			if e.LoadFile != nil {
				fmt.Fprintf(&b, "     From:     %X\n", e.LoadFile)
			}
			if p := e.Privileges.String(); p != "" {
				fmt.Fprintf(&b, "     Privs:    %s\n", p)
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}

// versionString prints a 2-byte load file version as major.minor.
func versionString(v []byte) string {
	if len(v) == 2 {
		return fmt.Sprintf("%d.%d", v[0], v[1])
	}
	return fmt.Sprintf("<unknown format %X>", v)
}
