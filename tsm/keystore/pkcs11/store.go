//go:build cgo

package pkcs11

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"

	p11 "github.com/miekg/pkcs11"

	"github.com/cardhost/cardhost/gpcard/keys"
	"github.com/cardhost/cardhost/gpcard/secret"
	"github.com/cardhost/cardhost/tsm/keystore"
)

func init() {
	keystore.Register("pkcs11", func(ctx context.Context, cfg keystore.Config, o keystore.Options) (keystore.Store, error) {
		return Open(ctx, *cfg.PKCS11, o)
	})
}

// application tags the data objects holding entry metadata (CKA_APPLICATION).
const application = "cardhost-keystore"

// store is a PKCS#11 key store; safe for concurrent use (one PKCS#11
// session per operation).
type store struct {
	mod      *module
	slot     uint
	token    string
	desClear bool // InsecureAllowDESExport
	log      *slog.Logger
	now      func() time.Time

	mu sync.Mutex // serialises changes (label uniqueness)

	life   sync.RWMutex // operations hold it shared, Close exclusively
	closed bool
	login  p11.SessionHandle // keeps the user logged in until Close
}

var _ keystore.Store = (*store)(nil)

// Open loads cfg.Module, finds the token labelled cfg.TokenLabel and logs
// in with the PIN cfg.PIN references. A wrong PIN fails with
// keystore.ErrWrongPIN.
func Open(ctx context.Context, cfg keystore.PKCS11Config, o keystore.Options) (keystore.Store, error) {
	if err := (&keystore.Config{Backend: "pkcs11", PKCS11: &cfg}).Validate(); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	o = o.WithDefaults()
	pin, err := cfg.PIN.Resolve()
	if err != nil {
		return nil, fmt.Errorf("keystore.pkcs11.pin: %w", err)
	}
	defer pin.Zero()
	mod, err := acquire(cfg.Module)
	if err != nil {
		return nil, err
	}
	s := &store{mod: mod, token: cfg.TokenLabel, desClear: cfg.InsecureAllowDESExport, log: o.Logger, now: o.Now}
	if err := s.logIn(pin); err != nil {
		mod.release()
		return nil, err
	}
	if s.desClear {
		s.log.Warn("insecure key store option: 3DES keys for SCP02 PUT KEY are readable outside the token", "backend", "pkcs11", "token_label", s.token, "option", "insecure_allow_des_export")
	}
	return s, nil
}

func (s *store) logIn(pin secret.Key) error {
	c := s.mod.ctx
	slots, err := c.GetSlotList(true)
	if err != nil {
		return fmt.Errorf("pkcs11: listing slots: %w", err)
	}
	found := false
	for _, sl := range slots {
		ti, err := c.GetTokenInfo(sl)
		if err == nil && strings.TrimRight(ti.Label, " \x00") == s.token {
			s.slot, found = sl, true
			break
		}
	}
	if !found {
		return fmt.Errorf("pkcs11: no token labelled %q in %s", s.token, s.mod.path)
	}
	sh, err := c.OpenSession(s.slot, p11.CKF_SERIAL_SESSION|p11.CKF_RW_SESSION)
	if err != nil {
		return fmt.Errorf("pkcs11: token %q: opening session: %w", s.token, err)
	}
	err = pin.Use(func(b []byte) error { return c.Login(sh, p11.CKU_USER, string(b)) })
	switch {
	case err == nil, errors.Is(err, p11.Error(p11.CKR_USER_ALREADY_LOGGED_IN)):
		s.login = sh
		return nil
	case errors.Is(err, p11.Error(p11.CKR_PIN_INCORRECT)):
		err = keystore.ErrWrongPIN
	}
	_ = c.CloseSession(sh)
	return fmt.Errorf("pkcs11: token %q: login: %w", s.token, err)
}

// session runs f in a new session; session objects f creates (derived
// keys) are destroyed when it closes.
func (s *store) session(ctx context.Context, f func(sh p11.SessionHandle) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.life.RLock()
	defer s.life.RUnlock()
	if s.closed {
		return keystore.ErrClosed
	}
	sh, err := s.mod.ctx.OpenSession(s.slot, p11.CKF_SERIAL_SESSION|p11.CKF_RW_SESSION)
	if err != nil {
		return fmt.Errorf("pkcs11: token %q: opening session: %w", s.token, err)
	}
	defer s.mod.ctx.CloseSession(sh)
	return f(sh)
}

// create stores an entry: newKey(sh, i, template) creates key object i,
// whose KCV is then computed inside the token; want, if not nil, holds the
// KCVs the objects must have.
func (s *store) create(ctx context.Context, m keystore.Metadata, want []keystore.KCV, newKey func(sh p11.SessionHandle, i int, t []*p11.Attribute) (p11.ObjectHandle, error), event string) (keystore.Metadata, error) {
	m.Created = s.now().UTC()
	s.mu.Lock()
	defer s.mu.Unlock()
	err := s.session(ctx, func(sh p11.SessionHandle) error {
		objs, err := s.find(sh, []*p11.Attribute{p11.NewAttribute(p11.CKA_LABEL, m.Label)})
		if err != nil {
			return fmt.Errorf("pkcs11: token %q: %w", s.token, err)
		}
		if len(objs) > 0 {
			return fmt.Errorf("pkcs11: %q: %w", m.Label, keystore.ErrExists)
		}
		var made []p11.ObjectHandle
		err = func() error {
			m.KCVs = nil
			for i, kid := range kids(m.Kind) {
				t, err := s.keyTemplate(m, kid)
				if err != nil {
					return err
				}
				o, err := newKey(sh, i, t)
				if err != nil {
					return fmt.Errorf("pkcs11: %q: creating key %d: %w", m.Label, kid, err)
				}
				made = append(made, o)
				kcv, err := s.kcv(sh, o, m.Type)
				if err != nil {
					return err
				}
				if want != nil && string(kcv) != string(want[i]) {
					return fmt.Errorf("pkcs11: %q key %d: token computes KCV %v, ceremony %v: %w", m.Label, kid, kcv, want[i], keystore.ErrKCVMismatch)
				}
				m.KCVs = append(m.KCVs, kcv)
			}
			val, err := json.Marshal(m)
			if err != nil {
				return err
			}
			o, err := s.mod.ctx.CreateObject(sh, append(metaTemplate(m.Label), p11.NewAttribute(p11.CKA_TOKEN, true), p11.NewAttribute(p11.CKA_PRIVATE, true), p11.NewAttribute(p11.CKA_VALUE, val)))
			if err != nil {
				return fmt.Errorf("pkcs11: %q: storing metadata: %w", m.Label, err)
			}
			made = append(made, o)
			return nil
		}()
		if err != nil {
			for _, o := range made {
				_ = s.mod.ctx.DestroyObject(sh, o)
			}
		}
		return err
	})
	if err != nil {
		return keystore.Metadata{}, err
	}
	s.log.Info(event, "backend", "pkcs11", "token_label", s.token, "label", m.Label, "kind", m.Kind.String(), "type", m.Type.String(), "kvn", m.KVN, "kcvs", m.KCVs, "usage", m.Usage.String())
	return m, nil
}

// Import implements keystore.Store. Components are combined in process
// (the ceremony input is here anyway); the combined keys are created with
// C_CreateObject and their KCVs recomputed by the token.
func (s *store) Import(ctx context.Context, req keystore.ImportRequest) (keystore.Metadata, error) {
	m, ks, err := req.Combine()
	if err != nil {
		return keystore.Metadata{}, err
	}
	defer func() {
		for i := range ks {
			ks[i].Zero()
		}
	}()
	want := m.KCVs
	return s.create(ctx, m, want, func(sh p11.SessionHandle, i int, t []*p11.Attribute) (p11.ObjectHandle, error) {
		var o p11.ObjectHandle
		err := ks[i].Use(func(b []byte) error {
			var err error
			o, err = s.mod.ctx.CreateObject(sh, append(t, p11.NewAttribute(p11.CKA_VALUE, b)))
			return err
		})
		return o, err
	}, "key imported")
}

// Generate implements keystore.Store with C_GenerateKey (CKM_DES2_KEY_GEN,
// CKM_AES_KEY_GEN): the keys are random values of the token.
func (s *store) Generate(ctx context.Context, req keystore.GenerateRequest) (keystore.Metadata, error) {
	m, err := req.Metadata()
	if err != nil {
		return keystore.Metadata{}, err
	}
	mech := []*p11.Mechanism{p11.NewMechanism(p11.CKM_AES_KEY_GEN, nil)}
	if m.Type == keys.DES3 {
		mech = []*p11.Mechanism{p11.NewMechanism(p11.CKM_DES2_KEY_GEN, nil)}
	}
	return s.create(ctx, m, nil, func(sh p11.SessionHandle, _ int, t []*p11.Attribute) (p11.ObjectHandle, error) {
		if m.Type != keys.DES3 {
			t = append(t, p11.NewAttribute(p11.CKA_VALUE_LEN, m.Type.Len()))
		}
		return s.mod.ctx.GenerateKey(sh, mech, t)
	}, "key generated")
}

// List implements keystore.Store.
func (s *store) List(ctx context.Context) ([]keystore.Metadata, error) {
	var out []keystore.Metadata
	err := s.session(ctx, func(sh p11.SessionHandle) error {
		objs, err := s.find(sh, metaTemplate(""))
		if err != nil {
			return fmt.Errorf("pkcs11: token %q: %w", s.token, err)
		}
		for _, o := range objs {
			m, err := s.readMeta(sh, o)
			if err != nil {
				return err
			}
			out = append(out, m)
		}
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Label < out[j].Label })
	return out, err
}

// Delete implements keystore.Store: it destroys the entry's key and data
// objects.
func (s *store) Delete(ctx context.Context, label string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.session(ctx, func(sh p11.SessionHandle) error {
		m, err := s.metadata(sh, label)
		if err != nil {
			return err
		}
		objs, err := s.find(sh, []*p11.Attribute{p11.NewAttribute(p11.CKA_LABEL, label)})
		if err != nil {
			return fmt.Errorf("pkcs11: token %q: %w", s.token, err)
		}
		for _, o := range objs {
			if err := s.mod.ctx.DestroyObject(sh, o); err != nil {
				return fmt.Errorf("pkcs11: %q: destroying object: %w", label, err)
			}
		}
		s.log.Info("key deleted", "backend", "pkcs11", "token_label", s.token, "label", label, "kcvs", m.KCVs)
		return nil
	})
}

// Close ends the login session and releases the module; it is idempotent.
func (s *store) Close() error {
	s.life.Lock()
	defer s.life.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	_ = s.mod.ctx.CloseSession(s.login)
	s.mod.release()
	return nil
}
