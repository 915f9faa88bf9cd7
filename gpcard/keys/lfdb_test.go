package keys

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"testing"

	"github.com/cardhost/cardhost/gpcard/secret"
)

// Expected ciphertexts computed with OpenSSL 3.0 (aes-128-cbc /
// des-ede-cbc, zero IV, -nopad) over 0102030405 ‖ 80 00… under 40..4F.
func TestEncryptLoadFile_OpenSSLVectors(t *testing.T) {
	k, _ := secret.FromHex(DefaultKeyHex)
	other, _ := secret.FromHex("000102030405060708090A0B0C0D0E0F")
	// ENC and MAC differ from the DEK, so the DEK is what is used.
	l := NewPlain(KeySet{KVN: 0x30, ENC: other, MAC: other, DEK: k})
	tests := []struct {
		name string
		in   SessionInput
		want string
	}{
		{"OpenSSL aes-128-cbc (SCP03)", SessionInput{SCP: 0x03, KVN: 0x30}, "d82f1dfac021347321e7370276a8dd74"},
		{"OpenSSL des-ede-cbc (SCP02 i=15)", SessionInput{SCP: 0x02, I: 0x15, KVN: 0x30}, "ca0868ab790be10f"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := l.EncryptLoadFile(context.Background(), tt.in, []byte{1, 2, 3, 4, 5})
			if err != nil || hex.EncodeToString(got) != tt.want {
				t.Fatalf("%x %v, want %s", got, err, tt.want)
			}
		})
	}
	if _, err := l.EncryptLoadFile(context.Background(), SessionInput{SCP: 0x03, KVN: 0x31}, []byte{1}); !errors.Is(err, ErrNoKeySet) {
		t.Errorf("unknown KVN: %v", err)
	}
	if _, err := l.EncryptLoadFile(context.Background(), SessionInput{SCP: 0x01, KVN: 0x30}, []byte{1}); err == nil || bytes.Contains([]byte(err.Error()), []byte("4041")) {
		t.Errorf("SCP01: %v", err)
	}
}
