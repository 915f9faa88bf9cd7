package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/cardhost/cardhost/tsm/store"
)

func TestCheckJSON(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want error
	}{
		{"Empty", ``, nil},
		{"Null", `null`, nil},
		{"KVNAndKCV", `{"kvn": 48, "kcv": "50451D", "key_label": "x", "key_id": 1}`, nil},
		{"ArrayOfScalars", `["key", "pin", {"ok": ["token"]}]`, nil},
		{"KeyMember_SecretField", `{"key": "00"}`, store.ErrSecretField},
		{"SuffixKey_SecretField", `{"encKey": "00"}`, store.ErrSecretField},
		{"SnakeKeys_SecretField", `{"a": {"b": [{"dek_keys": []}]}}`, store.ErrSecretField},
		{"DashedPIN_SecretField", `{"x": 1, "P-I-N": "1234"}`, store.ErrSecretField},
		{"Token_SecretField", `[{"Token": "abc"}]`, store.ErrSecretField},
		{"AfterNestedObject_SecretField", `{"a": {"b": 1}, "master_key": "00"}`, store.ErrSecretField},
		{"Truncated_Invalid", `{"a": `, store.ErrInvalid},
		{"TrailingGarbage_Invalid", `{} x`, store.ErrInvalid},
		{"TooLarge_Invalid", `"` + strings.Repeat("a", 70000) + `"`, store.ErrInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := store.CheckJSON(json.RawMessage(tc.doc))
			if (tc.want == nil) != (err == nil) || (tc.want != nil && !errors.Is(err, tc.want)) {
				t.Fatalf("CheckJSON(%.40q) = %v, want %v", tc.doc, err, tc.want)
			}
		})
	}
}

func FuzzCheckJSON(f *testing.F) {
	for _, s := range []string{`{"kvn": 1}`, `{"a": [{"key": 1}]}`, `[1, {"b": {}}]`, `"x"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		err := store.CheckJSON(json.RawMessage(doc))
		if err == nil && len(doc) > 0 && !json.Valid([]byte(doc)) {
			t.Fatalf("accepted invalid JSON %q", doc)
		}
	})
}

func TestRegister_Duplicate_Panics(t *testing.T) {
	store.Register("storetest-dup", func(ctx context.Context, dsn string, o store.Options) (store.Store, error) {
		return nil, errors.New("unused")
	})
	defer func() {
		if recover() == nil {
			t.Fatal("second Register did not panic")
		}
	}()
	store.Register("storetest-dup", func(ctx context.Context, dsn string, o store.Options) (store.Store, error) {
		return nil, errors.New("unused")
	})
}

func TestOpen_UnknownScheme(t *testing.T) {
	if _, err := store.Open(context.Background(), "mysql://x"); err == nil {
		t.Fatal("store.Open accepted an unregistered scheme")
	}
}
