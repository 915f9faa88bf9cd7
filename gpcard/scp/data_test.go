package scp_test

import (
	"context"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/cardhost/cardhost/gpcard/keys"
	"github.com/cardhost/cardhost/gpcard/scp"
	"github.com/cardhost/cardhost/gpcard/secret"
)

// wrapOnly is a keys.Provider with only the mandatory operations (no
// keys.DataEncrypter).
type wrapOnly struct{}

func (wrapOnly) SessionKeys(context.Context, keys.SessionInput) (*keys.SessionKeys, error) {
	return nil, errors.New("unused")
}
func (wrapOnly) PseudoRandomChallenge(context.Context, keys.SessionInput, []byte) ([]byte, error) {
	return nil, errors.New("unused")
}
func (wrapOnly) WrapKey(context.Context, keys.WrapRequest) (keys.WrappedKey, error) {
	return keys.WrappedKey{}, errors.New("unused")
}

// Conn.EncryptData hands the session input it was opened with to the
// provider (so SCP02 data goes under that session's DEK, GPCS 2.3.1
// §E.4.7): with the GPPro vector session (K, sequence counter 0000) K
// encrypts to EFBEE6C6… (shared/spec/vectors.md §4). A provider without the
// ability, or a closed session, sends nothing and says so.
func TestConn_EncryptData(t *testing.T) {
	k, _ := secret.FromHex(keys.DefaultKeyHex)
	ctx := context.Background()
	in := keys.SessionInput{SCP: 0x02, I: 0x15, KVN: 0xFF, Sequence: []byte{0, 0}}
	c := scp.NewConn("scp02", nil, &tagCodec{}, 100, keys.NewPlain(keys.KeySet{ENC: k, MAC: k, DEK: k}), in)
	got, err := c.EncryptData(ctx, k.Bytes())
	if err != nil || strings.ToUpper(hex.EncodeToString(got)) != "EFBEE6C6D99D7B70BDE9D7E927F020AF" {
		t.Fatalf("EncryptData = %X, %v", got, err)
	}
	none := scp.NewConn("scp02", nil, &tagCodec{}, 100, wrapOnly{}, in)
	if _, err := none.EncryptData(ctx, make([]byte, 16)); !errors.Is(err, scp.ErrNoDataEncryption) {
		t.Fatalf("provider without the ability: %v", err)
	}
	c.Close()
	if _, err := c.EncryptData(ctx, make([]byte, 16)); !errors.Is(err, scp.ErrClosed) {
		t.Fatalf("closed: %v", err)
	}
}
