package storetest

import (
	"reflect"
	"testing"
	"time"

	"github.com/cardhost/cardhost/tsm/store"
)

// Well-known AIDs (GPCS: default ISD; an SSD and an applet of our own).
var (
	isdAID    = []byte{0xA0, 0x00, 0x00, 0x01, 0x51, 0x00, 0x00, 0x00}
	ssdAID    = []byte{0xA0, 0x00, 0x00, 0x01, 0x51, 0x53, 0x50, 0x01}
	pkgAID    = []byte{0xA0, 0x00, 0x00, 0x00, 0x62, 0x03, 0x01}
	appletAID = []byte{0xA0, 0x00, 0x00, 0x00, 0x62, 0x03, 0x01, 0x0C, 0x01}
)

// sampleCard is a snapshot with every kind of content, in stored order.
func sampleCard() store.Card {
	return store.Card{
		CIN:        []byte{0x45, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09},
		IIN:        []byte{0x42, 0x11, 0x22},
		CPLCSerial: []byte{0x12, 0x34, 0x56, 0x78},
		CPLC:       []byte{0x47, 0x90, 0x50, 0x40, 0x12, 0x34, 0x56, 0x78},
		ISDAID:     isdAID,
		LifeCycle:  0x0F,
		Domains: []store.Domain{
			{AID: isdAID, LifeCycle: 0x0F, Privileges: []byte{0x9E, 0xFE, 0x80}},
			{AID: ssdAID, LifeCycle: 0x0F, Privileges: []byte{0x80, 0x00, 0x00}, AssociatedSD: isdAID},
		},
		KeySets: []store.KeySet{
			{SDAID: isdAID, KVN: 0x30, Keys: []store.KeyInfo{
				{ID: 1, Type: 0x88, Length: 16, KCV: []byte{0x50, 0x45, 0x1D}},
				{ID: 2, Type: 0x88, Length: 16, KCV: []byte{0x12, 0x34, 0x56}},
				{ID: 3, Type: 0x88, Length: 16},
			}},
			{SDAID: ssdAID, KVN: 0x31, Keys: []store.KeyInfo{{ID: 1, Type: 0x88, Length: 32}}},
		},
		LoadFiles: []store.LoadFile{{AID: pkgAID, Version: store.Version{Major: 1, Minor: 2}, LifeCycle: 0x01,
			AssociatedSD: ssdAID}},
		Applications: []store.Application{{AID: appletAID, LoadFileAID: pkgAID, LifeCycle: 0x07,
			Privileges: []byte{0, 0, 0}, AssociatedSD: ssdAID}},
	}
}

// assertCard compares a stored card with want, ignoring the store's timestamps.
func assertCard(t *testing.T, got, want store.Card) {
	t.Helper()
	got.CreatedAt, got.RefreshedAt, want.CreatedAt, want.RefreshedAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("card mismatch\n got %+v\nwant %+v", got, want)
	}
}

func testInventory(t *testing.T, fresh Fresh) {
	t.Run("RoundTrip", func(t *testing.T) {
		e := open(t, fresh)
		got := must(e.s.PutCard(ctx, sampleCard())).ok(t)
		assertCard(t, got, sampleCard())
		if !got.CreatedAt.Equal(t0) || !got.RefreshedAt.Equal(t0) {
			t.Errorf("timestamps %v %v, want %v", got.CreatedAt, got.RefreshedAt, t0)
		}
		assertCard(t, must(e.s.Card(ctx, sampleCard().CIN)).ok(t), sampleCard())
	})

	t.Run("RefreshReplacesContentsKeepsKCVs", func(t *testing.T) {
		e := open(t, fresh)
		must(e.s.PutCard(ctx, sampleCard())).ok(t)
		e.clk.Advance(time.Hour)
		refresh := sampleCard()
		refresh.IIN, refresh.CPLCSerial = nil, nil // unknown this time: kept
		refresh.Applications = nil                 // applet deleted on the card
		refresh.KeySets = []store.KeySet{{SDAID: isdAID, KVN: 0x30, Keys: []store.KeyInfo{
			{ID: 1, Type: 0x88, Length: 16}, // KCV not readable from the card: kept
			{ID: 2, Type: 0x88, Length: 16, KCV: []byte{0xAA, 0xBB, 0xCC}},
			{ID: 3, Type: 0x88, Length: 16},
		}}}
		got := must(e.s.PutCard(ctx, refresh)).ok(t)
		want := sampleCard()
		want.Applications = nil
		want.KeySets = []store.KeySet{{SDAID: isdAID, KVN: 0x30, Keys: []store.KeyInfo{
			{ID: 1, Type: 0x88, Length: 16, KCV: []byte{0x50, 0x45, 0x1D}},
			{ID: 2, Type: 0x88, Length: 16, KCV: []byte{0xAA, 0xBB, 0xCC}},
			{ID: 3, Type: 0x88, Length: 16},
		}}}
		assertCard(t, got, want)
		if !got.CreatedAt.Equal(t0) || !got.RefreshedAt.Equal(t0.Add(time.Hour)) {
			t.Errorf("timestamps created %v refreshed %v", got.CreatedAt, got.RefreshedAt)
		}
	})

	tests := []struct {
		name   string
		mutate func(c *store.Card)
		want   error
	}{
		{"SameCardAgain", func(c *store.Card) {}, nil},
		{"DuplicateCIN_OtherCPLCSerial_Conflict", func(c *store.Card) { c.CPLCSerial = []byte{9, 9, 9, 9} }, store.ErrConflict},
		{"DuplicateCIN_OtherIIN_Conflict", func(c *store.Card) { c.IIN = []byte{0x42, 0x99} }, store.ErrConflict},
		{"EmptyCIN_Invalid", func(c *store.Card) { c.CIN = nil }, store.ErrInvalid},
		{"DomainTwice_Invalid", func(c *store.Card) { c.Domains = append(c.Domains, c.Domains[0]) }, store.ErrInvalid},
		{"KeySetWithoutKeys_Invalid", func(c *store.Card) { c.KeySets[1].Keys = nil }, store.ErrInvalid},
		{"KeyIDTwice_Invalid", func(c *store.Card) { c.KeySets[0].Keys[1].ID = 1 }, store.ErrInvalid},
		{"OverlongAID_Invalid", func(c *store.Card) { c.Applications[0].AID = make([]byte, 17) }, store.ErrInvalid},
	}
	e := open(t, fresh)
	stored := must(e.s.PutCard(ctx, sampleCard())).ok(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := sampleCard()
			tc.mutate(&c)
			_, err := e.s.PutCard(ctx, c)
			wantErr(t, "PutCard", err, tc.want)
			if tc.want != nil {
				assertCard(t, must(e.s.Card(ctx, stored.CIN)).ok(t), stored)
			}
		})
	}

	t.Run("NotFound", func(t *testing.T) {
		_, err := e.s.Card(ctx, []byte{0xDE, 0xAD})
		wantErr(t, "Card", err, store.ErrNotFound)
	})

	t.Run("FilterAndPage", func(t *testing.T) {
		e := open(t, fresh)
		for i := byte(1); i <= 3; i++ {
			c := store.Card{CIN: []byte{i}, IIN: []byte{0x42, i % 2}}
			must(e.s.PutCard(ctx, c)).ok(t)
		}
		cins := func(cs []store.Card) (out []byte) {
			for _, c := range cs {
				out = append(out, c.CIN[0])
			}
			return out
		}
		for _, tc := range []struct {
			name string
			f    store.CardFilter
			want []byte
		}{
			{"All", store.CardFilter{}, []byte{1, 2, 3}},
			{"ByIIN", store.CardFilter{IIN: []byte{0x42, 1}}, []byte{1, 3}},
			{"Page", store.CardFilter{AfterCIN: []byte{1}, Limit: 1}, []byte{2}},
			{"NoMatch", store.CardFilter{CPLCSerial: []byte{7}}, nil},
		} {
			if got := cins(must(e.s.Cards(ctx, tc.f)).ok(t)); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("%s: got CINs %v, want %v", tc.name, got, tc.want)
			}
		}
	})
}
