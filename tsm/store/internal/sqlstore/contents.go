package sqlstore

import (
	"bytes"
	"context"

	"github.com/cardhost/cardhost/tsm/store"
)

// fillContents reads the domains, key sets, load files and applications of
// card c, each ordered by AID (key sets by SD AID, KVN, key ID).
func fillContents(ctx context.Context, q querier, c *store.Card) error {
	cin := hx(c.CIN)
	var err error
	if c.Domains, err = queryAll(ctx, q, scanDomain, `SELECT aid, life_cycle, privileges, associated_sd
		FROM card_domains WHERE card_cin = $1 ORDER BY aid`, cin); err != nil {
		return err
	}
	if c.KeySets, err = queryKeySets(ctx, q, cin); err != nil {
		return err
	}
	if c.LoadFiles, err = queryAll(ctx, q, scanLoadFile, `SELECT aid, ver_major, ver_minor, life_cycle, associated_sd
		FROM card_load_files WHERE card_cin = $1 ORDER BY aid`, cin); err != nil {
		return err
	}
	c.Applications, err = queryAll(ctx, q, scanApplication, `SELECT aid, load_file_aid, life_cycle, privileges,
		associated_sd FROM card_applications WHERE card_cin = $1 ORDER BY aid`, cin)
	return err
}

// scanDomain converts one card_domains row.
func scanDomain(r scanner) (store.Domain, error) {
	var d store.Domain
	var aid, priv, assoc string
	var lc int
	if err := r.Scan(&aid, &lc, &priv, &assoc); err != nil {
		return d, err
	}
	d.LifeCycle = byte(lc)
	return d, unhxAll(aid, &d.AID, priv, &d.Privileges, assoc, &d.AssociatedSD)
}

// scanLoadFile converts one card_load_files row.
func scanLoadFile(r scanner) (store.LoadFile, error) {
	var lf store.LoadFile
	var aid, assoc string
	var major, minor, lc int
	if err := r.Scan(&aid, &major, &minor, &lc, &assoc); err != nil {
		return lf, err
	}
	lf.Version, lf.LifeCycle = store.Version{Major: byte(major), Minor: byte(minor)}, byte(lc)
	return lf, unhxAll(aid, &lf.AID, assoc, &lf.AssociatedSD)
}

// scanApplication converts one card_applications row.
func scanApplication(r scanner) (store.Application, error) {
	var a store.Application
	var aid, lf, priv, assoc string
	var lc int
	if err := r.Scan(&aid, &lf, &lc, &priv, &assoc); err != nil {
		return a, err
	}
	a.LifeCycle = byte(lc)
	return a, unhxAll(aid, &a.AID, lf, &a.LoadFileAID, priv, &a.Privileges, assoc, &a.AssociatedSD)
}

// keyRow is one card_keys row.
type keyRow struct {
	sd  []byte
	kvn byte
	key store.KeyInfo
}

// queryKeySets reads the key sets of card cin, grouping key rows by SD and KVN.
func queryKeySets(ctx context.Context, q querier, cin string) ([]store.KeySet, error) {
	rows, err := queryAll(ctx, q, func(r scanner) (keyRow, error) {
		var k keyRow
		var sd, kcv string
		var kvn, id, typ int
		if err := r.Scan(&sd, &kvn, &id, &typ, &k.key.Length, &kcv); err != nil {
			return k, err
		}
		k.kvn, k.key.ID, k.key.Type = byte(kvn), byte(id), byte(typ)
		return k, unhxAll(sd, &k.sd, kcv, &k.key.KCV)
	}, `SELECT sd_aid, kvn, key_id, key_type, key_length, kcv FROM card_keys WHERE card_cin = $1
		ORDER BY sd_aid, kvn, key_id`, cin)
	if err != nil {
		return nil, err
	}
	var out []store.KeySet
	for _, r := range rows {
		if n := len(out); n > 0 && out[n-1].KVN == r.kvn && bytes.Equal(out[n-1].SDAID, r.sd) {
			out[n-1].Keys = append(out[n-1].Keys, r.key)
			continue
		}
		out = append(out, store.KeySet{SDAID: r.sd, KVN: r.kvn, Keys: []store.KeyInfo{r.key}})
	}
	return out, nil
}
