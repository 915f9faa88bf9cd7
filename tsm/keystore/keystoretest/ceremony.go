package keystoretest

import (
	"fmt"

	"github.com/cardhost/cardhost/gpcard/keys"
	"github.com/cardhost/cardhost/gpcard/secret"
	"github.com/cardhost/cardhost/tsm/keystore"
)

func testImportAndList(e *env) {
	e.importKs()
	list, err := e.s.List(e.ctx)
	e.must("List", err)
	want := []struct {
		label string
		typ   keys.Type
		kvn   byte
		kcv   string
	}{{"aes-k", keys.AES128, 0x31, "504A77"}, {"des-k", keys.DES3, 0x01, "8BAF47"}, {"kaoh-aes", keys.AES128, 0x30, ""}, {"kaoh-aes192", keys.AES192, 0x32, ""}}
	if len(list) != len(want) {
		e.t.Fatalf("List = %d entries, want %d", len(list), len(want))
	}
	for i, w := range want {
		m := list[i]
		if m.Label != w.label || m.Type != w.typ || m.KVN != w.kvn || m.Kind != keystore.Static || len(m.KCVs) != 3 || !m.Created.Equal(created) {
			e.t.Errorf("List[%d] = %+v, want %s %v KVN %02X", i, m, w.label, w.typ, w.kvn)
		}
		if w.kcv != "" && (m.KCVs[0].String() != w.kcv || m.KCVs[1].String() != w.kcv || m.KCVs[2].String() != w.kcv) {
			e.t.Errorf("%s KCVs = %v, want %s (GP KCV, vectors.md §1)", m.Label, m.KCVs, w.kcv)
		}
		j, _ := m.MarshalJSON()
		e.noLeak("metadata", fmt.Sprintf("%v %+v %s", m, m, j))
	}
	s2 := e.reopen(e.t)
	defer s2.Close()
	list2, err := s2.List(e.ctx)
	e.must("List after reopen", err)
	if len(list2) != len(list) {
		e.t.Fatalf("after reopen: %d entries, want %d", len(list2), len(list))
	}
	for i := range list {
		if !sameMeta(list[i], list2[i]) {
			e.t.Errorf("after reopen: %+v, want %+v", list2[i], list[i])
		}
	}
	p, err := s2.Provider(e.ctx, "des-k")
	e.must("Provider after reopen", err)
	info, err := p.KeySet(e.ctx, 0x01, nil)
	e.must("KeySet after reopen", err)
	if fmt.Sprintf("%X", info.KCV[0]) != "8BAF47" {
		e.t.Errorf("KCV after reopen = %X, want 8BAF47", info.KCV[0])
	}
}

func testImportComponents(e *env) {
	a, b := hexb(e.t, componentA), hexb(e.t, componentB)
	m, err := e.s.Import(e.ctx, keystore.ImportRequest{Label: "split/des", Kind: keystore.Master, Type: keys.DES3, Method: keys.EMV, Usage: keystore.UseChannel,
		Keys: []keystore.KeyMaterial{{Components: []keystore.Component{{Key: secret.New(a), KCV: gpKCV(e.t, keys.DES3, a)}, {Key: secret.New(b), KCV: gpKCV(e.t, keys.DES3, b)}}, KCV: hexb(e.t, "8BAF47")}}})
	e.must("Import by components", err)
	if len(m.KCVs) != 1 || m.KCVs[0].String() != "8BAF47" {
		e.t.Errorf("KCVs = %v, want [8BAF47] (K = A XOR B)", m.KCVs)
	}
	p := e.provider("split/des")
	info, err := p.KeySet(e.ctx, 0x20, hexb(e.t, kdd0to9))
	e.must("KeySet", err)
	if got := fmt.Sprintf("%X %X %X", info.KCV[0], info.KCV[1], info.KCV[2]); got != "C33013 6F4CA6 BB8179" {
		e.t.Errorf("EMV KCVs of the combined master = %s, want C33013 6F4CA6 BB8179", got)
	}
}

func testImportRejects(e *env) {
	e.importKs()
	before, err := e.s.List(e.ctx)
	e.must("List", err)
	k := hexb(e.t, keyK)
	one := func(kcv string, comp []byte, compKCV string) keystore.ImportRequest {
		return keystore.ImportRequest{Label: "rejected", Kind: keystore.Master, Type: keys.DES3, Method: keys.EMV, Usage: keystore.UseChannel,
			Keys: []keystore.KeyMaterial{{Components: []keystore.Component{{Key: secret.New(comp), KCV: hexb(e.t, compKCV)}}, KCV: hexb(e.t, kcv)}}}
	}
	for _, c := range []struct {
		name   string
		req    keystore.ImportRequest
		target error
	}{
		{"wrong combined KCV", one("8BAF48", k, "8BAF47"), keystore.ErrKCVMismatch},
		{"wrong component KCV", one("8BAF47", k, "000000"), keystore.ErrKCVMismatch},
		{"AES KCV for a 3DES key", one("504A77", k, "504A77"), keystore.ErrKCVMismatch},
		{"label in use", func() keystore.ImportRequest { r := one("8BAF47", k, "8BAF47"); r.Label = "des-k"; return r }(), keystore.ErrExists},
	} {
		_, err := e.s.Import(e.ctx, c.req)
		e.wantErr(c.name, err, c.target)
	}
	for _, c := range []struct {
		name string
		req  keystore.ImportRequest
	}{
		{"bad label", func() keystore.ImportRequest { r := one("8BAF47", k, "8BAF47"); r.Label = "has space"; return r }()},
		{"emv with an AES master", func() keystore.ImportRequest { r := one("8BAF47", k, "8BAF47"); r.Type = keys.AES128; return r }()},
		{"short component", one("8BAF47", k[:8], "8BAF47")},
		{"two keys for a master", func() keystore.ImportRequest {
			r := one("8BAF47", k, "8BAF47")
			r.Keys = append(r.Keys, r.Keys[0])
			return r
		}()},
		{"KVN above 7F", func() keystore.ImportRequest { r := one("8BAF47", k, "8BAF47"); r.KVN = 0x80; return r }()},
	} {
		_, err := e.s.Import(e.ctx, c.req)
		if err == nil {
			e.t.Fatalf("%s: Import succeeded", c.name)
		}
		e.noLeak(c.name+" error", err.Error())
	}
	after, err := e.s.List(e.ctx)
	e.must("List", err)
	if len(after) != len(before) {
		e.t.Errorf("rejected imports changed the store: %d entries, want %d", len(after), len(before))
	}
}
