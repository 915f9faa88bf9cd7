package keystore

import (
	"fmt"

	"github.com/cardhost/cardhost/gpcard/keys"
)

// Selection is the set of entries one Provider answers for, at most one
// per KVN (and at most one answering for any KVN). Backends use it to
// implement Provider consistently.
type Selection []Metadata

// NewSelection checks that no two entries answer for the same KVN.
func NewSelection(ms []Metadata) (Selection, error) {
	if len(ms) == 0 {
		return nil, fmt.Errorf("keystore: a provider needs at least one key label")
	}
	seen := map[byte]string{}
	for _, m := range ms {
		if prev, dup := seen[m.KVN]; dup {
			return nil, fmt.Errorf("keystore: %q and %q both answer for KVN %02X", prev, m.Label, m.KVN)
		}
		seen[m.KVN] = m.Label
	}
	return Selection(append([]Metadata(nil), ms...)), nil
}

// For returns the entry answering for kvn: the one with that KVN, else the
// one with KVN 0. It fails with an error matching keys.ErrNoKeySet.
func (s Selection) For(kvn byte) (Metadata, error) {
	var any *Metadata
	for i := range s {
		switch s[i].KVN {
		case kvn:
			return s[i], nil
		case 0:
			any = &s[i]
		}
	}
	if any == nil {
		return Metadata{}, fmt.Errorf("%w %02X", keys.ErrNoKeySet, kvn)
	}
	return *any, nil
}

// CheckSession checks that entry m may open a channel of protocol scp:
// it has UseChannel and keys of the protocol's algorithm (3DES for SCP02,
// AES for SCP03).
func CheckSession(m Metadata, scp byte) error {
	if m.Usage&UseChannel == 0 {
		return fmt.Errorf("%w: %q is not for opening channels (usage %v)", ErrUsage, m.Label, m.Usage)
	}
	return fitsSCP(m, scp)
}

// CheckWrap checks that entry next may be encrypted for PUT KEY in a
// session of protocol scp opened with entry cur.
func CheckWrap(cur, next Metadata, scp byte) error {
	if err := CheckSession(cur, scp); err != nil {
		return err
	}
	if next.Usage&UsePutKey == 0 {
		return fmt.Errorf("%w: %q may not be sent to a card (usage %v)", ErrUsage, next.Label, next.Usage)
	}
	return fitsSCP(next, scp)
}

func fitsSCP(m Metadata, scp byte) error {
	if t, err := keys.TypeFor(scp, m.Type.Len()); err != nil || t != m.Type {
		return fmt.Errorf("keystore: %q holds %v keys, not usable with SCP%02X", m.Label, m.Type, scp)
	}
	return nil
}
