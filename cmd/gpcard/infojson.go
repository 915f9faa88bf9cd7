package main

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cardhost/cardhost/gpcard"
	"github.com/cardhost/cardhost/gpcard/command"
)

// infoJSON is the output of "gpcard info"; its JSON field names are a
// stable interface (README: JSON output).
type infoJSON struct {
	Reader         string            `json:"reader"`
	ATR            string            `json:"atr"`
	SD             string            `json:"sd"`
	MaxCommandData int               `json:"max_command_data,omitempty"`
	CPLC           []cplcFieldJSON   `json:"cplc,omitempty"`
	IIN            string            `json:"iin,omitempty"`
	CIN            string            `json:"cin,omitempty"`
	KDD            string            `json:"kdd,omitempty"`
	Sequence       *uint32           `json:"sequence_counter,omitempty"`
	CardData       *cardDataJSON     `json:"card_data,omitempty"`
	Capability     *capabilityJSON   `json:"capabilities,omitempty"`
	Keys           []keyInfoJSON     `json:"keys"`
	Resources      *resourcesJSON    `json:"resources,omitempty"`
	Unavailable    map[string]string `json:"unavailable"`
}

type cplcFieldJSON struct {
	Name  string `json:"name"`
	Value string `json:"value"`
	Date  string `json:"date,omitempty"` // yyyy-mm-dd, or "invalid date format"
}

type cardDataJSON struct {
	GPCard     bool      `json:"gp_card"`
	Version    string    `json:"gp_version,omitempty"`
	VersionOID string    `json:"gp_version_oid,omitempty"`
	SCPs       []scpJSON `json:"scp"`
}

type scpJSON struct {
	Name string `json:"name"` // e.g. "SCP02 i=15"
	SCP  string `json:"scp"`  // hex, e.g. "02"
	I    string `json:"i"`    // hex, e.g. "15"
	OID  string `json:"oid"`
}

type capabilityJSON struct {
	SCPs          []scpCapJSON `json:"scp"`
	SSDPrivileges []string     `json:"ssd_privileges"`
	AppPrivileges []string     `json:"app_privileges"`
	LFDBHash      []string     `json:"lfdb_hash"`
}

type scpCapJSON struct {
	SCP string   `json:"scp"`
	I   []string `json:"i"`
}

type keyInfoJSON struct {
	KVN        byte          `json:"kvn"`
	KID        byte          `json:"kid"`
	Components []keyCompJSON `json:"components"`
}

type keyCompJSON struct {
	Type   string `json:"type"` // DES3, AES or the hex key type
	Length int    `json:"length"`
}

type resourcesJSON struct {
	Applications    int `json:"applications"`
	FreeNonVolatile int `json:"free_non_volatile"`
	FreeVolatile    int `json:"free_volatile"`
}

// newInfoJSON converts what gpcard.Info read into the output shape; now
// resolves the decade of CPLC dates.
func newInfoJSON(reader string, atr []byte, ci *gpcard.CardInfo, now time.Time) *infoJSON {
	out := &infoJSON{Reader: reader, ATR: hexUpper(atr), SD: ci.SD.String(), MaxCommandData: ci.MaxCommandData,
		IIN: hexUpper(ci.IIN), CIN: hexUpper(ci.CIN), Sequence: ci.Sequence, Keys: []keyInfoJSON{}, Unavailable: map[string]string{}}
	for k, v := range ci.Unavailable {
		out.Unavailable[k] = v
	}
	if c := ci.CPLC; c != nil {
		for _, f := range c.Fields() {
			j := cplcFieldJSON{Name: f.Name, Value: hexUpper(f.Value)}
			if f.Date {
				j.Date = "invalid date format"
				if d, err := command.CPLCDate([2]byte(f.Value), now); err == nil {
					j.Date = d.Format(time.DateOnly)
				}
			}
			out.CPLC = append(out.CPLC, j)
		}
	}
	if cd := ci.CardData; cd != nil {
		j := &cardDataJSON{GPCard: cd.GPCard, Version: cd.Version, VersionOID: cd.VersionOID, SCPs: []scpJSON{}}
		for _, o := range cd.SCPs {
			j.SCPs = append(j.SCPs, scpJSON{Name: o.String(), SCP: fmt.Sprintf("%02X", o.SCP), I: fmt.Sprintf("%02X", o.I),
				OID: fmt.Sprintf("1.2.840.114283.4.%d.%d", o.SCP, o.I)})
		}
		out.CardData = j
	}
	if c := ci.Capability; c != nil {
		j := &capabilityJSON{SCPs: []scpCapJSON{}, SSDPrivileges: c.SSDPrivileges.Names(), AppPrivileges: c.AppPrivileges.Names(), LFDBHash: []string{}}
		for _, s := range c.SCPs {
			sc := scpCapJSON{SCP: fmt.Sprintf("%02X", s.SCP), I: []string{}}
			for _, i := range s.Options {
				sc.I = append(sc.I, fmt.Sprintf("%02X", i))
			}
			j.SCPs = append(j.SCPs, sc)
		}
		for _, h := range c.LFDBHashAlgorithms {
			j.LFDBHash = append(j.LFDBHash, hashName(h))
		}
		out.Capability = j
	}
	for _, k := range ci.KeyInfo {
		j := keyInfoJSON{KVN: k.Version, KID: k.ID, Components: []keyCompJSON{}}
		for _, c := range k.Components {
			j.Components = append(j.Components, keyCompJSON{Type: keyTypeName(c.Type), Length: c.Length})
		}
		out.Keys = append(out.Keys, j)
	}
	if r := ci.Resources; r != nil {
		out.Resources = &resourcesJSON{Applications: r.Applications, FreeNonVolatile: r.FreeNonVolatile, FreeVolatile: r.FreeVolatile}
	}
	return out
}

// hashName names a load file data block hash algorithm of the card
// capability information (GPCS 2.3.1 Table H-3, tag 83).
func hashName(b byte) string {
	switch b {
	case 0x01:
		return "SHA-1"
	case 0x02:
		return "SHA-256"
	case 0x03:
		return "SHA-384"
	case 0x04:
		return "SHA-512"
	}
	return fmt.Sprintf("%02X", b)
}

// keyTypeName names a key type byte as gp -i does (80 DES3, 88 AES).
func keyTypeName(t byte) string {
	switch t {
	case command.KeyTypeDES:
		return "DES3"
	case command.KeyTypeAES:
		return "AES"
	}
	return fmt.Sprintf("%02X", t)
}

// sortedKeys returns the keys of m in order, for stable output.
func sortedKeys(m map[string]string) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.SortFunc(ks, strings.Compare)
	return ks
}
