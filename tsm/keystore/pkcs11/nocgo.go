//go:build !cgo

package pkcs11

import (
	"context"
	"errors"

	"github.com/cardhost/cardhost/tsm/keystore"
)

func init() {
	keystore.Register("pkcs11", func(ctx context.Context, cfg keystore.Config, o keystore.Options) (keystore.Store, error) {
		return Open(ctx, *cfg.PKCS11, o)
	})
}

// errNoCgo explains why the backend cannot work in this binary.
var errNoCgo = errors.New("pkcs11: this binary was built without cgo (CGO_ENABLED=0); the PKCS#11 key store needs cgo to load the token's library")

// Open fails: PKCS#11 needs cgo.
func Open(context.Context, keystore.PKCS11Config, keystore.Options) (keystore.Store, error) {
	return nil, errNoCgo
}
