package image

import (
	"bytes"
	"testing"
)

// Config.SSDKeys (the initial key set of new SSDs) is deep-copied by Clone
// and survives Encode/Decode.
func TestConfigSSDKeys_CloneAndCodec(t *testing.T) {
	s := &State{
		Config: Config{SSDKeys: []Key{{ID: 1, Type: KeyTypeAES, Value: []byte{1, 2, 3, 4}}}},
		Apps:   []App{{AID: []byte{0xA0, 0, 0, 1, 0x51}, Privileges: [3]byte{0x80}, Domain: &Domain{}}},
	}
	c := s.Clone()
	c.Config.SSDKeys[0].Value[0] = 9
	if s.Config.SSDKeys[0].Value[0] != 1 {
		t.Fatal("Clone shares the SSD key values")
	}
	b, err := Encode(s)
	if err != nil {
		t.Fatal(err)
	}
	d, err := Decode("test", b)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Config.SSDKeys) != 1 || !bytes.Equal(d.Config.SSDKeys[0].Value, []byte{1, 2, 3, 4}) {
		t.Fatalf("decoded SSD keys: %v", d.Config.SSDKeys)
	}
}
