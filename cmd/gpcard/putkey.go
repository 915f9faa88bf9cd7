package main

import (
	"context"
	"fmt"
	"io"

	"github.com/cardhost/cardhost/gpcard"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// newKeyFlags name a new key set: SPEC plus single-key overrides, as the
// global --key flags do for the current one.
type newKeyFlags struct {
	prefix              string // flag name, e.g. "new-key"
	spec, enc, mac, dek string
}

func (n *newKeyFlags) register(fs *pflag.FlagSet, what string) {
	fs.StringVar(&n.spec, n.prefix, "", what+": default | HEX | emv:HEX | visa2:HEX | kdf3:HEX")
	fs.StringVar(&n.enc, n.prefix+"-enc", "", "new Key-ENC (HEX), overriding --"+n.prefix)
	fs.StringVar(&n.mac, n.prefix+"-mac", "", "new Key-MAC (HEX), overriding --"+n.prefix)
	fs.StringVar(&n.dek, n.prefix+"-dek", "", "new Key-DEK (HEX), overriding --"+n.prefix)
}

// given reports whether any of the flags was set.
func (n *newKeyFlags) given() bool { return n.spec != "" || n.enc != "" || n.mac != "" || n.dek != "" }

func (n *newKeyFlags) source() (keySource, error) {
	return parseKeySource("--"+n.prefix, n.spec, n.enc, n.mac, n.dek)
}

// putKeyJSON is the output of "gpcard put-key".
type putKeyJSON struct {
	SD       string               `json:"sd"`
	Replaced string               `json:"replaced_kvn,omitempty"` // hex; absent when a set was added
	KeySet   *gpcard.KeySetResult `json:"key_set"`
}

func (a *app) putKeyCommand() *cobra.Command {
	nk := newKeyFlags{prefix: "new-key"}
	var newKVN, replace string
	c := &cobra.Command{
		Use:   "put-key",
		Short: "Add or replace a key set of the security domain (prints KVN and KCVs, never keys)",
		Long: "Sends the new ENC, MAC and DEK keys in one PUT KEY, encrypted under the session's DEK, and\n" +
			"checks the check values the card answers. --replace KVN replaces that key set, otherwise the\n" +
			"set is added. The new keys are given like --key: --new-key SPEC and --new-key-enc/-mac/-dek.",
		Args: exactArgs(0, "no arguments"),
		RunE: func(c *cobra.Command, _ []string) error { return a.putKey(c.Context(), nk, newKVN, replace) },
	}
	nk.register(c.Flags(), "new keys")
	c.Flags().StringVar(&newKVN, "new-kvn", "", "version of the new key set, hex 01..7F (required)")
	c.Flags().StringVar(&replace, "replace", "", "key version to replace, hex (default: add a key set)")
	return c
}

// parseKVN parses a key version number flag that must be in 01..7F.
func parseKVN(flag, s string) (byte, error) {
	v, err := optHexByte(flag, s)
	if err != nil {
		return 0, err
	}
	if v < 1 || v > 0x7F {
		return 0, usagef("%s: want a key version 01..7F", flag)
	}
	return v, nil
}

func (a *app) putKey(ctx context.Context, nk newKeyFlags, newKVN, replace string) error {
	kvn, err := parseKVN("--new-kvn", newKVN)
	if err != nil {
		return err
	}
	old, err := optHexByte("--replace", replace)
	if err != nil {
		return err
	}
	if !nk.given() {
		return usagef("put-key needs the new keys: --new-key SPEC or --new-key-enc/-mac/-dek")
	}
	next, err := nk.source()
	if err != nil {
		return err
	}
	s, err := a.open(ctx, &next)
	if err != nil {
		next.zero()
		return err
	}
	defer s.Close()
	if old == 0 {
		a.notef("PUT KEY: adding key set %02X (ENC, MAC, DEK) to %X", kvn, s.SD())
	} else {
		a.notef("PUT KEY: replacing key set %02X of %X with key set %02X (ENC, MAC, DEK)", old, s.SD(), kvn)
	}
	res, err := s.PutKeySet(ctx, gpcard.PutKeyOptions{ReplaceKVN: old, NewKVN: kvn})
	if err != nil {
		return err
	}
	out := putKeyJSON{SD: hexUpper(s.SD()), KeySet: res}
	if old != 0 {
		out.Replaced = hexUpperByte(old)
	}
	return a.emit(out, func(w io.Writer) error { return printKeySet(w, s.SD(), res) })
}

// printKeySet prints a key set the card accepted: KVN, type and KCVs.
func printKeySet(w io.Writer, sd []byte, k *gpcard.KeySetResult) error {
	if _, err := fmt.Fprintf(w, "Key set %02X (%s) on %X:\n", k.KVN, k.Type, sd); err != nil {
		return err
	}
	names := []string{"ENC", "MAC", "DEK"}
	for i, kcv := range k.KCV {
		name := fmt.Sprintf("KID %d", i+1)
		if i < len(names) {
			name = fmt.Sprintf("%s (KID %d)", names[i], i+1)
		}
		if _, err := fmt.Fprintf(w, "     %-12s KCV %s\n", name, kcv); err != nil {
			return err
		}
	}
	return nil
}
