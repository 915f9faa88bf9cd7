package gpcard

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/cardhost/cardhost/applet/cap"
	"github.com/cardhost/cardhost/gpcard/command"
	"github.com/cardhost/cardhost/gpcard/scp/scptest"
	"github.com/cardhost/cardhost/gpcard/sw"
)

// testCAP builds a CAP file (package D0D1D2D3D4, applet D0D1D2D3D4D5) whose
// load file is larger than two 247-byte blocks.
func testCAP(t testing.TB, methodSize int) *cap.File {
	t.Helper()
	raw, err := cap.Write(cap.Spec{
		Format:     cap.Version{Major: 2, Minor: 2},
		Packages:   []cap.Package{{AID: scptest.Hex(t, "D0D1D2D3D4"), Version: cap.Version{Major: 1}, Name: "test"}},
		Applets:    []cap.Applet{{AID: scptest.Hex(t, "D0D1D2D3D4D5"), InstallMethodOffset: 1}},
		Imports:    []cap.Import{{AID: scptest.Hex(t, "A0000000620101"), Version: cap.Version{Major: 1, Minor: 6}}},
		MethodSize: methodSize,
	})
	if err != nil {
		t.Fatal(err)
	}
	f, err := cap.Parse("test.cap", raw)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// loadSteps splits the load file (from package cap) into LOAD commands of
// size bytes written out per GPCS 2.3.1 Table 11-56.
func loadSteps(payload []byte, size int) []scptest.Step {
	var out []scptest.Step
	for i := 0; i*size < len(payload); i++ {
		chunk := payload[i*size : min((i+1)*size, len(payload))]
		p1 := "00"
		if (i+1)*size >= len(payload) {
			p1 = "80"
		}
		out = append(out, scptest.Step{Name: fmt.Sprintf("LOAD %d", i), WantCAPDU: fmt.Sprintf("80E8%s%02X%02X%X00", p1, i, len(chunk), chunk), Reply: "009000"})
	}
	return out
}

func TestInstallCAP_PlainTranscript(t *testing.T) {
	f := testCAP(t, 400)
	payload := f.LoadFile(cap.LoadOptions{})
	// INSTALL [for load] (Table 11-42): LV ELF, LV SD (the selected ISD), no
	// hash, no load parameters, no token.
	steps := []scptest.Step{{Name: "INSTALL [for load]", WantCAPDU: "80E6020012 05D0D1D2D3D4 08A000000151000000 00 00 00 00", Reply: "009000"}}
	steps = append(steps, loadSteps(payload, 247)...)
	// INSTALL [for install and make selectable] (Table 11-43): ELF, module,
	// instance = module, privileges 00, C9 00.
	steps = append(steps, scptest.Step{Name: "INSTALL [install+selectable]", WantCAPDU: "80E60C001A 05D0D1D2D3D4 06D0D1D2D3D4D5 06D0D1D2D3D4D5 0100 02C900 00 00", Reply: "9000"})
	c, _ := sessionCard(t, 247, []byte{0xFF}, steps...)
	var progress []string
	res, err := c.InstallCAP(context.Background(), f, InstallCAPOptions{Load: LoadOptions{Progress: func(s, n int) { progress = append(progress, fmt.Sprintf("%d/%d", s, n)) }}})
	if err != nil {
		t.Fatal(err)
	}
	blocks := (len(payload) + 246) / 247
	if res.Blocks != blocks || res.BlockSize != 247 || res.Bytes != len(payload) || len(progress) != blocks || progress[blocks-1] != fmt.Sprintf("%d/%d", len(payload), len(payload)) {
		t.Errorf("result %+v, progress %v", res, progress)
	}
}

func TestLoad_BlockSize(t *testing.T) {
	f := testCAP(t, 200)
	payload := f.LoadFile(cap.LoadOptions{})
	for _, tc := range []struct {
		name        string
		channelMax  int
		fciMax      []byte
		limit, want int
	}{
		{"card announces 128 (9F65 80)", 247, []byte{0x80}, 0, 128},
		{"channel with C-DEC allows 239", 239, []byte{0xFF}, 0, 239},
		{"caller lowers to 100", 247, nil, 100, 100},
	} {
		t.Run(tc.name, func(t *testing.T) {
			steps := append([]scptest.Step{{Name: "INSTALL [for load]", WantCAPDU: "80E6020012 05D0D1D2D3D4 08A000000151000000 00 00 00 00", Reply: "009000"}}, loadSteps(payload, tc.want)...)
			c, _ := sessionCard(t, tc.channelMax, tc.fciMax, steps...)
			res, err := c.Load(context.Background(), f, LoadOptions{BlockSize: tc.limit})
			if err != nil || res.BlockSize != tc.want {
				t.Fatalf("Load = %+v, %v", res, err)
			}
		})
	}
}

// A card announcing 9F65 = 0400 gets extended-length LOAD blocks of 1024
// bytes: 80 E8 P1 P2 00 <Lc hi lo> data <Le 01 00> (ISO/IEC 7816-4 §5.1).
func TestLoad_ExtendedLength(t *testing.T) {
	f := testCAP(t, 1500)
	payload := f.LoadFile(cap.LoadOptions{})
	steps := []scptest.Step{{Name: "INSTALL [for load]", WantCAPDU: "80E6020012 05D0D1D2D3D4 08A000000151000000 00 00 00 00", Reply: "009000"}}
	for i := 0; i*1024 < len(payload); i++ {
		chunk := payload[i*1024 : min((i+1)*1024, len(payload))]
		p1 := "00"
		if (i+1)*1024 >= len(payload) {
			p1 = "80"
		}
		steps = append(steps, scptest.Step{Name: "LOAD", WantCAPDU: fmt.Sprintf("80E8%s%02X00%04X%X0100", p1, i, len(chunk), chunk), Reply: "9000"})
	}
	c, _ := sessionCard(t, 65519, []byte{0x04, 0x00}, steps...)
	if res, err := c.Load(context.Background(), f, LoadOptions{}); err != nil || res.BlockSize != 1024 || res.Blocks != 2 {
		t.Fatalf("Load = %+v, %v", res, err)
	}
}

func TestLoad_RejectedBlockStops(t *testing.T) {
	f := testCAP(t, 400)
	payload := f.LoadFile(cap.LoadOptions{})
	load := loadSteps(payload, 247)
	load[0].Reply = "6A84"
	c, _ := sessionCard(t, 247, nil,
		scptest.Step{Name: "INSTALL [for load]", WantCAPDU: "80E6020012 05D0D1D2D3D4 08A000000151000000 00 00 00 00", Reply: "009000"}, load[0])
	_, err := c.Load(context.Background(), f, LoadOptions{})
	var se *sw.StatusError
	if !errors.As(err, &se) || se.Command != "LOAD" || !errors.Is(err, sw.ErrNoMemory) {
		t.Fatalf("err = %v", err)
	}
}

func TestPutKeySet(t *testing.T) {
	// PUT KEY (gp-card.md §1.7): replace KVN 30 by 31, P2 81, three AES-128
	// keys 88 11 10 <16-byte cryptogram> 03 <KCV>.
	var keysHex string
	for kid := 1; kid <= 3; kid++ {
		b := fmt.Sprintf("%02X", kid)
		keysHex += "881110" + strings.Repeat(b, 16) + "03" + strings.Repeat(b, 3)
	}
	cmd := "80D83081 46 31" + keysHex + "00"
	for _, tc := range []struct{ name, reply, wantErr string }{
		{"card confirms", "31 010101 020202 030303 9000", ""},
		{"wrong KCV in the response", "31 010101 020203 030303 9000", "KCV of key 1"},
		{"wrong KVN in the response", "30 010101 020202 030303 9000", "KVN"},
		{"truncated response", "31 010101 0202 9000", "truncated"},
		{"card refuses the KCV (6982)", "6982", "6982"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := sessionCard(t, 247, nil, scptest.Step{Name: "PUT KEY", WantCAPDU: cmd, Reply: tc.reply})
			res, err := c.PutKeySet(context.Background(), PutKeyOptions{ReplaceKVN: 0x30, NewKVN: 0x31})
			if tc.wantErr == "" {
				if err != nil || res.KVN != 0x31 || res.Type != "AES-128" || len(res.KCV) != 3 || res.KCV[2].String() != "030303" {
					t.Fatalf("PutKeySet = %+v, %v", res, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("err = %v, want %q", err, tc.wantErr)
			}
			if tc.reply != "6982" && !errors.Is(err, ErrKeyCheck) {
				t.Errorf("err = %v, want ErrKeyCheck", err)
			}
		})
	}
}

func TestDelete_6985_StatusError(t *testing.T) {
	c, _ := sessionCard(t, 247, nil, scptest.Step{Name: "DELETE", WantCAPDU: "80E400000 74F05D0D1D2D3D400", Reply: "6985"})
	err := c.Delete(context.Background(), scptest.Hex(t, "D0D1D2D3D4"), false)
	var se *sw.StatusError
	if !errors.As(err, &se) || se.Command != "DELETE" || se.SW != 0x6985 || !errors.Is(err, sw.ErrConditionsNotSatisfied) {
		t.Fatalf("err = %v", err)
	}
	if h := sw.Hint(se.Command, se.SW); !strings.Contains(h, "instances") {
		t.Errorf("hint = %q", h)
	}
}

func TestCreateSSD_StoreDataKeys(t *testing.T) {
	// C9 content 81 02 03 70 (current channel SCP03 i=70), 82 02 20 20, 87 02 20 20.
	install := "80E60C002E 07A0000001515350 08A000000151535041 08A000000151535300 03 804000 0E C90C 81020370 82022020 87022020 00 00"
	// Per key: DGI 00B9 { 96 01 00, 80 01 88, 81 01 10, 82 01 KID, 83 01 40, 84 03 KCV } and DGI 8113 <16-byte cryptogram>.
	var dgis string
	for kid := 1; kid <= 3; kid++ {
		b := fmt.Sprintf("%02X", kid)
		dgis += "00B914 960100 800188 810110 8201" + b + " 830140 8403" + strings.Repeat(b, 3) + "811310" + strings.Repeat(b, 16)
	}
	data := scptest.Hex(t, dgis)
	c, _ := sessionCard(t, 247, nil,
		scptest.Step{Name: "INSTALL [for install and make selectable]", WantCAPDU: install, Reply: "009000"},
		scptest.Step{Name: "INSTALL [for personalization]", WantCAPDU: "80E620000E 00 00 08A000000151535300 00 00 00 00", Reply: "009000"},
		scptest.Step{Name: "STORE DATA DGI", WantCAPDU: fmt.Sprintf("80E28800%02X%X", len(data), data), Reply: "9000"},
	)
	res, err := c.CreateSSD(context.Background(), SSDOptions{AID: scptest.Hex(t, "A000000151535300"), Privileges: []string{"AuthorizedManagement"},
		AcceptExtraditionTo: true, AcceptExtraditionFrom: true, InitialKeys: &InitialKeys{Via: ByStoreData, KVN: 0x40}})
	if err != nil || res.Keys == nil || res.Keys.KVN != 0x40 {
		t.Fatalf("CreateSSD = %+v, %v", res, err)
	}
}

func TestLifeCycleAndPersonalization(t *testing.T) {
	c, _ := sessionCard(t, 247, nil,
		scptest.Step{Name: "SET STATUS lock app", WantCAPDU: "80F0408006D0D1D2D3D4D5", Reply: "9000"},
		scptest.Step{Name: "SET STATUS unlock app", WantCAPDU: "80F0400006D0D1D2D3D4D5", Reply: "9000"},
		scptest.Step{Name: "SET STATUS card locked", WantCAPDU: "80F0807F", Reply: "9000"},
		scptest.Step{Name: "INSTALL [for personalization]", WantCAPDU: "80E620000C 00 00 06D0D1D2D3D4D5 00 00 00 00", Reply: "009000"},
		scptest.Step{Name: "STORE DATA", WantCAPDU: "80E2880006 0101 03 AABBCC", Reply: "9000"},
	)
	ctx, app := context.Background(), scptest.Hex(t, "D0D1D2D3D4D5")
	for i, err := range []error{c.Lock(ctx, app), c.Unlock(ctx, app), c.SetCardState(ctx, command.CardLocked),
		c.Personalize(ctx, app, []command.DGI{{ID: 0x0101, Value: scptest.Hex(t, "AABBCC")}})} {
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
}

func TestOperations_NeedSecureChannel_SendNothing(t *testing.T) {
	sc := scptest.New(t, scptest.Step{Name: "SELECT", WantCAPDU: "00A4040000", Reply: fciHex(t, isdHex, 2, 0x15, nil)})
	c, err := Connect(context.Background(), sc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	_, e1 := c.Registry(ctx)
	_, e2 := c.Load(ctx, testCAP(t, 10), LoadOptions{})
	_, e3 := c.PutKeySet(ctx, PutKeyOptions{NewKVN: 1})
	_, e4 := c.CreateSSD(ctx, SSDOptions{AID: scptest.Hex(t, "A000000151535300")})
	_, e5 := c.StoreData(ctx, []byte{1}, command.StoreDataOptions{})
	for i, err := range []error{e1, e2, e3, e4, e5, c.Delete(ctx, []byte{1, 2, 3, 4, 5}, false), c.Lock(ctx, []byte{1, 2, 3, 4, 5}), c.SetCardState(ctx, command.CardSecured), c.Extradite(ctx, nil, nil), c.Install(ctx, InstallOptions{})} {
		if !errors.Is(err, ErrNotAuthenticated) {
			t.Errorf("operation %d: %v", i, err)
		}
	}
}

func TestInfo(t *testing.T) {
	cplc := "9F7F2A" + strings.Repeat("00", 42)
	c, _ := sessionCard(t, 247, nil,
		scptest.Step{Name: "GET DATA CPLC", WantCAPDU: "80CA9F7F00", Reply: cplc + "9000"},
		scptest.Step{Name: "GET DATA IIN", WantCAPDU: "80CA004200", Reply: "42054203000000 9000"},
		scptest.Step{Name: "GET DATA CIN", WantCAPDU: "80CA004500", Reply: "45044502000 0 9000"},
		scptest.Step{Name: "GET DATA key info", WantCAPDU: "80CA00E000", Reply: "E00CC00401308810C00402308810 9000"},
		scptest.Step{Name: "GET DATA card capability", WantCAPDU: "80CA006700", Reply: "6A88"},
		scptest.Step{Name: "GET DATA sequence counter", WantCAPDU: "80CA00C100", Reply: "C103000015 9000"},
		scptest.Step{Name: "GET DATA card resources", WantCAPDU: "80CA FF21 00", Reply: "FF210B 81010D 8202C5D6 83020962 9000"},
	)
	info, err := c.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if info.CPLC == nil || info.IIN.String() != "4203000000" || info.CIN.String() != "45020000" || len(info.KeyInfo) != 2 ||
		info.Sequence == nil || *info.Sequence != 0x15 || info.Resources == nil || info.Resources.FreeNonVolatile != 50646 || info.CardData == nil {
		t.Errorf("info = %+v", info)
	}
	if !strings.Contains(info.Unavailable["card capability"], "6A88") || len(info.Unavailable) != 1 {
		t.Errorf("unavailable = %v", info.Unavailable)
	}
	if _, err := hex.DecodeString(info.SD.String()); err != nil {
		t.Error(err)
	}
}
