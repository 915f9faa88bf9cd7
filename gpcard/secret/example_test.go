package secret_test

import (
	"fmt"

	"github.com/cardhost/cardhost/gpcard/secret"
)

func Example() {
	k, err := secret.FromHex("404142434445464748494A4B4C4D4E4F")
	if err != nil {
		panic(err)
	}
	fmt.Printf("%v %x %d bytes\n", k, k, k.Len())
	k.Zero()
	fmt.Println(k.IsZero())
	// Output:
	// [redacted] [redacted] 16 bytes
	// true
}
