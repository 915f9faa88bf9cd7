package secret_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/cardhost/cardhost/gpcard/secret"
)

const keyHex = "404142434445464748494a4b4c4d4e4f"

func TestKey_NeverPrintsBytes(t *testing.T) {
	k, err := secret.FromHex(keyHex)
	if err != nil {
		t.Fatal(err)
	}
	type wrapper struct {
		K secret.Key
		P *secret.Key
	}
	w := wrapper{K: k, P: &k}
	var outs []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%x", "%X", "%q", "%d", "% x"} {
		outs = append(outs, fmt.Sprintf(verb, k), fmt.Sprintf(verb, w), fmt.Sprintf(verb, &k))
	}
	j, err := json.Marshal(w)
	if err != nil {
		t.Fatal(err)
	}
	outs = append(outs, string(j))
	txt, _ := k.MarshalText()
	outs = append(outs, string(txt))
	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, nil)).Info("x", "key", k, "set", w)
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("x", "key", k)
	outs = append(outs, buf.String())
	for _, o := range outs {
		low := strings.ToLower(o)
		if strings.Contains(low, keyHex) || strings.Contains(low, "4041424344") || strings.Contains(o, "64 65 66") {
			t.Errorf("key bytes leaked: %q", o)
		}
	}
}

func TestKey_ZeroWipesCopies(t *testing.T) {
	k := secret.New([]byte{1, 2, 3})
	c := k
	raw := k.Bytes()
	k.Zero()
	if !k.IsZero() {
		t.Error("Zero left bytes")
	}
	if err := c.Use(func(b []byte) error {
		if !bytes.Equal(b, []byte{0, 0, 0}) {
			t.Errorf("copy not wiped: %v", b)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(raw, []byte{1, 2, 3}) {
		t.Error("Bytes did not copy")
	}
}

func TestFromHex_ErrorHidesInput(t *testing.T) {
	_, err := secret.FromHex("40414243zz")
	if err == nil || strings.Contains(err.Error(), "4041") {
		t.Fatalf("err = %v", err)
	}
	a, _ := secret.FromHex(keyHex)
	b := secret.New(a.Bytes())
	if !a.Equal(b) || a.Equal(secret.New([]byte{1})) {
		t.Error("Equal wrong")
	}
}
