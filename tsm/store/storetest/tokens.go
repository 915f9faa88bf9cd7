package storetest

import (
	"crypto/sha256"
	"testing"
	"time"

	"github.com/cardhost/cardhost/tsm/store"
)

func testTokens(t *testing.T, fresh Fresh) {
	e := open(t, fresh)
	h1 := sha256.Sum256([]byte("bearer token one (random in real use)"))
	tok := must(e.s.CreateToken(ctx, store.NewToken{Name: "alice", Role: "operator", Hash: h1})).ok(t)
	if tok.ID == "" || tok.Hash != h1 || !tok.Active() || !tok.CreatedAt.Equal(t0) {
		t.Fatalf("created %+v", tok)
	}

	tests := []struct {
		name string
		nt   store.NewToken
		want error
	}{
		{"DuplicateName_Conflict", store.NewToken{Name: "alice", Role: "admin", Hash: sha256.Sum256([]byte("x"))}, store.ErrConflict},
		{"DuplicateHash_Conflict", store.NewToken{Name: "bob", Role: "admin", Hash: h1}, store.ErrConflict},
		{"NoHash_Invalid", store.NewToken{Name: "carol", Role: "admin"}, store.ErrInvalid},
		{"NoRole_Invalid", store.NewToken{Name: "carol", Hash: sha256.Sum256([]byte("y"))}, store.ErrInvalid},
		{"Second", store.NewToken{Name: "bob", Role: "auditor", Hash: sha256.Sum256([]byte("z"))}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.s.CreateToken(ctx, tc.nt)
			wantErr(t, "CreateToken", err, tc.want)
		})
	}

	t.Run("LookupRevokeList", func(t *testing.T) {
		got := must(e.s.TokenByHash(ctx, h1)).ok(t)
		if got.ID != tok.ID || got.Role != "operator" {
			t.Fatalf("TokenByHash = %+v", got)
		}
		_, err := e.s.TokenByHash(ctx, sha256.Sum256([]byte("unknown")))
		wantErr(t, "TokenByHash unknown", err, store.ErrNotFound)
		e.clk.Advance(time.Hour)
		wantErr(t, "RevokeToken", e.s.RevokeToken(ctx, tok.ID), nil)
		e.clk.Advance(time.Hour)
		wantErr(t, "RevokeToken again", e.s.RevokeToken(ctx, tok.ID), nil)
		wantErr(t, "RevokeToken unknown", e.s.RevokeToken(ctx, "nope"), store.ErrNotFound)
		got = must(e.s.TokenByHash(ctx, h1)).ok(t)
		if got.Active() || !got.RevokedAt.Equal(t0.Add(time.Hour)) {
			t.Errorf("revoked token %+v, want revoked at the first revocation", got)
		}
		list := must(e.s.ListTokens(ctx)).ok(t)
		if len(list) != 2 || list[0].Name != "alice" || list[1].Name != "bob" || !list[1].Active() {
			t.Errorf("ListTokens = %+v", list)
		}
	})
}
