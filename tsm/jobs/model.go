package jobs

import (
	"bytes"
	"context"
	"fmt"
	"slices"

	"github.com/cardhost/cardhost/gpcard"
	"github.com/cardhost/cardhost/gpcard/keys"
	"github.com/cardhost/cardhost/tsm/store"
)

// The helpers below keep the run's snapshot (e.snap.Card) in step with what
// the steps change, so the inventory stored at the end of the job is what
// the card holds, with the KCVs of every key set the TSM put.

func (e *cardEnv) domain(aid []byte) *store.Domain {
	for i := range e.snap.Card.Domains {
		if bytes.Equal(e.snap.Card.Domains[i].AID, aid) {
			return &e.snap.Card.Domains[i]
		}
	}
	return nil
}

func (e *cardEnv) keySet(sd []byte, kvn byte) *store.KeySet {
	for i := range e.snap.Card.KeySets {
		if ks := &e.snap.Card.KeySets[i]; bytes.Equal(ks.SDAID, sd) && ks.KVN == kvn {
			return ks
		}
	}
	return nil
}

// setKeySet records key set kvn of sd with its KCVs, replacing replace (and
// kvn) if present.
func (e *cardEnv) setKeySet(sd []byte, replace byte, kvn byte, t keys.Type, kcvs [][]byte) {
	e.snap.Card.KeySets = slices.DeleteFunc(e.snap.Card.KeySets, func(ks store.KeySet) bool {
		return bytes.Equal(ks.SDAID, sd) && (ks.KVN == kvn || ks.KVN == replace)
	})
	ks := store.KeySet{SDAID: bytes.Clone(sd), KVN: kvn}
	for i, kcv := range kcvs {
		ks.Keys = append(ks.Keys, store.KeyInfo{ID: byte(i + 1), Type: t.KeyTypeByte(), Length: t.Len(), KCV: bytes.Clone(kcv)})
	}
	e.snap.Card.KeySets = append(e.snap.Card.KeySets, ks)
}

func (e *cardEnv) hasLoadFile(aid []byte) bool {
	return slices.ContainsFunc(e.snap.Card.LoadFiles, func(l store.LoadFile) bool { return bytes.Equal(l.AID, aid) })
}

func (e *cardEnv) hasApplication(aid []byte) bool {
	return slices.ContainsFunc(e.snap.Card.Applications, func(a store.Application) bool { return bytes.Equal(a.AID, aid) })
}

// expectedKeys asks the key store for the KVN, type and KCVs of the keys
// entry label gives this card for kvn: the values the card must hold.
func (e *cardEnv) expectedKeys(ctx context.Context, label string, kvn byte) (keys.Info, error) {
	kp, err := e.r.cfg.Keys.Provider(ctx, label)
	if err != nil {
		return keys.Info{}, fmt.Errorf("key store: %w", err)
	}
	info, err := kp.KeySet(ctx, kvn, e.snap.KDD)
	if err != nil {
		return keys.Info{}, fmt.Errorf("key store: %q for KVN %02X: %w", label, kvn, err)
	}
	return info, nil
}

// keysOutcome is the public description of a key set: KVN, type, KCVs.
func keysOutcome(kvn byte, t keys.Type, kcvs [][]byte, label string) outcome {
	hex := make([]gpcard.HexBytes, len(kcvs))
	for i, k := range kcvs {
		hex[i] = k
	}
	return outcome{"kvn": kvn, "type": t.String(), "kcv": hex, "key_label": label}
}

// generatedLabel is the key store label of a key set generated for one card,
// SSD and KVN.
func generatedLabel(cin, sd []byte, kvn byte) string {
	return fmt.Sprintf("card/%X/%X/%02X", cin, sd, kvn)
}
