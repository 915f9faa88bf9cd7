//go:build !cgo

package pkcs11_test

import (
	"context"
	"strings"
	"testing"

	"github.com/cardhost/cardhost/tsm/keystore"
	_ "github.com/cardhost/cardhost/tsm/keystore/pkcs11"
)

func TestOpen_WithoutCgo_FailsClearly(t *testing.T) {
	cfg := keystore.Config{Backend: "pkcs11", PKCS11: &keystore.PKCS11Config{Module: "/usr/lib/softhsm/libsofthsm2.so", TokenLabel: "t", PIN: "env:PIN"}}
	_, err := keystore.Open(context.Background(), cfg, keystore.Options{})
	if err == nil || !strings.Contains(err.Error(), "cgo") {
		t.Fatalf("Open = %v, want an error about cgo", err)
	}
}
