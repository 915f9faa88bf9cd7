package sqlstore

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"

	"github.com/cardhost/cardhost/tsm/store"
)

// PutCard implements store.Inventory.
func (s *Store) PutCard(ctx context.Context, c store.Card) (store.Card, error) {
	if err := c.Validate(); err != nil {
		return store.Card{}, err
	}
	if err := s.inTx(ctx, func(tx txn) error { return s.putCard(ctx, tx, c, s.stamp()) }); err != nil {
		return store.Card{}, err
	}
	return s.Card(ctx, c.CIN)
}

// putCard stores the validated snapshot c in tx (PutCard, FinishStep).
func (s *Store) putCard(ctx context.Context, tx txn, c store.Card, now int64) error {
	cin := hx(c.CIN)
	// Insert first so the row exists and can be locked; then compare.
	if _, err := tx.ExecContext(ctx, `INSERT INTO cards
		(cin, iin, cplc_serial, cplc, isd_aid, life_cycle, created_at, refreshed_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $7) ON CONFLICT (cin) DO NOTHING`,
		cin, hx(c.IIN), hx(c.CPLCSerial), hx(c.CPLC), hx(c.ISDAID), int(c.LifeCycle), now); err != nil {
		return fmt.Errorf("storing card %s: %w", cin, err)
	}
	var iin, serial string
	if err := tx.QueryRowContext(ctx, `SELECT iin, cplc_serial FROM cards WHERE cin = $1`+s.d.LockRows,
		cin).Scan(&iin, &serial); err != nil {
		return fmt.Errorf("storing card %s: %w", cin, err)
	}
	if differs(iin, c.IIN) || differs(serial, c.CPLCSerial) {
		return fmt.Errorf("storing card %s: %w: card %s is stored with another IIN or CPLC serial", cin, store.ErrConflict, cin)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE cards SET iin = COALESCE(NULLIF($2, ''), iin),
		cplc_serial = COALESCE(NULLIF($3, ''), cplc_serial), cplc = $4, isd_aid = $5,
		life_cycle = $6, refreshed_at = $7 WHERE cin = $1`,
		cin, hx(c.IIN), hx(c.CPLCSerial), hx(c.CPLC), hx(c.ISDAID), int(c.LifeCycle), now); err != nil {
		return fmt.Errorf("storing card %s: %w", cin, err)
	}
	if err := s.replaceContents(ctx, tx, cin, c); err != nil {
		return fmt.Errorf("storing card %s: %w", cin, err)
	}
	return nil
}

// differs reports whether a stored hex value and a new non-empty value differ.
// An empty side means "unknown": it never conflicts and never erases.
func differs(stored string, b []byte) bool {
	return stored != "" && len(b) > 0 && stored != hx(b)
}

// replaceContents rewrites the child rows of card cin from c, keeping known
// KCVs that the snapshot leaves empty.
func (s *Store) replaceContents(ctx context.Context, tx txn, cin string, c store.Card) error {
	old, err := queryKeySets(ctx, tx, cin)
	if err != nil {
		return err
	}
	for _, t := range []string{"card_domains", "card_keys", "card_load_files", "card_applications"} {
		if _, err := tx.ExecContext(ctx, `DELETE FROM `+t+` WHERE card_cin = $1`, cin); err != nil {
			return err
		}
	}
	for _, d := range c.Domains {
		if _, err := tx.ExecContext(ctx, `INSERT INTO card_domains
			(card_cin, aid, life_cycle, privileges, associated_sd) VALUES ($1, $2, $3, $4, $5)`,
			cin, hx(d.AID), int(d.LifeCycle), hx(d.Privileges), hx(d.AssociatedSD)); err != nil {
			return err
		}
	}
	for _, ks := range c.KeySets {
		for _, k := range ks.Keys {
			kcv := k.KCV
			if len(kcv) == 0 {
				kcv = knownKCV(old, ks, k)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO card_keys
				(card_cin, sd_aid, kvn, key_id, key_type, key_length, kcv) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
				cin, hx(ks.SDAID), int(ks.KVN), int(k.ID), int(k.Type), k.Length, hx(kcv)); err != nil {
				return err
			}
		}
	}
	for _, lf := range c.LoadFiles {
		if _, err := tx.ExecContext(ctx, `INSERT INTO card_load_files
			(card_cin, aid, ver_major, ver_minor, life_cycle, associated_sd) VALUES ($1, $2, $3, $4, $5, $6)`,
			cin, hx(lf.AID), int(lf.Version.Major), int(lf.Version.Minor), int(lf.LifeCycle), hx(lf.AssociatedSD)); err != nil {
			return err
		}
	}
	for _, a := range c.Applications {
		if _, err := tx.ExecContext(ctx, `INSERT INTO card_applications
			(card_cin, aid, load_file_aid, life_cycle, privileges, associated_sd) VALUES ($1, $2, $3, $4, $5, $6)`,
			cin, hx(a.AID), hx(a.LoadFileAID), int(a.LifeCycle), hx(a.Privileges), hx(a.AssociatedSD)); err != nil {
			return err
		}
	}
	return nil
}

// knownKCV finds the stored KCV of the same key (SD, KVN, ID, type, length).
func knownKCV(old []store.KeySet, ks store.KeySet, k store.KeyInfo) []byte {
	for _, o := range old {
		if o.KVN != ks.KVN || !bytes.Equal(o.SDAID, ks.SDAID) {
			continue
		}
		for _, ok := range o.Keys {
			if ok.ID == k.ID && ok.Type == k.Type && ok.Length == k.Length {
				return ok.KCV
			}
		}
	}
	return nil
}

// Card implements store.Inventory.
func (s *Store) Card(ctx context.Context, cin []byte) (store.Card, error) {
	cards, err := s.cards(ctx, `WHERE cin = $1`, hx(cin))
	if err != nil {
		return store.Card{}, err
	}
	if len(cards) == 0 {
		return store.Card{}, fmt.Errorf("%w: card %X", store.ErrNotFound, cin)
	}
	return cards[0], nil
}

// Cards implements store.Inventory.
func (s *Store) Cards(ctx context.Context, f store.CardFilter) ([]store.Card, error) {
	return s.cards(ctx, `WHERE ($1 = '' OR iin = $1) AND ($2 = '' OR cplc_serial = $2) AND cin > $3
		ORDER BY cin LIMIT $4`, hx(f.IIN), hx(f.CPLCSerial), hx(f.AfterCIN), limit(f.Limit))
}

// cards reads card rows selected by where and fills in their contents, all in
// one read transaction so each snapshot is consistent.
func (s *Store) cards(ctx context.Context, where string, args ...any) ([]store.Card, error) {
	var out []store.Card
	err := s.readTx(ctx, func(tx txn) error {
		var err error
		out, err = queryAll(ctx, tx, scanCard, `SELECT cin, iin, cplc_serial, cplc, isd_aid, life_cycle,
			created_at, refreshed_at FROM cards `+where, args...)
		if err != nil {
			return err
		}
		for i := range out {
			if err := fillContents(ctx, tx, &out[i]); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// scanCard converts one cards row.
func scanCard(r scanner) (store.Card, error) {
	var c store.Card
	var cin, iin, serial, cplc, isd string
	var lc int
	var created, refreshed sql.NullInt64
	if err := r.Scan(&cin, &iin, &serial, &cplc, &isd, &lc, &created, &refreshed); err != nil {
		return c, err
	}
	c.LifeCycle, c.CreatedAt, c.RefreshedAt = byte(lc), micros(created), micros(refreshed)
	return c, unhxAll(cin, &c.CIN, iin, &c.IIN, serial, &c.CPLCSerial, cplc, &c.CPLC, isd, &c.ISDAID)
}
