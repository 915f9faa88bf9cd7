package command

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"math/big"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cardhost/cardhost/gpcard/gpcrypto"
)

const (
	cplc1   = "9F7F2A4790D6004700000000003244342952208448000000000000000015278234323935320000000000000000"
	cplc2   = "9F7F2A409019154090004501008301A8186827A822000000000000000000000000000000000000000000000000"
	cplc3   = "9F7F2A4750006100008303008000E692E082BE675C72877301FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"
	crd1    = "664D734B06072A864886FC6B01600B06092A864886FC6B020203630906072A864886FC6B03640B06092A864886FC6B040370650D060B2A864886FC6B0507020000660C060A2B060104012A026E0103"
	crd2    = "664D734B06072A864886FC6B01600B06092A864886FC6B020203630906072A864886FC6B03640B06092A864886FC6B040255650D060B2A864886FC6B0507020000660C060A2B060104012A026E0103"
	crdMB   = "663F733D06072A864886FC6B01600C060A2A864886FC6B02020301630906072A864886FC6B03640B06092A864886FC6B040360640C060A2A864886FC6B04119B06"
	cap1    = "6724A0098001028104153555758103E5BEC082031E030083010284010285017B86010C87017B"
	gsSCP02 = "E30D4F07A00000000353509F700101E30B4F05A0000000049F700101E30B4F05325041592E9F700101E30B4F05F0000711809F700101E30C4F06A000000421209F700101E30D4F07D0D1D2D3D4D5019F700101"
	gsLF    = "E3194F07A00000006200019F70020100CE020100CC05A000000151E3194F07A00000006201019F70020100CE020105CC05A000000151E3194F07A00000006201029F70020100CE020105CC05A000000151E3194F07A00000006202019F70020100CE020105CC05A000000151E3224F10A0000000090003FFFFFFFF89107100019F70020100CE020202CC05A000000151E3224F10A0000000090003FFFFFFFF89107100029F70020100CE020206CC05A000000151E3194F07A00000006200029F70020100CE020100CC05A000000151E3224F10A0000000090005FFFFFFFF89120000649F70020100CE020100CC05A000000151"
	gsApps  = "E33E4F10A0000005591010FFFFFFFF89000010009F70013FC50380C000C407A0000001515350CE020100CC10A0000005591010FFFFFFFF8900000100EA028000E3394F10A0000000871002FF01FF4189000001009F70020700C503000000C40CA000000095000000004E0001CE020100CC05A000000151EA028000E3304F09A000000559101000019F70020700C503000000C407A0000001515350CE020100CC08A000000151000000EA028000E3304F09A000000559101000029F70020700C503000000C407A0000001515350CE020100CC08A000000151000000EA028000"
	gsISD   = "E3324F08A0000001510000009F70020F00C50382FC80C407A0000001515350CE020100CC08A000000151000000EA058003008000"
	fci     = "6F5D8408A000000151000000A551734B06072A864886FC6B01600B06092A864886FC6B020203630906072A864886FC6B03640B06092A864886FC6B040370650D060B2A864886FC6B0507020000660C060A2B060104012A026E01039F6501FF"
)

func TestParseCPLC_Kaoh(t *testing.T) {
	// kaoh getDataTest.c test_parse_cplc_vector_1..3: field values from the asserts.
	tests := []struct {
		name                       string
		in                         string
		fab, typ, serial, ppeid    string
		osDate, prePerso, persoEID string
	}{
		{"kaoh getDataTest.c vector 1", cplc1, "4790", "D600", "34295220", "32393532", "0000", "1527", "00000000"},
		{"kaoh getDataTest.c vector 2", cplc2, "4090", "1915", "A8186827", "00000000", "0045", "0000", "00000000"},
		{"kaoh getDataTest.c vector 3", cplc3, "4750", "0061", "92E082BE", "FFFFFFFF", "8303", "FFFF", "FFFFFFFF"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := ParseCPLC(h(t, tc.in))
			if err != nil {
				t.Fatal(err)
			}
			got := []string{hx(c.ICFabricator[:]), hx(c.ICType[:]), hx(c.ICSerialNumber[:]), hx(c.ICPrePersonalizationEquipmentID[:]),
				hx(c.OperatingSystemReleaseDate[:]), hx(c.ICPrePersonalizer[:]), hx(c.ICPersonalizationEquipmentID[:])}
			want := []string{tc.fab, tc.typ, tc.serial, tc.ppeid, tc.osDate, tc.prePerso, tc.persoEID}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("got %v want %v", got, want)
			}
			if !bytes.Equal(c.Bytes(), h(t, tc.in)) {
				t.Fatal("Bytes does not round-trip")
			}
		})
	}
}

func hx(b []byte) string { return strings.ToUpper(hex.EncodeToString(b)) }

func TestParseCPLC_Errors(t *testing.T) {
	for name, in := range map[string]string{
		"no tag":          cplc1[6:],
		"truncated":       cplc1[:len(cplc1)-2],
		"trailing byte":   cplc1 + "00",
		"short length 29": "9F7F29" + cplc1[6:len(cplc1)-2],
		"wrong tag":       "9F7E" + cplc1[4:],
	} {
		if _, err := ParseCPLC(h(t, in)); err == nil {
			t.Errorf("%s accepted", name)
		}
	}
	// gp-card.md §1.4: 45-byte CPLCs exist; extra bytes are kept.
	c, err := ParseCPLC(h(t, "9F7F2D"+cplc1[6:]+"010203"))
	if err != nil || !bytes.Equal(c.Extra, h(t, "010203")) {
		t.Fatalf("45-byte CPLC: %v %X", err, c.Extra)
	}
}

func TestCPLCDate(t *testing.T) {
	now := time.Date(2024, time.June, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct{ in, want string }{
		{"6351", "2016-12-16"}, // clients.md gp -i example
		{"3244", "2023-09-01"},
		{"4153", "2024-06-01"},
		{"4154", "2014-06-03"}, // tomorrow in 2024 → previous decade
		{"0000", ""}, {"FFFF", ""}, {"8366", ""}, {"1A00", ""}, {"2000", ""},
	}
	for _, tc := range tests {
		d, err := CPLCDate([2]byte(h(t, tc.in)), now)
		if tc.want == "" {
			if err == nil {
				t.Errorf("%s: accepted as %v", tc.in, d)
			}
			continue
		}
		if err != nil || d.Format(time.DateOnly) != tc.want {
			t.Errorf("%s: %v %v, want %s", tc.in, d, err, tc.want)
		}
	}
}

var fixedNow = time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)

func TestFormatCPLC(t *testing.T) {
	c, err := ParseCPLC(h(t, cplc1))
	if err != nil {
		t.Fatal(err)
	}
	out := FormatCPLC(c, time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC))
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 18 {
		t.Fatalf("%d lines", len(lines))
	}
	// clients.md: "CPLC: ICFabricator=4790", six-space continuation, "(invalid date format)".
	for i, want := range map[int]string{
		0: "CPLC: ICFabricator=4790",
		3: "      OperatingSystemReleaseDate=0000 (invalid date format)",
		5: "      ICFabricationDate=3244 (2023-09-01)",
		6: "      ICSerialNumber=34295220",
	} {
		if lines[i] != want {
			t.Errorf("line %d = %q, want %q", i, lines[i], want)
		}
	}
}

func TestParseCardData_Kaoh(t *testing.T) {
	tests := []struct {
		name, in, version string
		scps              []SCPOption
		chip              string
	}{
		// kaoh asserts "2.2.3" for OID 1.2.840.114283.2.2.3; GPCS Table H-1 puts the
		// version after 1.2.840.114283.2 (clients.md: ….2.2.1.1 → 2.1.1), so "2.3".
		{"kaoh getDataTest.c vector 1", crd1, "2.3", []SCPOption{{3, 0x70}}, "1.3.6.1.4.1.42.2.110.1.3"},
		{"kaoh getDataTest.c vector 2", crd2, "2.3", []SCPOption{{2, 0x55}}, "1.3.6.1.4.1.42.2.110.1.3"},
		{"kaoh getDataTest.c multibyte i", crdMB, "2.3.1", []SCPOption{{3, 0x60}, {0x11, 3462}}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cd, err := ParseCardData(h(t, tc.in))
			if err != nil {
				t.Fatal(err)
			}
			if !cd.GPCard || cd.Version != tc.version || !reflect.DeepEqual(cd.SCPs, tc.scps) || cd.ChipOID != tc.chip {
				t.Fatalf("%+v", cd)
			}
		})
	}
	cd, _ := ParseCardData(h(t, crd1))
	if cd.ConfigurationOID != "1.2.840.114283.5.7.2.0.0" || cd.SCPs[0].String() != "SCP03 i=70" {
		t.Fatalf("%+v", cd)
	}
}

func TestParseCardData_Errors(t *testing.T) {
	for name, in := range map[string]string{
		"truncated":        crd1[:len(crd1)-2],
		"trailing":         crd1 + "00",
		"wrong outer tag":  "67" + crd1[2:],
		"no 73":            "6603740100",
		"SCP OID wrong":    "66097307640506032A0304",
		"OID unterminated": "660773056403060188",
	} {
		if _, err := ParseCardData(h(t, in)); err == nil {
			t.Errorf("%s accepted", name)
		}
	}
}

func TestParseFCI(t *testing.T) {
	// clients.md §1.2 full form: 6F{84 ISD, A5{73 (kaoh vector 1 content), 9F65 01 FF (gp-card.md §1.11)}}.
	f, err := ParseFCI(h(t, fci))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(f.AID, h(t, isd)) || f.MaxCommandData != 255 || f.CardData == nil || f.CardData.SCPs[0] != (SCPOption{3, 0x70}) {
		t.Fatalf("%+v", f)
	}
	// clients.md: missing A5 is only a warning.
	if f, err = ParseFCI(h(t, "6F0A8408"+isd)); err != nil || f.CardData != nil || f.Proprietary != nil {
		t.Fatalf("no A5: %+v %v", f, err)
	}
	// unknown tags are tolerated (ISO/IEC 7816-4 §5.3.3).
	if _, err = ParseFCI(h(t, "6F0D8408"+isd+"500141")); err != nil {
		t.Fatal(err)
	}
	for name, in := range map[string]string{
		"no 84": "6F035001AA", "empty 84": "6F028400", "trailing": fci + "9000", "truncated": fci[:len(fci)-2],
		"9F65 too long": "6F148408" + isd + "A5089F6504010203049", "not 6F": "6E028400",
	} {
		if _, err := ParseFCI(h(t, in+strings.Repeat("0", len(in)%2))); err == nil {
			t.Errorf("%s accepted", name)
		}
	}
}

func TestParseCardCapability_Kaoh(t *testing.T) {
	c, err := ParseCardCapability(h(t, cap1))
	if err != nil {
		t.Fatal(err)
	}
	// kaoh getDataTest.c test_parse_card_capability_vector_1 asserts.
	if len(c.SCPs) != 1 || c.SCPs[0].SCP != 2 || !bytes.Equal(c.SCPs[0].Options, h(t, "15355575")) ||
		c.SSDPrivileges != (Privileges{0xE5, 0xBE, 0xC0}) || c.AppPrivileges != (Privileges{0x1E, 0x03, 0x00}) ||
		!bytes.Equal(c.LFDBHashAlgorithms, []byte{2}) || !bytes.Equal(c.TokenCipherSuites, []byte{0x7B}) ||
		!bytes.Equal(c.ReceiptCipherSuites, []byte{0x0C}) || !bytes.Equal(c.DAPCipherSuites, []byte{0x7B}) {
		t.Fatalf("%+v", c)
	}
	// kaoh test_parse_card_capability_vector_2_invalid: card data is not capability info.
	if _, err := ParseCardCapability(h(t, "6658735606072A864886FC6B01600B06092A864886FC6B020202630906072A864886FC6B03640B06092A864886FC6B048000640B06092A864886FC6B040370650B06092A864886FC6B020101660C060A2B060104012A026E0102")); err == nil {
		t.Fatal("vector 2 accepted")
	}
}

func TestParseCardResources(t *testing.T) {
	tests := []struct {
		name, in string
		want     CardResources
	}{
		{"gp-card.md §1.4 live UICC", "FF210B81010D8202C5D683020962", CardResources{13, 50646, 2402}},
		{"kaoh getDataTest.c", "FF211081020002820400016DB483040000086A", CardResources{2, 0x16DB4, 0x86A}},
	}
	for _, tc := range tests {
		if got, err := ParseCardResources(h(t, tc.in)); err != nil || got != tc.want {
			t.Errorf("%s: %+v %v", tc.name, got, err)
		}
	}
	if _, err := ParseCardResources(h(t, "FF2106810101820100")); err == nil {
		t.Error("missing 83 accepted")
	}
}

func TestGetDataSimpleObjects(t *testing.T) {
	// clients.md gp -i prints "IIN: 4203000000", the whole data object.
	if v, err := ParseDataObject(TagIIN, h(t, "4203000000")); err != nil || !bytes.Equal(v, h(t, "000000")) {
		t.Fatalf("IIN %X %v", v, err)
	}
	if n, err := ParseSequenceCounter(h(t, "C103000015")); err != nil || n != 0x15 { // vectors.md §5 counter 000015
		t.Fatalf("C1 %d %v", n, err)
	}
	if k, err := ParseKDD(h(t, "CF0A000074746E6E6E626262")); err != nil || !bytes.Equal(k, h(t, "000074746E6E6E626262")) { // vectors.md §2 KDD
		t.Fatalf("CF %X %v", k, err)
	}
	for name, f := range map[string]func() error{
		"C1 1 byte":  func() error { _, err := ParseSequenceCounter(h(t, "C10101")); return err },
		"CF 9 bytes": func() error { _, err := ParseKDD(h(t, "CF09000074746E6E6E6262")); return err },
		"42 as 45":   func() error { _, err := ParseDataObject(TagCIN, h(t, "4201AA")); return err },
	} {
		if f() == nil {
			t.Errorf("%s accepted", name)
		}
	}
}

func TestParseKeyInfo(t *testing.T) {
	// gp-card.md §1.10: C0 04 01 70 80 10 = KID 1, KVN 70, DES, 16 bytes.
	ks, err := ParseKeyInfo(h(t, "E006C00401708010"))
	if err != nil || len(ks) != 1 || ks[0].ID != 1 || ks[0].Version != 0x70 || ks[0].Components[0] != (KeyComponent{0x80, 16}) {
		t.Fatalf("%+v %v", ks, err)
	}
	// layout GPCS 2.3.1 §11.3.3.1 extended: KID KVN FF 88 0010 LV(usage) LV(access); empty C0 skipped.
	ks, err = ParseKeyInfo(h(t, "E00EC00A0130FF880010013C0100C000"))
	if err != nil || len(ks) != 1 || !ks[0].Extended || ks[0].Components[0] != (KeyComponent{0x88, 16}) ||
		!bytes.Equal(ks[0].Usage, []byte{0x3C}) || !bytes.Equal(ks[0].Access, []byte{0}) {
		t.Fatalf("%+v %v", ks, err)
	}
	for name, in := range map[string]string{
		"odd basic":      "E007C005017080108",
		"short entry":    "E005C003017080",
		"ext truncated":  "E008C0060130FF8800",
		"ext no access":  "E00DC0090130FF880010013C",
		"ext trailing":   "E00FC00B0130FF880010013C0100AA",
		"wrong template": "E106C00401708010",
	} {
		if _, err := ParseKeyInfo(h(t, in+strings.Repeat("0", len(in)%2))); err == nil {
			t.Errorf("%s accepted", name)
		}
	}
}

func TestParseGetStatus_Kaoh(t *testing.T) {
	lf, err := ParseGetStatus(h(t, gsSCP02), ScopeLoadFiles, FormatTLV)
	if err != nil || len(lf) != 6 || !bytes.Equal(lf[5].AID, h(t, "D0D1D2D3D4D501")) || lf[5].LifeCycle != 1 || lf[5].Kind != KindPkg {
		t.Fatalf("kaoh scp02Test.c: %+v %v", lf, err)
	}
	lf, err = ParseGetStatus(h(t, gsLF), ScopeLoadFiles, FormatTLV)
	if err != nil || len(lf) != 8 || !bytes.Equal(lf[7].AID, h(t, "A0000000090005FFFFFFFF8912000064")) ||
		!bytes.Equal(lf[7].Version, h(t, "0100")) || !bytes.Equal(lf[0].AssociatedSD, h(t, "A000000151")) {
		t.Fatalf("kaoh scp03Test.c P1=20: %+v %v", lf, err)
	}
	apps, err := ParseGetStatus(h(t, gsApps), ScopeApps, FormatTLV)
	if err != nil || len(apps) != 4 || apps[0].Kind != KindSSD || apps[0].LifeCycle != 0x3F ||
		apps[0].Privileges != (Privileges{0x80, 0xC0, 0}) || !bytes.Equal(apps[0].AssociatedSD, h(t, "A0000005591010FFFFFFFF8900000100")) ||
		len(apps[3].AID) != 9 || apps[3].LifeCycle != 7 || apps[3].Kind != KindApp {
		t.Fatalf("kaoh scp03Test.c P1=40: %+v %v", apps, err)
	}
	sd, err := ParseGetStatus(h(t, gsISD), ScopeISD, FormatTLV)
	if err != nil || len(sd) != 1 || sd[0].LifeCycle != CardSecured || sd[0].Kind != KindISD ||
		sd[0].Privileges.String() != "SecurityDomain, CVMManagement, TrustedPath, AuthorizedManagement, TokenVerification, GlobalDelete, GlobalLock, GlobalRegistry, ReceiptGeneration" {
		t.Fatalf("kaoh scp03Test.c P1=80: %+v %v", sd, err)
	}
	mods, err := ParseGetStatus(h(t, gsLF), ScopeLoadFilesAndModule, FormatTLV)
	if err != nil || !bytes.Equal(mods[1].AID, h(t, "A0000000620101")) || !bytes.Equal(mods[1].Version, h(t, "0105")) || len(mods[0].Modules) != 0 {
		t.Fatalf("kaoh scp03Test.c P1=10: %+v %v", mods, err)
	}
	one, err := ParseGetStatus(h(t, "E30D4F07A00000015153509F700101"), ScopeLoadFiles, FormatTLV)
	if err != nil || len(one) != 1 || !bytes.Equal(one[0].AID, h(t, sdPkg)) {
		t.Fatalf("kaoh scp03Test.c aes_192: %+v %v", one, err)
	}
	st, err := ParseGetStatus(h(t, "E33A4F10A0000005591010FFFFFFFF89000002009F70010FC50382FC80C40BD276000005AAFFCAFE0001CC10A0000005591010FFFFFFFF8900000200"), ScopeApps, FormatTLV)
	if err != nil || st[0].Privileges != (Privileges{0x82, 0xFC, 0x80}) || st[0].Kind != KindSSD || !bytes.Equal(st[0].LoadFile, h(t, "D276000005AAFFCAFE0001")) {
		t.Fatalf("kaoh statusTest.c: %+v %v", st, err)
	}
}

func TestGetStatus_RoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name  string
		in    string
		scope StatusScope
	}{{"kaoh scp02Test.c", gsSCP02, ScopeLoadFiles}, {"kaoh scp03Test.c aes_192", "E30D4F07A00000015153509F700101", ScopeLoadFiles}} {
		es, err := ParseGetStatus(h(t, tc.in), tc.scope, FormatTLV)
		if err != nil {
			t.Fatal(err)
		}
		if got := EncodeGetStatus(es, tc.scope, FormatTLV); !bytes.Equal(got, h(t, tc.in)) {
			t.Errorf("%s: re-encoded %X", tc.name, got)
		}
	}
	// Legacy layout (GPCS 2.3.1 §11.4.3.1): ISD entry, then a load file with two modules.
	isdRec := "08" + isd + "0F9E"
	es, err := ParseGetStatus(h(t, isdRec), ScopeISD, FormatLegacy)
	if err != nil || len(es) != 1 || es[0].Privileges[0] != 0x9E || es[0].LifeCycle != CardSecured {
		t.Fatalf("legacy ISD: %+v %v", es, err)
	}
	mod := "07" + sdPkg + "0100" + "02" + "08" + sdModule + "08" + "A000000151535042"
	es, err = ParseGetStatus(h(t, mod), ScopeLoadFilesAndModule, FormatLegacy)
	if err != nil || len(es[0].Modules) != 2 {
		t.Fatalf("legacy modules: %+v %v", es, err)
	}
	if got := EncodeGetStatus(es, ScopeLoadFilesAndModule, FormatLegacy); !bytes.Equal(got, h(t, mod)) {
		t.Fatalf("legacy round trip %X", got)
	}
}

func TestParseGetStatus_Errors(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		scope StatusScope
		f     StatusFormat
	}{
		{"TLV truncated", gsSCP02[:len(gsSCP02)-2], ScopeLoadFiles, FormatTLV},
		{"TLV trailing byte", gsSCP02 + "00", ScopeLoadFiles, FormatTLV},
		{"TLV not E3", "E20D4F07A00000000353509F700101", ScopeLoadFiles, FormatTLV},
		{"TLV no 9F70", "E3094F07A0000000035350", ScopeLoadFiles, FormatTLV},
		{"TLV C5 two bytes", "E3124F07A00000000353509F700101C5028000", ScopeApps, FormatTLV},
		{"TLV short AID", "E3094F03A000009F700101", ScopeApps, FormatTLV},
		{"legacy truncated", "08" + isd + "0F", ScopeISD, FormatLegacy},
		{"legacy module truncated", "07" + sdPkg + "01000108A0000001", ScopeLoadFilesAndModule, FormatLegacy},
		{"unset format", gsSCP02, ScopeLoadFiles, 0},
	}
	for _, tc := range tests {
		if _, err := ParseGetStatus(h(t, tc.in), tc.scope, tc.f); err == nil {
			t.Errorf("%s accepted", tc.name)
		}
	}
}

func TestPrivileges(t *testing.T) {
	// clients.md gp -l ISD example; bits per gp-card.md §1.2.
	names := "SecurityDomain, CardLock, CardTerminate, CVMManagement, TrustedPath, AuthorizedManagement, TokenVerification, GlobalDelete, GlobalLock, GlobalRegistry, FinalApplication, ReceiptGeneration"
	p, err := ParsePrivilegeNames(strings.Split(strings.ToLower(names), ","))
	if err != nil || p != (Privileges{0x9A, 0xFE, 0x80}) || p.String() != names {
		t.Fatalf("%X %q %v", p, p.String(), err)
	}
	if p, _ := ParsePrivilegeNames([]string{"MandatedDAPVerification"}); p != (Privileges{0xC1, 0, 0}) ||
		p.String() != "SecurityDomain, DAPVerification, MandatedDAPVerification" {
		t.Fatalf("mandated DAP %X %s", p, p)
	}
	if p, _ := ParsePrivilegeNames([]string{"DelegatedManagement", "PrivacyTrusted", "GlobalService"}); p != (Privileges{0xA0, 0x01, 0x08}) {
		t.Fatalf("DM %X", p)
	}
	if _, err := ParsePrivilegeNames([]string{"Root"}); err == nil || !strings.Contains(err.Error(), "Root") {
		t.Fatalf("unknown name: %v", err)
	}
	dm, _ := ParsePrivilegeNames([]string{"DelegatedManagement", "PrivacyTrusted"})
	if !dm.Has("privacytrusted") || !dm.Has("SecurityDomain") || dm.Has("CardReset") || dm.Has("nope") {
		t.Fatal("Has")
	}
	for _, n := range privilegeTable {
		q, err := ParsePrivilegeNames([]string{n.name})
		if err != nil || !q.Has(n.name) {
			t.Errorf("%s does not round-trip", n.name)
		}
	}
	if _, err := ParsePrivileges([]byte{1, 2}); err == nil {
		t.Fatal("2-byte privileges accepted")
	}
}

func TestLifeCycleNames(t *testing.T) {
	// clients.md name lists; codes gp-card.md §1.3.
	tests := []struct {
		k    Kind
		s    byte
		want string
	}{
		{KindISD, 0x01, "OP_READY"}, {KindISD, 0x07, "INITIALIZED"}, {KindISD, 0x0F, "SECURED"}, {KindISD, 0x7F, "CARD_LOCKED"}, {KindISD, 0xFF, "TERMINATED"},
		{KindSSD, 0x03, "INSTALLED"}, {KindSSD, 0x07, "SELECTABLE"}, {KindSSD, 0x0F, "PERSONALIZED"}, {KindSSD, 0x83, "LOCKED"}, {KindSSD, 0x8F, "LOCKED"},
		{KindApp, 0x03, "INSTALLED"}, {KindApp, 0x07, "SELECTABLE"}, {KindApp, 0x3F, "SELECTABLE"}, {KindApp, 0x87, "LOCKED"},
		{KindPkg, 0x01, "LOADED"}, {KindPkg, 0x00, "LOGICALLY_DELETED"}, {KindISD, 0x03, "0x03"}, {KindApp, 0x05, "0x05"},
	}
	for _, tc := range tests {
		if got := LifeCycleName(tc.k, tc.s); got != tc.want {
			t.Errorf("%s %02X = %s, want %s", tc.k, tc.s, got, tc.want)
		}
	}
}

func TestFormatRegistry_ClientsMD(t *testing.T) {
	// clients.md §1.3 gp -l example without the verbose "(name)" suffixes.
	want := `ISD: A000000151000000 (OP_READY)
     Parent:   A000000151000000
     From:     A0000001515350
     Privs:    SecurityDomain, CardLock, CardTerminate, CVMManagement, TrustedPath, AuthorizedManagement, TokenVerification, GlobalDelete, GlobalLock, GlobalRegistry, FinalApplication, ReceiptGeneration

APP: A048656C6C6F576F726C64 (SELECTABLE)
     Parent:   A000000151000000
     From:     A048656C6C6F576F726C64
     Privs:    CardReset

PKG: A0000001515350 (LOADED)
     Parent:   A000000151000000
     Version:  255.255
     Applet:   A000000151535041

`
	hello := h(t, "A048656C6C6F576F726C64")
	entries := []RegistryEntry{
		{Kind: KindISD, AID: h(t, isd), LifeCycle: 0x01, Privileges: Privileges{0x9A, 0xFE, 0x80}, AssociatedSD: h(t, isd), LoadFile: h(t, sdPkg)},
		{Kind: KindApp, AID: hello, LifeCycle: 0x07, Privileges: Privileges{0x04}, AssociatedSD: h(t, isd), LoadFile: hello},
		{Kind: KindPkg, AID: h(t, sdPkg), LifeCycle: 0x01, AssociatedSD: h(t, isd), Version: []byte{0xFF, 0xFF}, Modules: [][]byte{h(t, sdModule)}},
	}
	if got := FormatRegistry(entries); got != want {
		t.Fatalf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestTokenData_AndSigning(t *testing.T) {
	c, err := InstallForLoad(InstallForLoadParams{LoadFile: h(t, openFIPS), SecurityDomain: h(t, isd), System: SystemParams{NonVolatileCode: 0x68F8}})
	if err != nil {
		t.Fatal(err)
	}
	// GPCS 2.3.1 §C.4 layout: P1 P2 Lc(without token) data(without token LV), from the GPShell trace command.
	want := h(t, "02001B09"+openFIPS+"08"+isd+"0006EF04C60268F8")
	dtbs, err := TokenData(c)
	if err != nil || !bytes.Equal(dtbs, want) {
		t.Fatalf("token data %X %v", dtbs, err)
	}
	key, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	sig, err := SignToken(key, TokenRSAPKCS1SHA1, dtbs, rand.Reader)
	d1 := sha1.Sum(dtbs)
	if err != nil || rsa.VerifyPKCS1v15(&key.PublicKey, crypto.SHA1, d1[:], sig) != nil {
		t.Fatalf("RSA token: %v", err)
	}
	sig, err = SignToken(key, TokenRSAPSSSHA256, dtbs, rand.Reader)
	d2 := sha256.Sum256(dtbs)
	if err != nil || rsa.VerifyPSS(&key.PublicKey, crypto.SHA256, d2[:], sig, nil) != nil {
		t.Fatalf("PSS token: %v", err)
	}
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	sig, err = SignToken(ec, TokenECDSASHA256, dtbs, rand.Reader)
	if err != nil || len(sig) != 64 || !ecdsa.Verify(&ec.PublicKey, d2[:], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])) {
		t.Fatalf("ECDSA token: %d %v", len(sig), err)
	}
	tok, err := WithToken(c, sig)
	if err != nil || !bytes.HasSuffix(tok.Data, append([]byte{0x40}, sig...)) || !bytes.HasPrefix(tok.Data, want[3:]) {
		t.Fatalf("WithToken: %X %v", tok.Data, err)
	}
	if _, err := TokenData(tok); err == nil {
		t.Fatal("token data of a tokenised INSTALL accepted")
	}
	del, _ := Delete(h(t, isd), false, nil)
	if d, err := TokenData(del); err != nil || !bytes.Equal(d, h(t, "00000A4F08"+isd)) {
		t.Fatalf("DELETE token data %X %v", d, err)
	}
	if del, err = WithToken(del, []byte{1, 2}); err != nil || !bytes.HasSuffix(del.Data, h(t, "9E020102")) {
		t.Fatalf("DELETE with token %X %v", del.Data, err)
	}
	if _, err := TokenData(GetData(TagCPLC)); err == nil {
		t.Fatal("GET DATA token accepted")
	}
}

func TestReceipt(t *testing.T) {
	if _, ok, err := ParseReceipt([]byte{0}); ok || err != nil {
		t.Fatal("00 must mean no receipt")
	}
	// No public receipt vector exists; the MAC comes from gpcrypto.CMAC (another package).
	key := h(t, "404142434445464748494A4B4C4D4E4F")
	conf := h(t, "02000103"+"0A0102030405060708090A"[:8])
	ctx, err := ReceiptContext(h(t, sdPkg), h(t, isd))
	if err != nil {
		t.Fatal(err)
	}
	mac, _ := gpcrypto.CMAC(key, append(append([]byte{}, conf...), ctx...))
	body := append(append([]byte{byte(len(mac))}, mac...), conf...)
	r, ok, err := ParseReceipt(append([]byte{byte(len(body))}, body...))
	if err != nil || !ok || !bytes.Equal(r.Confirmation, conf) {
		t.Fatalf("%+v %v", r, err)
	}
	if err := VerifyAESReceipt(key, r, ctx); err != nil {
		t.Fatal(err)
	}
	r.Value[0] ^= 1
	if err := VerifyAESReceipt(key, r, ctx); err == nil || strings.Contains(err.Error(), "4041") {
		t.Fatalf("tampered receipt: %v", err)
	}
	for _, bad := range []string{"", "05AA", "0310AA"} {
		if _, _, err := ParseReceipt(h(t, bad)); err == nil {
			t.Errorf("ParseReceipt(%s) accepted", bad)
		}
	}
}
