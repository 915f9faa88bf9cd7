package storetest

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/cardhost/cardhost/tsm/store"
)

// samplePackage is catalog metadata for pkgAID at version v.
func samplePackage(v store.Version) store.Package {
	return store.Package{
		AID: pkgAID, Version: v, Name: "payment applet",
		Applets:      [][]byte{appletAID, append(append([]byte{}, appletAID[:8]...), 0x02)},
		LoadFileHash: bytes.Repeat([]byte{0x5A}, 32), HashAlg: "SHA-256", Size: 4096,
		DAPSignature: []byte{0x30, 0x44, 0x02, 0x20}, KeyRef: "catalog/pkg-" + v.String(),
		UploadedBy: "alice",
	}
}

func testCatalog(t *testing.T, fresh Fresh) {
	e := open(t, fresh)
	v12, v110 := store.Version{Major: 1, Minor: 2}, store.Version{Major: 1, Minor: 10}
	ct := []byte("ciphertext produced by the TSM service layer")
	p := must(e.s.PutPackage(ctx, samplePackage(v12), ct)).ok(t)
	want := samplePackage(v12)
	want.UploadedAt = t0
	if !reflect.DeepEqual(p, want) {
		t.Fatalf("PutPackage returned\n %+v\nwant %+v", p, want)
	}
	sealed := samplePackage(v110)
	sealed.DAPSignature, sealed.SealedKey, sealed.Applets = nil, []byte{0xC0, 0xFF, 0xEE}, nil
	must(e.s.PutPackage(ctx, sealed, ct)).ok(t)

	t.Run("Get", func(t *testing.T) {
		got := must(e.s.Package(ctx, pkgAID, v12)).ok(t)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Package\n %+v\nwant %+v", got, want)
		}
		if got := must(e.s.PackageCiphertext(ctx, pkgAID, v12)).ok(t); !bytes.Equal(got, ct) {
			t.Errorf("ciphertext %q", got)
		}
	})

	t.Run("ListSortsVersionsNumerically", func(t *testing.T) {
		ps := must(e.s.Packages(ctx)).ok(t)
		if len(ps) != 2 || ps[0].Version != v12 || ps[1].Version != v110 {
			t.Fatalf("Packages = %+v", ps)
		}
		sealed.UploadedAt = t0
		if !reflect.DeepEqual(ps[1], sealed) {
			t.Errorf("sealed package\n %+v\nwant %+v", ps[1], sealed)
		}
	})

	tests := []struct {
		name   string
		mutate func(p *store.Package, ct *[]byte)
		want   error
	}{
		{"DuplicateVersion_Conflict", func(p *store.Package, ct *[]byte) {}, store.ErrConflict},
		{"ShortAID_Invalid", func(p *store.Package, ct *[]byte) { p.AID = []byte{1, 2}; p.Version.Minor = 9 }, store.ErrInvalid},
		{"NoHash_Invalid", func(p *store.Package, ct *[]byte) { p.LoadFileHash = nil; p.Version.Minor = 9 }, store.ErrInvalid},
		{"NoKeyRef_Invalid", func(p *store.Package, ct *[]byte) { p.KeyRef = ""; p.Version.Minor = 9 }, store.ErrInvalid},
		{"NoCiphertext_Invalid", func(p *store.Package, ct *[]byte) { *ct = nil; p.Version.Minor = 9 }, store.ErrInvalid},
		{"AppletTwice_Invalid", func(p *store.Package, ct *[]byte) { p.Applets[1] = p.Applets[0]; p.Version.Minor = 9 }, store.ErrInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, c := samplePackage(v12), ct
			tc.mutate(&p, &c)
			_, err := e.s.PutPackage(ctx, p, c)
			wantErr(t, "PutPackage", err, tc.want)
		})
	}

	t.Run("NotFound", func(t *testing.T) {
		_, err := e.s.Package(ctx, pkgAID, store.Version{Major: 9})
		wantErr(t, "Package", err, store.ErrNotFound)
		_, err = e.s.PackageCiphertext(ctx, pkgAID, store.Version{Major: 9})
		wantErr(t, "PackageCiphertext", err, store.ErrNotFound)
	})
}
