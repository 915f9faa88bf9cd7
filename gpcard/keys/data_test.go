package keys_test

import (
	"context"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/cardhost/cardhost/gpcard/keys"
	"github.com/cardhost/cardhost/gpcard/secret"
)

// EncryptData vectors. SCP02 explicit: the published PUT KEY encryption
// 3DES-ECB(S-DEK of sequence counter 0000, K) (shared/spec/vectors.md §4,
// GPPro TestPlaintextKeys.java testKeyEncryption_SCP02) — sensitive data is
// encrypted exactly as a key component. The other rows were computed with
// OpenSSL 3.0 (`openssl enc -nopad`, zero IV): SCP02 implicit as
// des-ede-cbc under the published S-DEK E11987EE…89D4 (seq 0000, K;
// vectors.md §4), SCP03 as aes-128-cbc / aes-256-cbc under the static DEK.
func TestEncryptData_Vectors(t *testing.T) {
	const purse = "A5A5C3C35A5A3C3C9696696912122121"
	other := secret.New(hx(t, "000102030405060708090A0B0C0D0E0F"))
	k := secret.New(hx(t, keyK))
	tests := []struct {
		name string
		set  keys.KeySet
		in   keys.SessionInput
		data string
		want string
	}{
		{"GPPro SCP02 i=15 session DEK seq 0000", keys.KeySet{ENC: k, MAC: k, DEK: k},
			keys.SessionInput{SCP: 0x02, I: 0x15, KVN: 0xFF, Sequence: []byte{0, 0}}, keyK, "EFBEE6C6D99D7B70BDE9D7E927F020AF"},
		// ENC and MAC differ from the DEK: the DEK (KID 3) is what is used.
		{"GPPro SCP02 i=55, DEK only", keys.KeySet{ENC: other, MAC: other, DEK: k},
			keys.SessionInput{SCP: 0x02, I: 0x55, KVN: 0xFF, Sequence: []byte{0, 0}}, keyK, "EFBEE6C6D99D7B70BDE9D7E927F020AF"},
		// i=1A (implicit, one base key): the base key ENC derives the DEK; CBC.
		{"OpenSSL des-ede-cbc SCP02 i=1A", keys.KeySet{ENC: k, MAC: other, DEK: other},
			keys.SessionInput{SCP: 0x02, I: 0x1A, KVN: 0xFF, Sequence: []byte{0, 0}}, keyK, "EFBEE6C6D99D7B70E5C0D24B9227CCA1"},
		{"OpenSSL aes-128-cbc SCP03", keys.KeySet{KVN: 0x30, ENC: other, MAC: other, DEK: k},
			keys.SessionInput{SCP: 0x03, I: 0x70, KVN: 0x30}, purse, "26D93FCC551D85067C420456C02C1939"},
		{"OpenSSL aes-128-cbc SCP03, two blocks", keys.KeySet{KVN: 0x30, ENC: other, MAC: other, DEK: k},
			keys.SessionInput{SCP: 0x03, I: 0x70, KVN: 0x30}, purse + keyK, "26D93FCC551D85067C420456C02C193920B9A4485A31FB99784A905FDD6439D1"},
		{"OpenSSL aes-256-cbc SCP03", keys.KeySet{KVN: 0x30, ENC: other, MAC: other, DEK: secret.New(hx(t, key32))},
			keys.SessionInput{SCP: 0x03, I: 0x70, KVN: 0x30}, purse, "1CC085A4E912A1847C0A5D46E891A5BC"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := keys.NewPlain(tt.set).EncryptData(context.Background(), tt.in, hx(t, tt.data))
			if err != nil || strings.ToUpper(hex.EncodeToString(got)) != tt.want {
				t.Fatalf("%X %v, want %s", got, err, tt.want)
			}
		})
	}
}

// Refusals: data that is not a non-empty multiple of the cipher block
// (ErrDataLength, no padding is defined), an unknown key set, an unsupported
// protocol, a cancelled context; no error text carries key or data bytes.
func TestEncryptData_Negative(t *testing.T) {
	k := secret.New(hx(t, keyK))
	l := keys.NewPlain(keys.KeySet{KVN: 0x30, ENC: k, MAC: k, DEK: k})
	scp02 := keys.SessionInput{SCP: 0x02, I: 0x15, KVN: 0x30, Sequence: []byte{0, 1}}
	scp03 := keys.SessionInput{SCP: 0x03, I: 0x70, KVN: 0x30}
	secretData := hx(t, "5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A")
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name string
		ctx  context.Context
		in   keys.SessionInput
		data []byte
		want error
	}{
		{"SCP02 7 bytes", context.Background(), scp02, secretData[:7], keys.ErrDataLength},
		{"SCP02 empty", context.Background(), scp02, nil, keys.ErrDataLength},
		{"SCP03 8 bytes", context.Background(), scp03, secretData[:8], keys.ErrDataLength},
		{"SCP03 17 bytes", context.Background(), scp03, secretData, keys.ErrDataLength},
		{"unknown KVN", context.Background(), keys.SessionInput{SCP: 0x03, KVN: 0x31}, secretData[:16], keys.ErrNoKeySet},
		{"SCP01", context.Background(), keys.SessionInput{SCP: 0x01, KVN: 0x30}, secretData[:16], nil},
		{"SCP02 without sequence counter", context.Background(), keys.SessionInput{SCP: 0x02, I: 0x15, KVN: 0x30}, secretData[:16], nil},
		{"cancelled", cancelled, scp03, secretData[:16], context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := l.EncryptData(tt.ctx, tt.in, tt.data)
			if err == nil || (tt.want != nil && !errors.Is(err, tt.want)) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if msg := strings.ToUpper(err.Error()); strings.Contains(msg, "4041") || strings.Contains(msg, "5A5A") {
				t.Errorf("error text carries key or data bytes: %v", err)
			}
		})
	}
	if keys.BlockSize(0x02) != 8 || keys.BlockSize(0x03) != 16 || keys.BlockSize(0x01) != 0 {
		t.Error("BlockSize")
	}
}
