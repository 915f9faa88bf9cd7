package gpcard_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/cardhost/cardhost/applet/cap"
	"github.com/cardhost/cardhost/gpcard"
	"github.com/cardhost/cardhost/gpcard/keys"
	"github.com/cardhost/cardhost/gpcard/scp"
	"github.com/cardhost/cardhost/gpcard/scp/scptest"
	"github.com/cardhost/cardhost/gpcard/secret"
	"github.com/cardhost/cardhost/gpcard/sw"
	"github.com/cardhost/cardhost/reader"
)

// SELECT responses built by hand (GPCS 2.3.1 Table 11-79; card recognition
// data Table H-1): ISD A000000151000000 announcing SCP02 i=15 (OID
// 1.2.840.114283.4.2.21) or SCP03 i=70, and 9F65 = FF.
const (
	fciSCP02 = "6F28 8408A000000151000000 A51C 7316 06072A864886FC6B01 640B06092A864886FC6B040215 9F6501FF 9000"
	fciSCP03 = "6F28 8408A000000151000000 A51C 7316 06072A864886FC6B01 640B06092A864886FC6B040370 9F6501FF 9000"
	fciBare  = "6F0A 8408A000000151000000 9000"
	keyK     = "404142434445464748494A4B4C4D4E4F"
)

// kaoh/globalplatform scp02Test.c get_status_mac_only (vectors.md §2).
var (
	kaohIU   = scptest.Step{Name: "INITIALIZE UPDATE", WantCAPDU: "8050000008D5AD539A60CA5E7200", Reply: "000074746E6E6E626262 01 02 069F AA2A0591E733 67DD78794D04315E 9000"}
	kaohEA   = scptest.Step{Name: "EXTERNAL AUTHENTICATE", WantCAPDU: "8482010010 7C799B3C771DBAE6 BEF49310977617BA", Reply: "9000"}
	kaohHost = "D5AD539A60CA5E72"
)

func kpK(t testing.TB) *keys.Local {
	k := secret.New(scptest.Hex(t, keyK))
	return keys.NewPlain(keys.KeySet{ENC: k, MAC: k, DEK: k})
}

func connect(t *testing.T, tr interface {
	Transmit(context.Context, []byte) ([]byte, error)
	ATR() []byte
	Reset(context.Context) error
	Close() error
}, host string) *gpcard.Card {
	t.Helper()
	c, err := gpcard.Connect(context.Background(), tr, gpcard.Options{Rand: bytes.NewReader(scptest.Hex(t, host))})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestConnect_Discovery(t *testing.T) {
	for _, tc := range []struct {
		name    string
		opts    gpcard.Options
		steps   []scptest.Step
		wantSD  string
		wantErr error
	}{
		{"default selected ISD, one SELECT", gpcard.Options{}, []scptest.Step{{Name: "SELECT", WantCAPDU: "00A4040000", Reply: fciSCP02}}, "A000000151000000", nil},
		{"card locked 6283 accepted", gpcard.Options{}, []scptest.Step{{Name: "SELECT", WantCAPDU: "00A4040000", Reply: strings.TrimSuffix(fciBare, "9000") + "6283"}}, "A000000151000000", nil},
		{"6A87 falls back to the GP ISD", gpcard.Options{}, []scptest.Step{
			{Name: "SELECT", WantCAPDU: "00A4040000", Reply: "6A87"},
			{Name: "SELECT GP ISD", WantCAPDU: "00A4040008A00000015100000000", Reply: fciBare}}, "A000000151000000", nil},
		{"6A82 twice falls back to the OP ISD", gpcard.Options{}, []scptest.Step{
			{Name: "SELECT", WantCAPDU: "00A4040000", Reply: "6A82"},
			{Name: "SELECT GP ISD", WantCAPDU: "00A4040008A00000015100000000", Reply: "6A82"},
			{Name: "SELECT OP ISD", WantCAPDU: "00A4040008A00000000300000000", Reply: "6F0A8408A0000000030000009000"}}, "A000000003000000", nil},
		{"nothing selectable", gpcard.Options{}, []scptest.Step{
			{Name: "SELECT", WantCAPDU: "00A4040000", Reply: "6A82"},
			{Name: "SELECT GP ISD", WantCAPDU: "00A4040008A00000015100000000", Reply: "6A82"},
			{Name: "SELECT OP ISD", WantCAPDU: "00A4040008A00000000300000000", Reply: "6A82"}}, "", gpcard.ErrNoISD},
		{"other status aborts", gpcard.Options{}, []scptest.Step{{Name: "SELECT", WantCAPDU: "00A4040000", Reply: "6999"}}, "", nil},
		{"FCI without tag 84", gpcard.Options{}, []scptest.Step{{Name: "SELECT", WantCAPDU: "00A4040000", Reply: "6F03 A50100 9000"}}, "", gpcard.ErrNoISD},
		{"truncated FCI", gpcard.Options{}, []scptest.Step{{Name: "SELECT", WantCAPDU: "00A4040000", Reply: "6F28 8408A000000151000000 A51C 9000"}}, "", gpcard.ErrNoISD},
		{"explicit SD", gpcard.Options{SD: scptest.Hex(t, "A000000151535300")}, []scptest.Step{
			{Name: "SELECT SSD", WantCAPDU: "00A4040008A00000015153530000", Reply: "6F0A8408A0000001515353009000"}}, "A000000151535300", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := gpcard.Connect(context.Background(), scptest.New(t, tc.steps...), tc.opts)
			if tc.wantSD == "" {
				if err == nil || (tc.wantErr != nil && !errors.Is(err, tc.wantErr)) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
				return
			}
			if err != nil || fmt.Sprintf("%X", c.SD()) != tc.wantSD {
				t.Fatalf("Connect = %v, %v", c, err)
			}
		})
	}
}

// SELECT, then the published kaoh SCP02 session: SCP02 i=15 comes from the
// FCI, and GET STATUS P1=20 is the published wrapped command.
func TestAuthenticate_SCP02FromFCI_KaohRegistry(t *testing.T) {
	sc := scptest.New(t, scptest.Step{Name: "SELECT", WantCAPDU: "00A4040000", Reply: fciSCP02}, kaohIU, kaohEA,
		scptest.Step{Name: "GET STATUS load files", WantCAPDU: "84F220020A 4F00 BB6E71C0EFCFCF0D 00",
			Reply: "E30D4F07A00000000353509F700101E30B4F05A0000000049F700101E30B4F05325041592E9F700101E30B4F05F0000711809F700101E30C4F06A000000421209F700101E30D4F07D0D1D2D3D4D5019F7001019000"})
	c := connect(t, sc, kaohHost)
	if err := c.Authenticate(context.Background(), kpK(t), gpcard.AuthOptions{}); err != nil {
		t.Fatal(err)
	}
	reg, err := c.Registry(context.Background(), 0x20)
	if err != nil {
		t.Fatal(err)
	}
	if len(reg) != 6 || reg[0].AID.String() != "A0000000035350" || reg[5].Kind != "PKG" || reg[5].State != "LOADED" {
		t.Errorf("registry = %+v", reg)
	}
}

// kaoh scp03Test.c delete_application: SCP03 from the FCI, i=70 from
// INITIALIZE UPDATE, C-MAC + C-DEC, DELETE A00100015141434C with related.
// The recorded DELETE has no Le; GPCS 2.3.1 Table 11-19 has Le 00, which
// command.Delete sends and the C-MAC does not cover, so 00 is appended.
func TestAuthenticate_SCP03FromFCI_KaohDelete(t *testing.T) {
	sc := scptest.New(t, scptest.Step{Name: "SELECT", WantCAPDU: "00A4040000", Reply: fciSCP03},
		scptest.Step{Name: "INITIALIZE UPDATE", WantCAPDU: "8050000008B2BDE1A2DC66BD5600", Reply: "00000000000000000000 30 03 70 C40932A6FEFEAEB2 E127185170F45FCA 000015 9000"},
		scptest.Step{Name: "EXTERNAL AUTHENTICATE", WantCAPDU: "8482030010 59D54D932423D29F 6313C970875F8C2F", Reply: "9000"},
		scptest.Step{Name: "DELETE", WantCAPDU: "84E4008018 29F06AEC3180B3EFE91FF662310B945D E0D5FE66AD67A5B6 00", Reply: "009000"})
	c := connect(t, sc, "B2BDE1A2DC66BD56")
	kp := keys.NewPlain(keys.KeySet{KVN: 0x30, ENC: secret.New(scptest.Hex(t, "F995D0A069335C7DF42E590317FFEA6D")),
		MAC: secret.New(scptest.Hex(t, "58563362EC5A4541ABCD32B34B1EAE7D")), DEK: secret.New(scptest.Hex(t, "0A02A6D687406DCFA09DC70B3EDB7E38"))})
	if err := c.Authenticate(context.Background(), kp, gpcard.AuthOptions{Level: gpcard.CMAC | gpcard.CDEC}); err != nil {
		t.Fatal(err)
	}
	if err := c.Delete(context.Background(), scptest.Hex(t, "A00100015141434C"), true); err != nil {
		t.Fatal(err)
	}
}

// Without card recognition data in the FCI, one GET DATA 66 tells SCP02 i=15.
func TestAuthenticate_GetData66Fallback(t *testing.T) {
	sc := scptest.New(t, scptest.Step{Name: "SELECT", WantCAPDU: "00A4040000", Reply: fciBare},
		scptest.Step{Name: "GET DATA card data", WantCAPDU: "80CA006600", Reply: "6618 7316 06072A864886FC6B01 640B06092A864886FC6B040215 9000"},
		kaohIU, kaohEA)
	c := connect(t, sc, kaohHost)
	if err := c.Authenticate(context.Background(), kpK(t), gpcard.AuthOptions{}); err != nil {
		t.Fatal(err)
	}
}

func TestAuthenticate_NoSCPKnown(t *testing.T) {
	sc := scptest.New(t, scptest.Step{Name: "SELECT", WantCAPDU: "00A4040000", Reply: fciBare},
		scptest.Step{Name: "GET DATA card data", WantCAPDU: "80CA006600", Reply: "6A88"})
	c := connect(t, sc, kaohHost)
	if err := c.Authenticate(context.Background(), kpK(t), gpcard.AuthOptions{}); !errors.Is(err, gpcard.ErrUnknownSCP) {
		t.Fatalf("err = %v", err)
	}
}

// A wrong card cryptogram and a refused EXTERNAL AUTHENTICATE are AuthErrors
// with the lock warning; nothing is sent again (the script fails on an
// extra APDU) and no key byte appears in the message.
func TestAuthenticate_Failure_NotRetried(t *testing.T) {
	for _, tc := range []struct {
		name  string
		steps []scptest.Step
	}{
		{"wrong card cryptogram", []scptest.Step{{Name: "INITIALIZE UPDATE", WantCAPDU: kaohIU.WantCAPDU, Reply: "000074746E6E6E626262 01 02 069F AA2A0591E733 67DD78794D04315F 9000"}}},
		{"EXTERNAL AUTHENTICATE refused", []scptest.Step{kaohIU, {Name: "EXTERNAL AUTHENTICATE", WantCAPDU: kaohEA.WantCAPDU, Reply: "6300"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sc := scptest.New(t, append([]scptest.Step{{Name: "SELECT", WantCAPDU: "00A4040000", Reply: fciSCP02}}, tc.steps...)...)
			c := connect(t, sc, kaohHost)
			err := c.Authenticate(context.Background(), kpK(t), gpcard.AuthOptions{})
			var ae *gpcard.AuthError
			if !errors.As(err, &ae) || !errors.Is(err, scp.ErrAuthFailed) || ae.SCP != 2 {
				t.Fatalf("err = %v", err)
			}
			if msg := err.Error(); !strings.Contains(msg, "do not retry") || strings.Count(msg, "do not retry") != 1 || strings.Contains(strings.ToUpper(msg), keyK) {
				t.Errorf("message %q", msg)
			}
			if c.Authenticated() {
				t.Error("session open after failure")
			}
		})
	}
}

// InstallCAP costs exactly 1 SELECT + INITIALIZE UPDATE + EXTERNAL
// AUTHENTICATE + INSTALL [for load] + ceil(load file / 247) LOAD + INSTALL
// [for install and make selectable]: SCP02 C-MAC leaves 255 − 8 = 247 data
// bytes per block and the FCI allows 255. The recorder fails on any APDU
// beyond its replies; the authentication bytes are the published ones.
func TestInstallCAP_APDUCount(t *testing.T) {
	raw, err := cap.Write(cap.Spec{Format: cap.Version{Major: 2, Minor: 2},
		Packages:   []cap.Package{{AID: scptest.Hex(t, "D0D1D2D3D4"), Version: cap.Version{Major: 1}, Name: "test"}},
		Applets:    []cap.Applet{{AID: scptest.Hex(t, "D0D1D2D3D4D5"), InstallMethodOffset: 1}},
		Imports:    []cap.Import{{AID: scptest.Hex(t, "A0000000620101"), Version: cap.Version{Major: 1, Minor: 6}}},
		MethodSize: 600})
	if err != nil {
		t.Fatal(err)
	}
	f, err := cap.Parse("test.cap", raw)
	if err != nil {
		t.Fatal(err)
	}
	blocks := (len(f.LoadFile(cap.LoadOptions{})) + 246) / 247
	replies := []string{fciSCP02, kaohIU.Reply, "9000", "009000"}
	for range blocks {
		replies = append(replies, "009000")
	}
	rec := &scptest.Recorder{T: t, Replies: append(replies, "9000")}
	c := connect(t, rec, kaohHost)
	if err := c.Authenticate(context.Background(), kpK(t), gpcard.AuthOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.InstallCAP(context.Background(), f, gpcard.InstallCAPOptions{}); err != nil {
		t.Fatal(err)
	}
	if want := 1 + 2 + 1 + blocks + 1; len(rec.Sent) != want || blocks < 3 {
		t.Fatalf("%d APDUs for %d blocks, want %d", len(rec.Sent), blocks, want)
	}
	want := []string{"00A4040000", kaohIU.WantCAPDU, kaohEA.WantCAPDU, "84E60200"}
	for i := range blocks {
		p1 := "00"
		if i == blocks-1 {
			p1 = "80"
		}
		want = append(want, fmt.Sprintf("84E8%s%02X", p1, i))
	}
	want = append(want, "84E60C00")
	for i, w := range want {
		if got := fmt.Sprintf("%X", rec.Sent[i]); !strings.HasPrefix(got, strings.ReplaceAll(w, " ", "")) {
			t.Errorf("APDU %d = %s, want %s…", i, got, w)
		}
	}
	for _, b := range rec.Sent[4 : 4+blocks-1] {
		if len(b) != 5+247+8+1 {
			t.Errorf("full LOAD block of %d bytes, want %d", len(b), 5+247+8+1)
		}
	}
}

// CreateSSD with PUT KEY: INSTALL through the ISD session, SELECT the SSD,
// authenticate with its initial keys (the published session again) and
// replace KVN 01 by 02; the card confirms with the KCV of key K, 8BAF47.
func TestCreateSSD_ByPutKey(t *testing.T) {
	rec := &scptest.Recorder{T: t, Replies: []string{fciSCP02, kaohIU.Reply, "9000", "009000",
		"6F0A8408A000000151535300 9000", kaohIU.Reply, "9000", "02 8BAF47 8BAF47 8BAF47 9000"}}
	c, err := gpcard.Connect(context.Background(), rec, gpcard.Options{Rand: bytes.NewReader(scptest.Hex(t, kaohHost+kaohHost))})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Authenticate(context.Background(), kpK(t), gpcard.AuthOptions{}); err != nil {
		t.Fatal(err)
	}
	res, err := c.CreateSSD(context.Background(), gpcard.SSDOptions{AID: scptest.Hex(t, "A000000151535300"),
		InitialKeys: &gpcard.InitialKeys{Via: gpcard.ByPutKey, KVN: 2, ReplaceKVN: 1, Initial: kpK(t), Auth: gpcard.AuthOptions{SCP: 2, I: 0x15}}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Keys.KVN != 2 || res.Keys.KCV[0].String() != "8BAF47" || fmt.Sprintf("%X", c.SD()) != "A000000151535300" {
		t.Errorf("result %+v, SD %X", res.Keys, c.SD())
	}
	heads := []string{"00A4040000", "80500000", "84820100", "84E60C00", "00A4040008A000000151535300", "80500000", "84820100", "84D80181"}
	for i, h := range heads {
		if got := fmt.Sprintf("%X", rec.Sent[i]); !strings.HasPrefix(got, h) {
			t.Errorf("APDU %d = %s, want %s…", i, got, h)
		}
	}
	// PUT KEY: 3 DES keys 80 10 <16> 03 8BAF47 after KVN 02, plus the C-MAC.
	if pk := rec.Sent[7]; len(pk) != 5+1+3*22+8+1 || !bytes.Equal(pk[5:8], scptest.Hex(t, "028010")) {
		t.Errorf("PUT KEY = %X", pk)
	}
}

func TestDelete_ConditionsNotSatisfied_Hint(t *testing.T) {
	rec := &scptest.Recorder{T: t, Replies: []string{fciSCP02, kaohIU.Reply, "9000", "6985"}}
	c := connect(t, rec, kaohHost)
	if err := c.Authenticate(context.Background(), kpK(t), gpcard.AuthOptions{}); err != nil {
		t.Fatal(err)
	}
	err := c.Delete(context.Background(), scptest.Hex(t, "D0D1D2D3D4"), false)
	var se *sw.StatusError
	if !errors.As(err, &se) || se.Command != "DELETE" || !strings.Contains(err.Error(), "6985") {
		t.Fatalf("err = %v", err)
	}
}

func TestConnect_TraceSeesEveryExchange(t *testing.T) {
	var seen []string
	sc := scptest.New(t, scptest.Step{Name: "SELECT", WantCAPDU: "00A4040000", Reply: fciSCP02}, kaohIU, kaohEA)
	c, err := gpcard.Connect(context.Background(), sc, gpcard.Options{Rand: bytes.NewReader(scptest.Hex(t, kaohHost)),
		Trace: func(e reader.Exchange) { seen = append(seen, fmt.Sprintf("%X", e.Command[:2])) }})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Authenticate(context.Background(), kpK(t), gpcard.AuthOptions{}); err != nil {
		t.Fatal(err)
	}
	if strings.Join(seen, " ") != "00A4 8050 8482" {
		t.Errorf("trace saw %v", seen)
	}
}
