package payment

import (
	"bytes"
	"encoding/hex"
	"maps"
	"strings"
	"testing"

	"github.com/cardhost/cardhost/applet"
)

// memStorage is an in-memory applet.Storage.
type memStorage map[string][]byte

func (m memStorage) Get(name string) []byte    { return m[name] }
func (m memStorage) Put(name string, v []byte) { m[name] = bytes.Clone(v) }
func (m memStorage) Delete(name string)        { delete(m, name) }
func (m memStorage) snapshot() memStorage      { return maps.Clone(m) }
func (m memStorage) equal(o memStorage) bool   { return maps.EqualFunc(m, o, bytes.Equal) }

// hx decodes hex with optional spaces; it fails the test on bad input.
func hx(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

// Test personalisation, written out by hand from the DGI table of the
// package doc: key 40..4F, limit 10000 (2710), EUR (0978), holder
// "CARDH001", flags given per test.
const (
	testKey        = "404142434445464748494A4B4C4D4E4F"
	testHolder     = "4341524448303031"
	keyBlock       = "80E2080013 8101 10 " + testKey
	profileNoFlags = "0101 04 00002710 0102 02 0978 0103 08 " + testHolder
	profileData    = profileNoFlags + " 0104 01 "
)

// profileBlock is the last STORE DATA block: limit, currency, holder and
// the flags byte ff (hex).
func profileBlock(ff string) string { return "80E288011B " + profileData + ff }

// op says how a step reaches the applet.
type op int

const (
	opProcess op = iota + 1 // Process(apdu)
	opSelect                // Select (capdu is ignored)
	opStore                 // StoreData(P1, data) as forwarded by the SD
)

// step is one command of a transcript: raw C-APDU hex and the expected
// R-APDU hex (data ‖ SW).
type step struct {
	name  string
	op    op
	level byte // Context.SecurityLevel
	capdu string
	want  string
}

// run plays steps against p over st. Every refused command must leave the
// storage unchanged, and so must every read-only one.
func run(t *testing.T, p *Purse, st memStorage, steps []step) {
	t.Helper()
	for i, s := range steps {
		ctx := applet.Context{Storage: st, SecurityLevel: s.level}
		c := hx(t, s.capdu)
		before := st.snapshot()
		var data []byte
		var status uint16
		switch s.op {
		case opSelect:
			data, status = p.Select(ctx)
		case opStore:
			if len(c) < 5 || len(c) != 5+int(c[4]) || c[1] != 0xE2 {
				t.Fatalf("step %d %s: not a STORE DATA APDU", i, s.name)
			}
			status = p.StoreData(ctx, c[2], c[5:])
		default:
			data, status = p.Process(ctx, c)
		}
		got := strings.ToUpper(hex.EncodeToString(append(data, byte(status>>8), byte(status))))
		want := strings.ToUpper(strings.ReplaceAll(s.want, " ", ""))
		if got != want {
			t.Fatalf("step %d %s: got %s, want %s", i, s.name, got, want)
		}
		readOnly := s.op == opSelect || (s.op == opProcess && len(c) > 1 && c[1] != INSCredit && c[1] != INSDebit)
		if (status != 0x9000 || readOnly) && !st.equal(before) {
			t.Fatalf("step %d %s: answered %04X but changed the storage", i, s.name, status)
		}
	}
}

// personalised returns a storage holding a purse installed with install
// parameters params and personalised with flags ff (hex).
func personalised(t *testing.T, params, ff string) memStorage {
	t.Helper()
	st := memStorage{}
	if err := New().Install(applet.Context{Storage: st}, hx(t, params)); err != nil {
		t.Fatalf("Install: %v", err)
	}
	run(t, New(), st, []step{
		{"key", opStore, 0, keyBlock, "9000"},
		{"profile", opStore, 0, profileBlock(ff), "9000"},
	})
	return st
}
