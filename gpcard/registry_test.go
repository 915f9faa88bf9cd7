package gpcard

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/cardhost/cardhost/gpcard/command"
	"github.com/cardhost/cardhost/gpcard/scp/scptest"
	"github.com/cardhost/cardhost/gpcard/sw"
)

const (
	// E3 entries (GPCS 2.3.1 Table 11-38): the ISD (OP_READY, SD
	// privileges), one applet, one package with one module.
	isdEntry = "E3134F08A0000001510000009F700101C50380FE00"
	appEntry = "E3114F06D0D1D2D3D4D59F700107C503000000"
	pkgEntry = "E3174F05D0D1D2D3D49F700101CE0201008406D0D1D2D3D4D5"
)

func TestRegistry_Transcripts(t *testing.T) {
	for _, tc := range []struct {
		name  string
		steps []scptest.Step
		want  []string // "KIND AID STATE"
	}{
		{"tag format, three scopes", []scptest.Step{
			{Name: "GET STATUS ISD", WantCAPDU: "80F28002024F0000", Reply: isdEntry + "9000"},
			{Name: "GET STATUS apps", WantCAPDU: "80F24002024F0000", Reply: appEntry + "9000"},
			{Name: "GET STATUS packages+modules", WantCAPDU: "80F21002024F0000", Reply: pkgEntry + "9000"},
		}, []string{"ISD A000000151000000 OP_READY", "APP D0D1D2D3D4D5 SELECTABLE", "PKG D0D1D2D3D4 LOADED"}},
		{"6310 paging with P2 03, 6A88 empty", []scptest.Step{
			{Name: "GET STATUS ISD", WantCAPDU: "80F28002024F0000", Reply: isdEntry + "9000"},
			{Name: "GET STATUS apps page 1", WantCAPDU: "80F24002024F0000", Reply: appEntry + "6310"},
			{Name: "GET STATUS apps page 2", WantCAPDU: "80F24003024F0000", Reply: strings.Replace(appEntry, "D5", "D6", 1) + "9000"},
			{Name: "GET STATUS packages", WantCAPDU: "80F21002024F0000", Reply: "6A88"},
		}, []string{"ISD A000000151000000 OP_READY", "APP D0D1D2D3D4D5 SELECTABLE", "APP D0D1D2D3D4D6 SELECTABLE"}},
		{"6A86 falls back to the legacy format for every later scope", []scptest.Step{
			{Name: "GET STATUS ISD tags", WantCAPDU: "80F28002024F0000", Reply: "6A86"},
			{Name: "GET STATUS ISD legacy", WantCAPDU: "80F28000024F0000", Reply: "08A000000151000000 0F 9E 9000"},
			{Name: "GET STATUS apps legacy", WantCAPDU: "80F24000024F0000", Reply: "6A88"},
			{Name: "GET STATUS packages legacy", WantCAPDU: "80F21000024F0000", Reply: "6A88"},
		}, []string{"ISD A000000151000000 SECURED"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := sessionCard(t, 247, nil, tc.steps...)
			reg, err := c.Registry(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range reg {
				got = append(got, e.Kind+" "+e.AID.String()+" "+e.State)
			}
			if strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Errorf("registry = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestRegistry_EntryNamesAndText(t *testing.T) {
	c, _ := sessionCard(t, 247, nil,
		scptest.Step{Name: "GET STATUS packages", WantCAPDU: "80F21002024F0000", Reply: pkgEntry + "9000"})
	reg, err := c.Registry(context.Background(), command.ScopeLoadFilesAndModule)
	if err != nil {
		t.Fatal(err)
	}
	e := reg[0]
	if e.Version != "1.0" || len(e.Modules) != 1 || e.Modules[0].String() != "D0D1D2D3D4D5" {
		t.Errorf("entry = %+v", e)
	}
	if s := reg.String(); !strings.HasPrefix(s, "PKG: D0D1D2D3D4 (LOADED)") {
		t.Errorf("String = %q", s)
	}
}

func TestRegistry_Failures(t *testing.T) {
	endless := make([]scptest.Step, 0, maxStatusPages)
	endless = append(endless, scptest.Step{Name: "page 1", WantCAPDU: "80F28002024F0000", Reply: isdEntry + "6310"})
	for i := 1; i < maxStatusPages; i++ {
		endless = append(endless, scptest.Step{Name: "next page", WantCAPDU: "80F28003024F0000", Reply: isdEntry + "6310"})
	}
	for _, tc := range []struct {
		name  string
		steps []scptest.Step
		want  error
	}{
		{"6310 forever is capped at 64 pages", endless, nil},
		{"truncated E3 entry", []scptest.Step{{Name: "GET STATUS ISD", WantCAPDU: "80F28002024F0000", Reply: "E3134F08A000000151000000 9000"}}, nil},
		{"6982 is a status error", []scptest.Step{{Name: "GET STATUS ISD", WantCAPDU: "80F28002024F0000", Reply: "6982"}}, sw.ErrSecurityStatus},
		{"6A86 in the legacy format too", []scptest.Step{
			{Name: "GET STATUS tags", WantCAPDU: "80F28002024F0000", Reply: "6A86"},
			{Name: "GET STATUS legacy", WantCAPDU: "80F28000024F0000", Reply: "6A86"}}, sw.ErrWrongP1P2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := sessionCard(t, 247, nil, tc.steps...)
			_, err := c.Registry(context.Background(), command.ScopeISD)
			if err == nil || (tc.want != nil && !errors.Is(err, tc.want)) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
}
