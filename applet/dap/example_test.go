package dap_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"fmt"

	"github.com/cardhost/cardhost/applet/dap"
)

// Sign a Load File Data Block Hash with an ECDSA P-256 DAP key, wrap it in the
// E2 block sent before the C4 load file, and verify it as the card would.
func Example() {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	lfdbHash := sha256.Sum256([]byte("the load file data block")) // from cap.File.LoadFileDataBlockHash
	sig, err := dap.Sign(rand.Reader, dap.ECDSAP256SHA256, key, lfdbHash[:])
	if err != nil {
		panic(err)
	}
	block, err := dap.Block{SecurityDomainAID: []byte{0xA0, 0, 0, 1, 0x51, 0, 0, 0}, Signature: sig}.Bytes()
	if err != nil {
		panic(err)
	}
	parsed, err := dap.ParseBlock(block)
	if err != nil {
		panic(err)
	}
	err = dap.Verify(dap.ECDSAP256SHA256, &key.PublicKey, lfdbHash[:], parsed.Signature)
	fmt.Printf("block %X… (%d bytes), verify: %v\n", block[:4], len(block), err)
	// Output: block E24C4F08… (78 bytes), verify: <nil>
}
