package jobs

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"github.com/cardhost/cardhost/applet/payment"
	"github.com/cardhost/cardhost/gpcard"
	"github.com/cardhost/cardhost/gpcard/command"
	"github.com/cardhost/cardhost/gpcard/keys"
	"github.com/cardhost/cardhost/gpcard/sw"
	"github.com/cardhost/cardhost/gpcard/tlv"
	"github.com/cardhost/cardhost/tsm/store"
)

// ssdSession opens the SSD with the provider's keys (plus extra entries).
func (e *cardEnv) ssdSession(ctx context.Context, k ssdKeys, extra ...string) error {
	return e.session(ctx, k.SSD, k.KVN, append([]string{e.ssdLabel(k)}, extra...)...)
}

// probeLoad: the card processes a load file only after its last LOAD block,
// so a load file in the registry is a committed load and anything less left
// no trace.
func probeLoad(_ context.Context, e *cardEnv, raw json.RawMessage) (outcome, error) {
	var p loadParams
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, err
	}
	if !e.hasLoadFile(p.Package) {
		return nil, nil
	}
	return outcome{"load_file": p.Package, "version": p.Version.String()}, nil
}

func runLoad(ctx context.Context, e *cardEnv, raw json.RawMessage) (outcome, error) {
	var p loadParams
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, err
	}
	f, err := e.r.cfg.Catalog.CAP(ctx, p.Package, p.Version)
	if err != nil {
		return nil, fmt.Errorf("catalog: %w", err)
	}
	if err := e.ssdSession(ctx, p.ssdKeys); err != nil {
		return nil, err
	}
	res, err := e.c.Load(ctx, f, gpcard.LoadOptions{})
	if err != nil {
		return nil, err
	}
	e.snap.Card.LoadFiles = append(e.snap.Card.LoadFiles, store.LoadFile{AID: bytes.Clone(p.Package), Version: p.Version,
		LifeCycle: 0x01, AssociatedSD: bytes.Clone(p.SSD)})
	return outcome{"load_file": p.Package, "version": p.Version.String(), "bytes": res.Bytes, "blocks": res.Blocks}, nil
}

// probeInstall: one INSTALL command, atomic on the card.
func probeInstall(_ context.Context, e *cardEnv, raw json.RawMessage) (outcome, error) {
	var p installParams
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, err
	}
	if !e.hasApplication(p.Instance) {
		return nil, nil
	}
	return outcome{"instance_aid": p.Instance}, nil
}

func runInstall(ctx context.Context, e *cardEnv, raw json.RawMessage) (outcome, error) {
	var p installParams
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, err
	}
	if err := e.ssdSession(ctx, p.ssdKeys); err != nil {
		return nil, err
	}
	err := e.c.Install(ctx, gpcard.InstallOptions{LoadFile: p.Package, Module: p.Module, AID: p.Instance, Params: p.Params})
	if err != nil {
		return nil, err
	}
	e.snap.Card.Applications = append(e.snap.Card.Applications, store.Application{AID: bytes.Clone(p.Instance),
		LoadFileAID: bytes.Clone(p.Package), LifeCycle: 0x07, Privileges: []byte{0, 0, 0}, AssociatedSD: bytes.Clone(p.SSD)})
	return outcome{"instance_aid": p.Instance}, nil
}

// probePersonalise selects the purse and reads its state from the FCI
// (A5 / 81: 01 personalised; applet/payment). The purse becomes
// personalised with the last STORE DATA block and takes a new sequence
// until then, so an interrupted personalisation is simply sent again.
func probePersonalise(ctx context.Context, e *cardEnv, raw json.RawMessage) (outcome, error) {
	var p personaliseParams
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, err
	}
	if !e.hasApplication(p.Instance) {
		return nil, nil
	}
	if err := e.c.Select(ctx, p.SSD); err != nil { // ends any secure channel: SELECT goes out plain
		return nil, err
	}
	e.dropSession()
	sel, err := command.Select(p.Instance)
	if err != nil {
		return nil, err
	}
	r, err := e.c.Transmit(ctx, sel)
	if err != nil {
		return nil, err
	}
	if err := e.c.Select(ctx, p.SSD); err != nil {
		return nil, err
	}
	if r.SW1 != 0x90 || r.SW2 != 0x00 {
		return nil, fmt.Errorf("selecting %X: %w", p.Instance, sw.Check("SELECT", uint16(r.SW1)<<8|uint16(r.SW2)))
	}
	if !pursePersonalised(r.Data) {
		return nil, nil
	}
	return outcome{"instance_aid": p.Instance}, nil
}

// pursePersonalised reads 6F { A5 { 81 01 state } } of the purse's FCI.
func pursePersonalised(fci []byte) bool {
	objs, err := tlv.Parse(fci)
	if err != nil {
		return false
	}
	st, ok := tlv.Find(objs, 0x6F, 0xA5, 0x81)
	return ok && bytes.Equal(st.Value, []byte{0x01})
}

func runPersonalise(ctx context.Context, e *cardEnv, raw json.RawMessage) (outcome, error) {
	var p personaliseParams
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, err
	}
	ks := e.keySet(p.SSD, p.KVN)
	if ks == nil || len(ks.Keys) == 0 || ks.Keys[0].Type != keys.AES128.KeyTypeByte() {
		return nil, fmt.Errorf("personalise: the purse key is wrapped under the SSD's static DEK, which needs an SCP03 SSD")
	}
	// The SSD's channel has a provider over the SSD's and the purse's key
	// store entries: the purse key (KID 1 of the purse KVN, diversified by
	// the card's KDD for a master) is wrapped inside it under the SSD's DEK
	// and sent in an encrypted STORE DATA block; the profile follows in
	// clear blocks (gpcard.PersonalizeWith).
	if err := e.ssdSession(ctx, p.ssdKeys, p.Purse.Label); err != nil {
		return nil, err
	}
	holder := e.job.CardCIN
	if len(holder) > payment.MaxHolderIDLen {
		holder = holder[len(holder)-payment.MaxHolderIDLen:]
	}
	profile, err := payment.Profile{Limit: p.Purse.Limit, Currency: p.Purse.Currency, HolderID: holder, Flags: payment.Flags(p.Purse.Flags)}.DGIs()
	if err != nil {
		return nil, err
	}
	dgis, err := command.ParseDGIs(profile)
	if err != nil {
		return nil, err
	}
	res, err := e.c.PersonalizeWith(ctx, p.Instance, dgis, gpcard.DGIOptions{Keys: []gpcard.KeyDGI{
		{ID: payment.DGIPurseKey, Key: keys.KeyRef{KVN: p.Purse.KVN, KID: 1}}}})
	if err != nil {
		return nil, err
	}
	out := outcome{"instance_aid": p.Instance, "purse_kvn": p.Purse.KVN}
	if len(res) == 1 {
		out["purse_kcv"] = res[0].KCV
	}
	return out, nil
}
