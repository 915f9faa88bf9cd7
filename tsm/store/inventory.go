package store

import (
	"context"
	"fmt"
	"time"
)

// Inventory is the card inventory: one snapshot per card, keyed by CIN,
// read from the card at the start of every job run and stored when the job
// ends (see StepResult.Card).
type Inventory interface {
	// PutCard stores c as the current snapshot of card c.CIN, replacing its
	// domains, key sets, load files and applications. A key whose KCV the
	// snapshot leaves empty keeps the KCV stored for the same SD, KVN, key ID,
	// type and length (cards report key information without KCVs; the TSM
	// learns them when it puts keys). It returns the stored snapshot. A card
	// whose non-empty IIN or CPLC serial differs from the stored card of the
	// same CIN is a different card: ErrConflict.
	PutCard(ctx context.Context, c Card) (Card, error)
	// Card returns the snapshot of the card with this CIN, or ErrNotFound.
	Card(ctx context.Context, cin []byte) (Card, error)
	// Cards lists card snapshots matching f, ordered by CIN.
	Cards(ctx context.Context, f CardFilter) ([]Card, error)
}

// Card is an inventory snapshot of one card (GPCS 2.3.1 §7.4, §11.3: GET DATA
// 42, 45, 9F7F, E0; GET STATUS). Byte slices are owned by the value: the store
// copies what it is given and returns fresh slices.
type Card struct {
	CIN          []byte   // Card Image Number (GET DATA 45); required, at most 64 bytes
	IIN          []byte   // Issuer Identification Number (GET DATA 42), optional
	CPLCSerial   []byte   // IC serial number from CPLC, optional
	CPLC         []byte   // full CPLC data (GET DATA 9F7F), optional
	ISDAID       []byte   // AID of the issuer security domain
	LifeCycle    byte     // card life cycle state (GPCS Table 11-6)
	Domains      []Domain // security domains, ISD included
	KeySets      []KeySet // key sets per security domain (never key values)
	LoadFiles    []LoadFile
	Applications []Application
	RefreshedAt  time.Time // when the snapshot was last stored (set by the store)
	CreatedAt    time.Time // when the card was first stored (set by the store)
}

// Domain is one security domain on a card.
type Domain struct {
	AID          []byte
	LifeCycle    byte
	Privileges   []byte // 3 bytes (GPCS §11.1.2), or empty if unknown
	AssociatedSD []byte // AID of the associated SD, or empty
}

// KeySet is one key version of a security domain: KVN and per-key metadata.
// It cannot carry key values.
type KeySet struct {
	SDAID []byte
	KVN   byte
	Keys  []KeyInfo
}

// KeyInfo describes one key of a key set (GET DATA E0, C0 entries) and the
// KCV the TSM recorded when it put the key (GPCS §1.9 conventions).
type KeyInfo struct {
	ID     byte   // KID: 1 ENC, 2 MAC, 3 DEK for SCP02/03 key sets
	Type   byte   // key type, e.g. 0x80 DES, 0x88 AES
	Length int    // key length in bytes
	KCV    []byte // key check value (3 bytes), empty if unknown
}

// LoadFile is one executable load file on a card.
type LoadFile struct {
	AID          []byte
	Version      Version
	LifeCycle    byte
	AssociatedSD []byte
}

// Application is one installed applet instance (SSDs are Domains).
type Application struct {
	AID          []byte
	LoadFileAID  []byte // empty if the card does not report it
	LifeCycle    byte
	Privileges   []byte
	AssociatedSD []byte
}

// Version is a load file version (major.minor, GET STATUS tag CE).
type Version struct {
	Major, Minor byte
}

// String formats v as "major.minor".
func (v Version) String() string { return fmt.Sprintf("%d.%d", v.Major, v.Minor) }

// CardFilter selects cards. Zero fields match everything.
type CardFilter struct {
	IIN        []byte
	CPLCSerial []byte
	AfterCIN   []byte // page after this CIN
	Limit      int    // at most this many (0: 100; capped at 1000)
}

// Validate checks that c can be stored.
func (c Card) Validate() error {
	if len(c.CIN) == 0 || len(c.CIN) > 64 {
		return invalidf("card CIN must be 1..64 bytes")
	}
	seen := map[string]bool{}
	for _, d := range c.Domains {
		if err := uniqueAID("domain", d.AID, seen); err != nil {
			return err
		}
	}
	seen = map[string]bool{}
	for _, ks := range c.KeySets {
		if len(ks.SDAID) == 0 {
			return invalidf("key set %02X: empty SD AID", ks.KVN)
		}
		k := fmt.Sprintf("%X/%02X", ks.SDAID, ks.KVN)
		if seen[k] {
			return invalidf("key set %s twice", k)
		}
		seen[k] = true
		if len(ks.Keys) == 0 {
			return invalidf("key set %s has no keys", k)
		}
		ids := map[byte]bool{}
		for _, ki := range ks.Keys {
			if ids[ki.ID] {
				return invalidf("key set %s: key ID %d twice", k, ki.ID)
			}
			ids[ki.ID] = true
		}
	}
	seen = map[string]bool{}
	for _, lf := range c.LoadFiles {
		if err := uniqueAID("load file", lf.AID, seen); err != nil {
			return err
		}
	}
	seen = map[string]bool{}
	for _, a := range c.Applications {
		if err := uniqueAID("application", a.AID, seen); err != nil {
			return err
		}
	}
	return nil
}

// uniqueAID checks an AID is 1..16 bytes and not in seen, then adds it.
func uniqueAID(what string, aid []byte, seen map[string]bool) error {
	if len(aid) == 0 || len(aid) > 16 {
		return invalidf("%s AID must be 1..16 bytes", what)
	}
	if seen[string(aid)] {
		return invalidf("%s %X twice", what, aid)
	}
	seen[string(aid)] = true
	return nil
}
