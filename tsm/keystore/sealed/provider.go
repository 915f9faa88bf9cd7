package sealed

import (
	"context"
	"fmt"

	"github.com/cardhost/cardhost/gpcard/keys"
	"github.com/cardhost/cardhost/tsm/keystore"
)

// Provider implements keystore.Store. The provider unseals an entry for
// each call, lets gpcard/keys compute with it and wipes it again.
func (s *Store) Provider(ctx context.Context, labels ...string) (keystore.Provider, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	p := &provider{s: s, labels: append([]string(nil), labels...)}
	if _, err := p.selection(); err != nil {
		return nil, err
	}
	return p, nil
}

type provider struct {
	s      *Store
	labels []string
}

var _ keystore.Provider = (*provider)(nil)

// selection returns the current metadata of the provider's entries.
func (p *provider) selection() (keystore.Selection, error) {
	p.s.mu.RLock()
	var ms []keystore.Metadata
	for _, l := range p.labels {
		e, err := p.s.entry(l)
		if err != nil {
			p.s.mu.RUnlock()
			return nil, err
		}
		ms = append(ms, e.Meta)
	}
	p.s.mu.RUnlock()
	return keystore.NewSelection(ms)
}

// keySet unseals entry m and returns the static keys it gives the card with
// kdd, as key version kvn. The caller zeroes the set.
func (p *provider) keySet(m keystore.Metadata, kvn byte, kdd []byte) (keys.KeySet, error) {
	cur, ks, err := p.s.unseal(m.Label)
	if err != nil {
		return keys.KeySet{}, err
	}
	if cur.Kind != m.Kind || !cur.Created.Equal(m.Created) {
		zeroAll(ks)
		return keys.KeySet{}, fmt.Errorf("sealed: %q changed during the operation", m.Label)
	}
	if m.Kind == keystore.Master {
		defer zeroAll(ks)
		set, err := keys.Diversify(ks[0], m.Method, kdd)
		set.KVN = kvn
		return set, err
	}
	return keys.KeySet{KVN: kvn, ENC: ks[0], MAC: ks[1], DEK: ks[2]}, nil
}

// session resolves the entry for in.KVN, checks it may open an SCP channel
// and returns its key set.
func (p *provider) session(ctx context.Context, in keys.SessionInput) (keys.KeySet, error) {
	if err := ctx.Err(); err != nil {
		return keys.KeySet{}, err
	}
	sel, err := p.selection()
	if err != nil {
		return keys.KeySet{}, err
	}
	m, err := sel.For(in.KVN)
	if err != nil {
		return keys.KeySet{}, err
	}
	if err := keystore.CheckSession(m, in.SCP); err != nil {
		return keys.KeySet{}, err
	}
	return p.keySet(m, in.KVN, in.KDD)
}

// SessionKeys implements keys.Provider.
func (p *provider) SessionKeys(ctx context.Context, in keys.SessionInput) (*keys.SessionKeys, error) {
	set, err := p.session(ctx, in)
	if err != nil {
		return nil, err
	}
	defer set.Zero()
	return keys.NewPlain(set).SessionKeys(ctx, in)
}

// PseudoRandomChallenge implements keys.Provider.
func (p *provider) PseudoRandomChallenge(ctx context.Context, in keys.SessionInput, invokingAID []byte) ([]byte, error) {
	set, err := p.session(ctx, in)
	if err != nil {
		return nil, err
	}
	defer set.Zero()
	return keys.NewPlain(set).PseudoRandomChallenge(ctx, in, invokingAID)
}

// WrapKey implements keys.Provider: the entry answering for req.New.KVN
// must have UsePutKey.
func (p *provider) WrapKey(ctx context.Context, req keys.WrapRequest) (keys.WrappedKey, error) {
	cur, err := p.session(ctx, req.Session)
	if err != nil {
		return keys.WrappedKey{}, err
	}
	defer cur.Zero()
	sel, err := p.selection()
	if err != nil {
		return keys.WrappedKey{}, err
	}
	cm, _ := sel.For(req.Session.KVN) // found by session above
	nm, err := sel.For(req.New.KVN)
	if err != nil {
		return keys.WrappedKey{}, err
	}
	if err := keystore.CheckWrap(cm, nm, req.Session.SCP); err != nil {
		return keys.WrappedKey{}, err
	}
	sets := []keys.KeySet{cur}
	if nm.Label != cm.Label || req.New.KVN != req.Session.KVN {
		next, err := p.keySet(nm, req.New.KVN, req.Session.KDD)
		if err != nil {
			return keys.WrappedKey{}, err
		}
		defer next.Zero()
		sets = append(sets, next)
	}
	l := keys.NewPlain(sets...)
	l.Rand = p.s.rand
	return l.WrapKey(ctx, req)
}

// KeySet implements keystore.Provider.
func (p *provider) KeySet(ctx context.Context, kvn byte, kdd []byte) (keys.Info, error) {
	if err := ctx.Err(); err != nil {
		return keys.Info{}, err
	}
	sel, err := p.selection()
	if err != nil {
		return keys.Info{}, err
	}
	m, err := sel.For(kvn)
	if err != nil {
		return keys.Info{}, err
	}
	set, err := p.keySet(m, kvn, kdd)
	if err != nil {
		return keys.Info{}, err
	}
	defer set.Zero()
	return set.Info(m.Type)
}
