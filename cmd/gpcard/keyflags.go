package main

import (
	"context"
	"errors"

	"github.com/cardhost/cardhost/gpcard/keys"
	"github.com/cardhost/cardhost/gpcard/secret"
)

// keySource is one key set as the command line names it: three plain keys
// (ENC, MAC, DEK) or one master key diversified per card. It never prints
// its keys.
type keySource struct {
	plain  keys.KeySet
	master *keys.Master
}

// parseKeySource reads a key SPEC (keys.ParseSpec; "" means "default") and
// optional plain hex overrides of single keys. flag names the SPEC flag in
// errors, which never repeat a key.
func parseKeySource(flag, spec, enc, mac, dek string) (keySource, error) {
	if spec == "" {
		spec = "default"
	}
	sp, err := keys.ParseSpec(spec)
	if err != nil {
		return keySource{}, usageError{errors.New(flag + ": " + err.Error())}
	}
	if sp.Method != 0 {
		if enc != "" || mac != "" || dek != "" {
			sp.Key.Zero()
			return keySource{}, usagef("%s: a diversified master key (%v) cannot be combined with single-key overrides", flag, sp.Method)
		}
		return keySource{master: &keys.Master{Method: sp.Method, Key: sp.Key}}, nil
	}
	ks := keys.KeySet{ENC: sp.Key, MAC: sp.Key, DEK: sp.Key}
	for _, o := range []struct {
		name, hex string
		dst       *secret.Key
	}{{"-enc", enc, &ks.ENC}, {"-mac", mac, &ks.MAC}, {"-dek", dek, &ks.DEK}} {
		if o.hex == "" {
			continue
		}
		k, err := secret.FromHex(o.hex)
		if err != nil || (k.Len() != 16 && k.Len() != 24 && k.Len() != 32) {
			return keySource{}, usagef("%s%s: want a 16, 24 or 32-byte key in hex", flag, o.name)
		}
		*o.dst = k
	}
	return keySource{plain: ks}, nil
}

// provider returns a provider answering with these keys for key version
// kvn (0: whatever version the card reports).
func (k keySource) provider(kvn byte) *keys.Local {
	if k.master != nil {
		m := *k.master
		m.KVN = kvn
		return keys.NewDiversified(m)
	}
	s := k.plain
	s.KVN = kvn
	return keys.NewPlain(s)
}

// set returns the static keys for the card whose KDD is kdd; derived is
// true when they were diversified (the caller zeroes them).
func (k keySource) set(kdd []byte) (s keys.KeySet, derived bool, err error) {
	if k.master == nil {
		return k.plain, false, nil
	}
	s, err = keys.Diversify(k.master.Key, k.master.Method, kdd)
	return s, true, err
}

// zero wipes the keys.
func (k *keySource) zero() {
	if k.master != nil {
		k.master.Key.Zero()
	}
	k.plain.Zero()
}

// keyChain is the key provider of one command: the keys the session
// authenticates with (cur, for key version kvn) and, for PUT KEY and SSD
// personalisation, the new keys (next). keys.Local finds keys by version
// only, which cannot tell the current set from a new set of the same version
// or mix plain and diversified keys; keyChain gives each WrapKey a private
// Local with both sets under fixed versions instead. All cryptography stays
// in package keys.
type keyChain struct {
	cur  keySource
	kvn  byte
	next *keySource
}

var (
	_ keys.Provider      = (*keyChain)(nil)
	_ keys.DataEncrypter = (*keyChain)(nil)
)

// SessionKeys implements keys.Provider with the current keys.
func (c *keyChain) SessionKeys(ctx context.Context, in keys.SessionInput) (*keys.SessionKeys, error) {
	return c.cur.provider(c.kvn).SessionKeys(ctx, in)
}

// PseudoRandomChallenge implements keys.Provider with the current keys.
func (c *keyChain) PseudoRandomChallenge(ctx context.Context, in keys.SessionInput, aid []byte) ([]byte, error) {
	return c.cur.provider(c.kvn).PseudoRandomChallenge(ctx, in, aid)
}

// EncryptData implements keys.DataEncrypter with the current keys' DEK.
func (c *keyChain) EncryptData(ctx context.Context, in keys.SessionInput, data []byte) ([]byte, error) {
	return c.cur.provider(c.kvn).EncryptData(ctx, in, data)
}

// WrapKey implements keys.Provider: the key KID req.New.KID of the new set,
// encrypted under the current set's DEK for the session.
func (c *keyChain) WrapKey(ctx context.Context, req keys.WrapRequest) (keys.WrappedKey, error) {
	if c.next == nil {
		return keys.WrappedKey{}, errors.New("gpcard: no new keys given for this command")
	}
	const curKVN, nextKVN = 1, 2
	cur, curDerived, err := c.cur.set(req.Session.KDD)
	if err != nil {
		return keys.WrappedKey{}, err
	}
	if curDerived {
		defer cur.Zero()
	}
	next, nextDerived, err := c.next.set(req.Session.KDD)
	if err != nil {
		return keys.WrappedKey{}, err
	}
	if nextDerived {
		defer next.Zero()
	}
	cur.KVN, next.KVN = curKVN, nextKVN
	in := req.Session
	in.KVN = curKVN
	return keys.NewPlain(cur, next).WrapKey(ctx, keys.WrapRequest{Session: in, New: keys.KeyRef{KVN: nextKVN, KID: req.New.KID}})
}
