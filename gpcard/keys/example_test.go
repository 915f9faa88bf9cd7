package keys_test

import (
	"context"
	"encoding/hex"
	"fmt"

	"github.com/cardhost/cardhost/gpcard/keys"
)

func Example() {
	spec, err := keys.ParseSpec("emv:" + keys.DefaultKeyHex)
	if err != nil {
		panic(err)
	}
	fmt.Println(spec)
	kdd, _ := hex.DecodeString("00010203040506070809")
	kp := spec.Provider(0)
	// PUT KEY for an SCP02 session at sequence counter 0000: the new ENC key
	// (KVN 0 here, the same diversified set) encrypted under the session DEK.
	w, err := kp.WrapKey(context.Background(), keys.WrapRequest{
		Session: keys.SessionInput{SCP: 0x02, I: 0x15, KDD: kdd, Sequence: []byte{0, 0}},
		New:     keys.KeyRef{KID: 1},
	})
	if err != nil {
		panic(err)
	}
	fmt.Printf("type %02X, %d bytes, KCV %X\n", w.Type.KeyTypeByte(), len(w.Cipher), w.KCV)
	// Output:
	// emv:<16-byte key>
	// type 80, 16 bytes, KCV C33013
}
