package storetest

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/cardhost/cardhost/gpcard/secret"
	"github.com/cardhost/cardhost/tsm/store"
)

// keyLikeFields are the API fields whose names mention keys or tokens but
// hold no key material, with the reason.
var keyLikeFields = map[string]string{
	"KeySet.Keys":      "KeyInfo metadata: ID, type, length, KCV",
	"Card.KeySets":     "KeySet metadata",
	"KeySlot.KeyLabel": "keystore label, a name",
	"Package.KeyRef":   "keystore reference, a name",
	"Package.SealedKey": "opaque blob sealed by the keystore, only if it asks; " +
		"the one place the store may hold wrapped key material",
	"Lease.Token": "fencing token of a claim, not a credential",
}

// testNoKeyMaterial shows that the API cannot carry key bytes: no type
// reachable from the store's records has a secret.Key or an unexplained
// key-like field, and a job whose parameters try to carry a key is refused
// and leaves no trace of it in the database.
func testNoKeyMaterial(t *testing.T, fresh Fresh) {
	t.Run("TypesHaveNoKeyFields", func(t *testing.T) {
		keyType := reflect.TypeFor[secret.Key]()
		seen := map[reflect.Type]bool{}
		var walk func(reflect.Type)
		walk = func(ty reflect.Type) {
			for ty.Kind() == reflect.Pointer || ty.Kind() == reflect.Slice || ty.Kind() == reflect.Array || ty.Kind() == reflect.Map {
				ty = ty.Elem()
			}
			if ty.Kind() != reflect.Struct || seen[ty] || ty.PkgPath() != reflect.TypeFor[store.Job]().PkgPath() {
				return
			}
			seen[ty] = true
			for f := range ty.Fields() {
				name := ty.Name() + "." + f.Name
				if f.Type == keyType {
					t.Errorf("%s is a secret.Key", name)
				}
				lower := strings.ToLower(f.Name)
				if strings.Contains(lower, "key") || strings.Contains(lower, "secret") ||
					strings.Contains(lower, "pin") || strings.Contains(lower, "token") {
					if _, ok := keyLikeFields[name]; !ok {
						t.Errorf("%s has a key-like name and no entry in keyLikeFields", name)
					}
				}
				walk(f.Type)
			}
		}
		for _, v := range []any{store.NewJob{}, store.Job{}, store.StepResult{}, store.Claim{}, store.KeySlot{},
			store.NewCampaign{}, store.Campaign{}, store.Card{}, store.Package{}, store.AuditRecord{},
			store.AuditEntry{}, store.NewToken{}, store.Token{}} {
			walk(reflect.TypeOf(v))
		}
		if !seen[reflect.TypeFor[store.Step]()] || !seen[reflect.TypeFor[store.KeyInfo]()] {
			t.Fatal("walk missed nested types")
		}
	})

	t.Run("JobWithKeyInParams_RefusedAndNotStored", func(t *testing.T) {
		e := open(t, fresh)
		const keyHex = "404142434445464748494A4B4C4D4E4F"
		j := sampleJob([]byte{1})
		j.Steps[1].Params = json.RawMessage(`{"kvn": 49, "keys": {"enc": "` + keyHex + `"}}`)
		_, err := e.s.CreateJob(ctx, j)
		wantErr(t, "CreateJob", err, store.ErrSecretField)
		if strings.Contains(strings.ToUpper(err.Error()), keyHex) {
			t.Errorf("error repeats the key: %v", err)
		}
		var n int
		if err := rawDB(t, e.s).QueryRow(`SELECT COUNT(*) FROM job_steps WHERE UPPER(params) LIKE $1`,
			"%"+keyHex+"%").Scan(&n); err != nil {
			t.Fatal(err)
		}
		if jobs := must(e.s.ListJobs(ctx, store.JobFilter{})).ok(t); len(jobs) != 0 || n != 0 {
			t.Errorf("refused job left %d jobs, %d steps with the key", len(jobs), n)
		}
	})
}
