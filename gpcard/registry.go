package gpcard

import (
	"context"
	"errors"
	"fmt"

	"github.com/cardhost/cardhost/gpcard/command"
	"github.com/cardhost/cardhost/gpcard/scp"
	"github.com/cardhost/cardhost/gpcard/sw"
)

// maxStatusPages caps the GET STATUS continuations (6310) per scope; a card
// that keeps answering 6310 beyond it is an error, not a loop.
const maxStatusPages = 64

// DefaultScopes are the GET STATUS scopes Registry asks for by default: the
// ISD, applications and SSDs, then load files with their modules.
var DefaultScopes = []command.StatusScope{command.ScopeISD, command.ScopeApps, command.ScopeLoadFilesAndModule}

// RegistryEntry is one entry of the card registry with its names resolved,
// for human and JSON output alike.
type RegistryEntry struct {
	Kind              string     `json:"kind"` // ISD, SSD, APP or PKG
	AID               HexBytes   `json:"aid"`
	LifeCycle         byte       `json:"life_cycle"`
	State             string     `json:"state"` // e.g. SELECTABLE, as gp -l prints it
	Privileges        []string   `json:"privileges,omitempty"`
	LoadFile          HexBytes   `json:"load_file,omitempty"`
	Version           string     `json:"version,omitempty"` // load file version, "major.minor"
	AssociatedSD      HexBytes   `json:"associated_sd,omitempty"`
	Modules           []HexBytes `json:"modules,omitempty"`
	ImplicitSelection HexBytes   `json:"implicit_selection,omitempty"`
	// Entry is the parsed entry as command.FormatRegistry prints it.
	Entry command.RegistryEntry `json:"-"`
}

// Registry is the card content, in the order the card listed it.
type Registry []RegistryEntry

// String prints the registry like gp -l (command.FormatRegistry).
func (r Registry) String() string {
	raw := make([]command.RegistryEntry, len(r))
	for i, e := range r {
		raw[i] = e.Entry
	}
	return command.FormatRegistry(raw)
}

func newEntry(e command.RegistryEntry) RegistryEntry {
	out := RegistryEntry{Kind: e.Kind.String(), AID: e.AID, LifeCycle: e.LifeCycle, State: command.LifeCycleName(e.Kind, e.LifeCycle),
		Privileges: e.Privileges.Names(), LoadFile: e.LoadFile, AssociatedSD: e.AssociatedSD, ImplicitSelection: e.ImplicitSelection, Entry: e}
	if len(e.Version) == 2 {
		out.Version = fmt.Sprintf("%d.%d", e.Version[0], e.Version[1])
	}
	for _, m := range e.Modules {
		out.Modules = append(out.Modules, m)
	}
	return out
}

// Registry lists the card content with GET STATUS for each scope (nil means
// DefaultScopes), in the tag format (P2 02) with 6310 continuation (P2 03),
// capped at 64 pages per scope. A card that answers 6A86 to the tag format is
// asked again in the legacy format (P2 00), and so are later scopes; 6A88
// means no entries. GPCS 2.3.1 §11.4; clients.md §1.2. It needs a secure
// channel.
func (c *Card) Registry(ctx context.Context, scopes ...command.StatusScope) (Registry, error) {
	if _, err := c.secured(); err != nil {
		return nil, err
	}
	if scopes == nil {
		scopes = DefaultScopes
	}
	var out Registry
	for _, s := range scopes {
		entries, err := c.status(ctx, s)
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			out = append(out, newEntry(e))
		}
	}
	return out, nil
}

// status reads every page of one scope.
func (c *Card) status(ctx context.Context, scope command.StatusScope) ([]command.RegistryEntry, error) {
	var out []command.RegistryEntry
	for page := 0; ; page++ {
		if page == maxStatusPages {
			return nil, fmt.Errorf("GET STATUS %02X: more than %d pages", byte(scope), maxStatusPages)
		}
		f := command.FormatTLV
		if c.legacy {
			f = command.FormatLegacy
		}
		cmd, err := command.GetStatus(scope, f, page > 0, nil)
		if err != nil {
			return nil, err
		}
		r, err := c.exchange(ctx, command.NameGetStatus, cmd, sw.MoreData)
		var se *sw.StatusError
		switch {
		case errors.As(err, &se) && se.SW == sw.IncorrectP1P2 && f == command.FormatTLV && page == 0:
			c.legacy = true
			page--
			continue
		case errors.As(err, &se) && se.SW == sw.ReferencedDataNotFound && page == 0:
			return nil, nil
		case err != nil:
			return nil, err
		}
		entries, err := command.ParseGetStatus(r.Data, scope, f)
		if err != nil {
			return nil, err
		}
		out = append(out, entries...)
		if scp.SW(r) != sw.MoreData {
			return out, nil
		}
	}
}
