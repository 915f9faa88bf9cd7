package keystore_test

import (
	"context"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"

	"github.com/cardhost/cardhost/gpcard/keys"
	"github.com/cardhost/cardhost/gpcard/secret"
	"github.com/cardhost/cardhost/tsm/keystore"
	_ "github.com/cardhost/cardhost/tsm/keystore/sealed" // registers "sealed"
)

// Example imports the GP test key as an EMV master key in a sealed store
// and asks the store's provider for the KCVs of one card's keys; the
// provider is what scp02.Open and scp03.Open take.
func Example() {
	dir, _ := os.MkdirTemp("", "keystore-example")
	defer os.RemoveAll(dir)
	os.Setenv("CARDHOST_EXAMPLE_PASSPHRASE", "correct horse battery staple")
	cfg := keystore.Config{Backend: "sealed", Sealed: &keystore.SealedConfig{
		Path:       filepath.Join(dir, "keys.json"),
		Passphrase: "env:CARDHOST_EXAMPLE_PASSPHRASE",
		Argon2:     &keystore.Argon2Params{Time: 1, MemoryKiB: 64, Threads: 1}, // cheap for the example only
	}}
	ctx := context.Background()
	s, err := keystore.Open(ctx, cfg, keystore.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close()
	k, _ := hex.DecodeString(keys.DefaultKeyHex)
	kcv := []byte{0x8B, 0xAF, 0x47}
	m, err := s.Import(ctx, keystore.ImportRequest{Label: "issuer/isd", Kind: keystore.Master, Type: keys.DES3, Method: keys.EMV, KVN: 0x20, Usage: keystore.UseChannel,
		Keys: []keystore.KeyMaterial{{Components: []keystore.Component{{Key: secret.New(k), KCV: kcv}}, KCV: kcv}}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(m.Label, m.Kind, m.Method, m.KCVs)
	p, err := s.Provider(ctx, "issuer/isd")
	if err != nil {
		fmt.Println(err)
		return
	}
	kdd, _ := hex.DecodeString("00010203040506070809")
	info, err := p.KeySet(ctx, 0x20, kdd)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("card keys KVN %02X: %X %X %X\n", info.KVN, info.KCV[0], info.KCV[1], info.KCV[2])
	// Output:
	// issuer/isd master emv [8BAF47]
	// card keys KVN 20: C33013 6F4CA6 BB8179
}
