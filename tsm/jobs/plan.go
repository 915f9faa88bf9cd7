package jobs

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/cardhost/cardhost/gpcard"
	"github.com/cardhost/cardhost/tsm/keystore"
	"github.com/cardhost/cardhost/tsm/store"
)

// PlanProvision is the name of the plan Provision builds.
const PlanProvision = "provision"

// Step kinds of the provisioning plan, in plan order.
const (
	KindCreateSSD   = "create-ssd"   // INSTALL the SSD, then its initial keys by STORE DATA through the ISD
	KindPutSSDKeys  = "put-ssd-keys" // open the SSD with its initial keys and replace them by PUT KEY
	KindLoad        = "load"         // INSTALL [for load] and LOAD into the SSD
	KindInstall     = "install"      // INSTALL [for install and make selectable] through the SSD
	KindPersonalise = "personalise"  // INSTALL [for personalization] and STORE DATA of the payment applet
)

// Provision describes the provisioning plan: create an SSD, give it the
// issuer's initial keys, replace them with the provider's keys, then load,
// install and (optionally) personalise an applet in that SSD. Keys are named
// by key store label and KVN only.
type Provision struct {
	SSD        gpcard.HexBytes `json:"ssd_aid"`
	Privileges []string        `json:"privileges,omitempty"` // e.g. AuthorizedManagement
	// InitialKVN and InitialLabel are the SSD's first key set: a key store
	// entry (usually an issuer master diversified per card) that the ISD's
	// secure channel wraps for STORE DATA.
	InitialKVN   byte   `json:"initial_kvn"`
	InitialLabel string `json:"initial_label"`
	// KVN and Label are the provider's key set that replaces the initial
	// one. With Generate, Label is ignored: each card gets a key set
	// generated in the key store under a label derived from its CIN, after
	// the slot is reserved with store.Jobs.ReserveKeySlot.
	KVN      byte   `json:"kvn"`
	Label    string `json:"label,omitempty"`
	Generate bool   `json:"generate,omitempty"`
	// Package and Version name the catalog entry to load; Module and
	// Instance the applet to install (Instance nil: the module AID).
	Package  gpcard.HexBytes `json:"package_aid"`
	Version  store.Version   `json:"version"`
	Module   gpcard.HexBytes `json:"module_aid"`
	Instance gpcard.HexBytes `json:"instance_aid,omitempty"`
	// InstallParams is the content of C9 for the applet.
	InstallParams gpcard.HexBytes `json:"install_params,omitempty"`
	// Purse, when set, adds the personalise step for the payment applet.
	Purse *Purse `json:"purse,omitempty"`
}

// Purse is the personalisation of the payment applet (applet/payment): the
// per-card purse key comes from the key store entry Label (KID 1 of KVN;
// a master is diversified by the card's KDD) and reaches the card wrapped
// under the SSD's DEK; the other fields are its public profile. The card
// holder ID is the card's CIN.
type Purse struct {
	Label    string `json:"label"`
	KVN      byte   `json:"kvn"`
	Limit    uint32 `json:"limit"`
	Currency uint16 `json:"currency"`
	Flags    byte   `json:"flags"`
}

// ssdKeys names the key set that opens the SSD after put-ssd-keys.
type ssdKeys struct {
	SSD      gpcard.HexBytes `json:"ssd_aid"`
	KVN      byte            `json:"kvn"`
	Label    string          `json:"label,omitempty"`
	Generate bool            `json:"generate,omitempty"`
}

type createSSDParams struct {
	SSD        gpcard.HexBytes `json:"ssd_aid"`
	Privileges []string        `json:"privileges,omitempty"`
	KVN        byte            `json:"kvn"`
	Label      string          `json:"label"`
}

type putKeysParams struct {
	ssdKeys
	ReplaceKVN   byte   `json:"replace_kvn"`
	InitialLabel string `json:"initial_label"`
}

type loadParams struct {
	ssdKeys
	Package gpcard.HexBytes `json:"package_aid"`
	Version store.Version   `json:"version"`
}

type installParams struct {
	ssdKeys
	Package  gpcard.HexBytes `json:"package_aid"`
	Module   gpcard.HexBytes `json:"module_aid"`
	Instance gpcard.HexBytes `json:"instance_aid"`
	Params   gpcard.HexBytes `json:"install_params,omitempty"`
}

type personaliseParams struct {
	ssdKeys
	Instance gpcard.HexBytes `json:"instance_aid"`
	Purse    Purse           `json:"purse"`
}

// Validate checks the plan's fields.
func (p Provision) Validate() error {
	switch {
	case len(p.SSD) < 5 || len(p.SSD) > 16:
		return errors.New("jobs: provision: ssd_aid must be 5 to 16 bytes")
	case p.InitialKVN == 0 || p.InitialKVN > 0x7F || p.KVN == 0 || p.KVN > 0x7F || p.InitialKVN == p.KVN:
		return errors.New("jobs: provision: initial_kvn and kvn must be distinct, 01 to 7F")
	case keystore.ValidLabel(p.InitialLabel) != nil:
		return errors.New("jobs: provision: initial_label is not a valid key store label")
	case !p.Generate && keystore.ValidLabel(p.Label) != nil:
		return errors.New("jobs: provision: label is not a valid key store label")
	case len(p.Package) < 5 || len(p.Module) < 5:
		return errors.New("jobs: provision: package_aid and module_aid are required")
	case p.Purse != nil && (keystore.ValidLabel(p.Purse.Label) != nil || p.Purse.KVN == 0 || p.Purse.KVN > 0x7F):
		return errors.New("jobs: provision: purse needs a label and a KVN 01 to 7F")
	}
	return nil
}

// Steps returns the plan's steps for store.NewJob: create-ssd, put-ssd-keys,
// load, install and, with Purse, personalise.
func (p Provision) Steps() ([]store.StepSpec, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	inst := p.Instance
	if inst == nil {
		inst = p.Module
	}
	sk := ssdKeys{SSD: p.SSD, KVN: p.KVN, Label: p.Label, Generate: p.Generate}
	params := []struct {
		kind string
		v    any
	}{
		{KindCreateSSD, createSSDParams{SSD: p.SSD, Privileges: p.Privileges, KVN: p.InitialKVN, Label: p.InitialLabel}},
		{KindPutSSDKeys, putKeysParams{ssdKeys: sk, ReplaceKVN: p.InitialKVN, InitialLabel: p.InitialLabel}},
		{KindLoad, loadParams{ssdKeys: sk, Package: p.Package, Version: p.Version}},
		{KindInstall, installParams{ssdKeys: sk, Package: p.Package, Module: p.Module, Instance: inst, Params: p.InstallParams}},
	}
	if p.Purse != nil {
		params = append(params, struct {
			kind string
			v    any
		}{KindPersonalise, personaliseParams{ssdKeys: sk, Instance: inst, Purse: *p.Purse}})
	}
	var out []store.StepSpec
	for _, s := range params {
		raw, err := json.Marshal(s.v)
		if err != nil {
			return nil, fmt.Errorf("jobs: encoding %s parameters: %w", s.kind, err)
		}
		out = append(out, store.StepSpec{Kind: s.kind, Params: raw})
	}
	return out, nil
}
