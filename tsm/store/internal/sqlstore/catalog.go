package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/cardhost/cardhost/tsm/store"
)

// PutPackage implements store.Catalog.
func (s *Store) PutPackage(ctx context.Context, p store.Package, ciphertext []byte) (store.Package, error) {
	if err := p.Validate(); err != nil {
		return store.Package{}, err
	}
	if len(ciphertext) == 0 {
		return store.Package{}, fmt.Errorf("%w: package %X: empty ciphertext", store.ErrInvalid, p.AID)
	}
	aid, maj, mnr := hx(p.AID), int(p.Version.Major), int(p.Version.Minor)
	err := s.inTx(ctx, func(tx txn) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO packages (aid, ver_major, ver_minor, name, load_file_hash,
			hash_alg, size, dap_signature, key_ref, sealed_key, ciphertext, uploaded_by, uploaded_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
			aid, maj, mnr, p.Name, hx(p.LoadFileHash), p.HashAlg, p.Size, nullBytes(p.DAPSignature), p.KeyRef,
			nullBytes(p.SealedKey), ciphertext, p.UploadedBy, s.stamp()); err != nil {
			return err
		}
		for i, a := range p.Applets {
			if _, err := tx.ExecContext(ctx, `INSERT INTO package_applets
				(package_aid, ver_major, ver_minor, position, aid) VALUES ($1, $2, $3, $4, $5)`,
				aid, maj, mnr, i, hx(a)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return store.Package{}, fmt.Errorf("storing package %s %s: %w", aid, p.Version, err)
	}
	return s.Package(ctx, p.AID, p.Version)
}

// nullBytes stores an empty byte string as NULL.
func nullBytes(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return b
}

// packageColumns are the metadata columns scanPackage reads.
const packageColumns = `aid, ver_major, ver_minor, name, load_file_hash, hash_alg, size, dap_signature,
	key_ref, sealed_key, uploaded_by, uploaded_at`

// Package implements store.Catalog.
func (s *Store) Package(ctx context.Context, aid []byte, v store.Version) (store.Package, error) {
	ps, err := s.packages(ctx, `WHERE aid = $1 AND ver_major = $2 AND ver_minor = $3`,
		hx(aid), int(v.Major), int(v.Minor))
	if err != nil {
		return store.Package{}, err
	}
	if len(ps) == 0 {
		return store.Package{}, fmt.Errorf("%w: package %X %s", store.ErrNotFound, aid, v)
	}
	return ps[0], nil
}

// PackageCiphertext implements store.Catalog.
func (s *Store) PackageCiphertext(ctx context.Context, aid []byte, v store.Version) ([]byte, error) {
	var ct []byte
	err := s.db.QueryRowContext(ctx, `SELECT ciphertext FROM packages WHERE aid = $1 AND ver_major = $2
		AND ver_minor = $3`, hx(aid), int(v.Major), int(v.Minor)).Scan(&ct)
	return ct, notFound(err, fmt.Sprintf("package %X %s", aid, v))
}

// Packages implements store.Catalog.
func (s *Store) Packages(ctx context.Context) ([]store.Package, error) {
	return s.packages(ctx, `ORDER BY aid, ver_major, ver_minor`)
}

// packages reads package rows selected by where, with their applets.
func (s *Store) packages(ctx context.Context, where string, args ...any) ([]store.Package, error) {
	var out []store.Package
	err := s.readTx(ctx, func(tx txn) error {
		var err error
		if out, err = queryAll(ctx, tx, scanPackage, `SELECT `+packageColumns+` FROM packages `+where, args...); err != nil {
			return err
		}
		for i := range out {
			p := &out[i]
			p.Applets, err = queryAll(ctx, tx, func(r scanner) ([]byte, error) {
				var a string
				if err := r.Scan(&a); err != nil {
					return nil, err
				}
				return unhx(a)
			}, `SELECT aid FROM package_applets WHERE package_aid = $1 AND ver_major = $2 AND ver_minor = $3
				ORDER BY position`, hx(p.AID), int(p.Version.Major), int(p.Version.Minor))
			if err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// scanPackage converts one packages row (metadata columns only).
func scanPackage(r scanner) (store.Package, error) {
	var p store.Package
	var aid, hash string
	var maj, mnr int
	var uploaded sql.NullInt64
	if err := r.Scan(&aid, &maj, &mnr, &p.Name, &hash, &p.HashAlg, &p.Size, &p.DAPSignature, &p.KeyRef,
		&p.SealedKey, &p.UploadedBy, &uploaded); err != nil {
		return p, err
	}
	p.Version, p.UploadedAt = store.Version{Major: byte(maj), Minor: byte(mnr)}, micros(uploaded)
	return p, unhxAll(aid, &p.AID, hash, &p.LoadFileHash)
}
