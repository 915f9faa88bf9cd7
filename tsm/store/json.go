package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// maxJSON caps one JSON document (step params, outcome, audit details).
const maxJSON = 64 << 10

// CheckJSON checks that raw is empty or a valid JSON document of at most
// 64 KiB whose object member names, at any depth, do not look like key
// material. A name looks like key material when, lower-cased with '_' and '-'
// removed, it ends in "key" or "keys" or is one of "secret", "pin",
// "password", "passphrase", "token". Such a document is ErrSecretField; other
// problems are ErrInvalid. Name keys by KVN, KCV or keystore label instead
// ("kvn", "kcv", "key_label" pass).
func CheckJSON(raw json.RawMessage) error {
	if len(raw) == 0 {
		return nil
	}
	if len(raw) > maxJSON {
		return invalidf("JSON document larger than %d bytes", maxJSON)
	}
	if !json.Valid(raw) {
		return invalidf("malformed JSON")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	var stack []bool // per open container: true if object
	expectName := false
	for {
		tok, err := dec.Token()
		if err != nil {
			return nil // json.Valid passed, so this is the end of input
		}
		if expectName {
			if d, ok := tok.(json.Delim); ok && d == '}' {
				stack = stack[:len(stack)-1]
				expectName = len(stack) > 0 && stack[len(stack)-1]
				continue
			}
			name, _ := tok.(string)
			if secretName(name) {
				return fmt.Errorf("%w: member %q", ErrSecretField, name)
			}
			expectName = false
			continue
		}
		if d, ok := tok.(json.Delim); ok {
			switch d {
			case '{':
				stack = append(stack, true)
			case '[':
				stack = append(stack, false)
			default:
				stack = stack[:len(stack)-1]
			}
		}
		expectName = len(stack) > 0 && stack[len(stack)-1]
	}
}

// separators are dropped from member names before secretName compares them.
var separators = strings.NewReplacer("_", "", "-", "")

// secretName reports whether a JSON member name looks like key material.
func secretName(name string) bool {
	n := separators.Replace(strings.ToLower(name))
	switch n {
	case "secret", "pin", "password", "passphrase", "token":
		return true
	}
	return strings.HasSuffix(n, "key") || strings.HasSuffix(n, "keys")
}

// wrapf prefixes a non-nil err with context, keeping it matchable.
func wrapf(err error, format string, a ...any) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", fmt.Sprintf(format, a...), err)
}
