package cap_test

import (
	"crypto"
	"fmt"

	"github.com/cardhost/cardhost/applet/cap"
)

// Build a CAP file with the writer, parse it, and derive what INSTALL [for
// load] and LOAD need: the load file AID, the Load File Data Block hash and
// the C4-wrapped load file.
func Example() {
	raw, err := cap.Write(cap.Spec{
		Format:     cap.Version{Major: 2, Minor: 1},
		Packages:   []cap.Package{{AID: []byte{0xA0, 0, 0, 0, 1}, Version: cap.Version{Major: 1}}},
		Applets:    []cap.Applet{{AID: []byte{0xA0, 0, 0, 0, 1, 1}, InstallMethodOffset: 1}},
		Imports:    []cap.Import{{AID: []byte{0xA0, 0, 0, 0, 0x62, 1, 1}, Version: cap.Version{Major: 1, Minor: 6}}},
		MethodSize: 16,
	})
	if err != nil {
		panic(err)
	}
	f, err := cap.Parse("hello.cap", raw)
	if err != nil {
		panic(err)
	}
	hash, err := f.LoadFileDataBlockHash(crypto.SHA256, cap.LoadOptions{})
	if err != nil {
		panic(err)
	}
	lf := f.LoadFile(cap.LoadOptions{})
	fmt.Printf("load file %X, Java Card %s, %d-byte hash\n", f.LoadFileAID(), f.JavaCardVersion(), len(hash))
	fmt.Printf("LOAD data starts %X\n", lf[:5])
	// Output:
	// load file A000000001, Java Card 3.0.5, 32-byte hash
	// LOAD data starts C481800100
}
