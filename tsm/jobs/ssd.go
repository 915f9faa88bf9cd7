package jobs

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/cardhost/cardhost/gpcard"
	"github.com/cardhost/cardhost/gpcard/command"
	"github.com/cardhost/cardhost/tsm/keystore"
	"github.com/cardhost/cardhost/tsm/store"
)

// probeCreateSSD: committed when the SSD is on the card with its initial
// key set (the STORE DATA that delivers the keys commits with its last
// block). An SSD without that key set is a half-done step: run deletes it
// and starts over.
func probeCreateSSD(ctx context.Context, e *cardEnv, raw json.RawMessage) (outcome, error) {
	var p createSSDParams
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, err
	}
	if e.domain(p.SSD) == nil || e.keySet(p.SSD, p.KVN) == nil {
		return nil, nil
	}
	info, err := e.expectedKeys(ctx, p.Label, p.KVN)
	if err != nil {
		return nil, err
	}
	e.setKeySet(p.SSD, 0, p.KVN, info.Type, info.KCV[:])
	return outcome{"ssd_aid": p.SSD, "key_set": keysOutcome(p.KVN, info.Type, info.KCV[:], p.Label)}, nil
}

func runCreateSSD(ctx context.Context, e *cardEnv, raw json.RawMessage) (outcome, error) {
	var p createSSDParams
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, err
	}
	isd := e.snap.Card.ISDAID
	if err := e.session(ctx, isd, 0, e.isdLabels()...); err != nil {
		return nil, err
	}
	if e.domain(p.SSD) != nil { // created, but its keys never arrived
		if err := e.c.Delete(ctx, p.SSD, false); err != nil {
			return nil, fmt.Errorf("deleting the SSD %X left without keys: %w", p.SSD, err)
		}
		e.snap.Card.Domains = slices.DeleteFunc(e.snap.Card.Domains, func(d store.Domain) bool { return bytes.Equal(d.AID, p.SSD) })
	}
	res, err := e.c.CreateSSD(ctx, gpcard.SSDOptions{AID: p.SSD, Privileges: p.Privileges,
		InitialKeys: &gpcard.InitialKeys{Via: gpcard.ByStoreData, KVN: p.KVN}})
	if err != nil {
		return nil, err
	}
	privs, err := command.ParsePrivilegeNames(append(slices.Clone(p.Privileges), "SecurityDomain"))
	if err != nil {
		return nil, err
	}
	e.snap.Card.Domains = append(e.snap.Card.Domains, store.Domain{AID: bytes.Clone(p.SSD), LifeCycle: 0x07,
		Privileges: privs[:], AssociatedSD: bytes.Clone(isd)})
	t, err := keystore.ParseType(res.Keys.Type)
	if err != nil {
		return nil, err
	}
	kcvs := hexList(res.Keys.KCV)
	// A new SSD may come with a factory key set, which the first key set
	// put replaces (sim and GP test cards): the SSD has only the new one.
	e.snap.Card.KeySets = slices.DeleteFunc(e.snap.Card.KeySets, func(ks store.KeySet) bool { return bytes.Equal(ks.SDAID, p.SSD) })
	e.setKeySet(p.SSD, 0, p.KVN, t, kcvs)
	return outcome{"ssd_aid": p.SSD, "key_set": keysOutcome(p.KVN, t, kcvs, p.Label)}, nil
}

// probePutKeys: PUT KEY of a whole key set is atomic on the card, so the
// step committed exactly when the SSD reports the new KVN.
func probePutKeys(ctx context.Context, e *cardEnv, raw json.RawMessage) (outcome, error) {
	var p putKeysParams
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, err
	}
	if e.keySet(p.SSD, p.KVN) == nil {
		return nil, nil
	}
	label := e.ssdLabel(p.ssdKeys)
	info, err := e.expectedKeys(ctx, label, p.KVN)
	if err != nil {
		return nil, err
	}
	e.setKeySet(p.SSD, p.ReplaceKVN, p.KVN, info.Type, info.KCV[:])
	return keysOutcome(p.KVN, info.Type, info.KCV[:], label), nil
}

func runPutKeys(ctx context.Context, e *cardEnv, raw json.RawMessage) (outcome, error) {
	var p putKeysParams
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, err
	}
	label, err := e.provideKeys(ctx, p)
	if err != nil {
		return nil, err
	}
	if err := e.session(ctx, p.SSD, p.ReplaceKVN, p.InitialLabel, label); err != nil {
		return nil, err
	}
	res, err := e.c.PutKeySet(ctx, gpcard.PutKeyOptions{ReplaceKVN: p.ReplaceKVN, NewKVN: p.KVN})
	if err != nil {
		return nil, err
	}
	t, err := keystore.ParseType(res.Type)
	if err != nil {
		return nil, err
	}
	kcvs := hexList(res.KCV)
	e.setKeySet(p.SSD, p.ReplaceKVN, p.KVN, t, kcvs)
	e.dropSession() // the channel still runs on the replaced keys
	return keysOutcome(p.KVN, t, kcvs, label), nil
}

// ssdLabel is the key store label of the SSD's provider keys.
func (e *cardEnv) ssdLabel(k ssdKeys) string {
	if k.Generate {
		return generatedLabel(e.job.CardCIN, k.SSD, k.KVN)
	}
	return k.Label
}

// provideKeys returns the label of the keys put-ssd-keys sends. Generated
// keys are reserved first (store.Jobs.ReserveKeySlot), then generated once:
// a resumed job gets the same label back and finds the key set already in
// the key store, so no slot ever gets a second key.
func (e *cardEnv) provideKeys(ctx context.Context, p putKeysParams) (string, error) {
	if !p.Generate {
		return p.Label, nil
	}
	slot, _, err := e.r.cfg.Store.ReserveKeySlot(ctx, e.lease, store.KeySlot{CardCIN: e.job.CardCIN, SDAID: p.SSD,
		KVN: p.KVN, KeyLabel: generatedLabel(e.job.CardCIN, p.SSD, p.KVN)})
	if err != nil {
		return "", fmt.Errorf("reserving the key slot: %w", err)
	}
	initial, err := e.expectedKeys(ctx, p.InitialLabel, p.ReplaceKVN)
	if err != nil {
		return "", err
	}
	_, err = e.r.cfg.Keys.Generate(ctx, keystore.GenerateRequest{Label: slot.KeyLabel, Kind: keystore.Static,
		Type: initial.Type, KVN: p.KVN, Usage: keystore.UseChannel | keystore.UsePutKey})
	if err != nil && !errors.Is(err, keystore.ErrExists) {
		return "", fmt.Errorf("generating the SSD keys: %w", err)
	}
	return slot.KeyLabel, nil
}

func hexList(h []gpcard.HexBytes) [][]byte {
	out := make([][]byte, len(h))
	for i, b := range h {
		out[i] = b
	}
	return out
}
