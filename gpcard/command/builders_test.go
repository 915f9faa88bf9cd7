package command

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/skythen/apdu"
)

func h(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

func mustBytes(t *testing.T, c apdu.Capdu, err error) []byte {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	b, err := c.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var (
	isd      = "A000000151000000"
	sdPkg    = "A0000001515350"
	sdModule = "A000000151535041"
	wallet   = "53746174757357616C6C6574"       // "StatusWallet"
	walletAp = "53746174757357616C6C6574417070" // "StatusWalletApp"
	openFIPS = "A00000030800001000"
	kDES     = "EFBEE6C6D99D7B70BDE9D7E927F020AF" // vectors.md §4: 3DES-ECB(S-DEK seq 0000, K)
)

func TestBuilders_Transcripts(t *testing.T) {
	tests := []struct {
		name string
		want string
		fn   func() (apdu.Capdu, error)
	}{
		{"clients.md §1.2 ISD discovery", "00A4040000", func() (apdu.Capdu, error) { return Select(nil) }},
		{"clients.md §1.2 SELECT ISD", "00A4040008" + isd + "00", func() (apdu.Capdu, error) { return Select(h(t, isd)) }},
		{"kaoh scp03Test.c GET STATUS apps", "80F24002024F0000", func() (apdu.Capdu, error) { return GetStatus(ScopeApps, FormatTLV, false, nil) }},
		{"clients.md GET STATUS P1=20", "80F22002024F0000", func() (apdu.Capdu, error) { return GetStatus(ScopeLoadFiles, FormatTLV, false, nil) }},
		{"clients.md GET STATUS P1=10", "80F21002024F0000", func() (apdu.Capdu, error) { return GetStatus(ScopeLoadFilesAndModule, FormatTLV, false, nil) }},
		{"clients.md GET STATUS next P2=03", "80F24003024F0000", func() (apdu.Capdu, error) { return GetStatus(ScopeApps, FormatTLV, true, nil) }},
		{"clients.md GET STATUS legacy P2=00", "80F28000024F0000", func() (apdu.Capdu, error) { return GetStatus(ScopeISD, FormatLegacy, false, nil) }},
		{"gp-card.md §1.4 live UICC legacy next", "80F24001024F0000", func() (apdu.Capdu, error) { return GetStatus(ScopeApps, FormatLegacy, true, nil) }},
		{"gp-card.md §1.4 GET DATA CPLC", "80CA9F7F00", func() (apdu.Capdu, error) { return GetData(TagCPLC), nil }},
		{"clients.md §5 GET DATA 66", "80CA006600", func() (apdu.Capdu, error) { return GetData(TagCardData), nil }},
		{"gp-card.md §1.4 GET DATA 2F00 tag list 5C00", "80CA2F00025C0000", func() (apdu.Capdu, error) { return GetDataTagList(TagApplicationList, nil) }},
		{"GPShell trace line 43 INSTALL [for load]", "80E602001C09" + openFIPS + "08" + isd + "0006EF04C60268F80000", func() (apdu.Capdu, error) {
			return InstallForLoad(InstallForLoadParams{LoadFile: h(t, openFIPS), SecurityDomain: h(t, isd), System: SystemParams{NonVolatileCode: 0x68F8}})
		}},
		{"gp-card.md §1.6 layout INSTALL [for personalization]", "80E620000E000008" + isd + "00000000", func() (apdu.Capdu, error) { return InstallForPersonalization(h(t, isd)) }},
		{"gp-card.md §1.5 layout INSTALL [for install+make selectable] SSD SCP03 i=70", "80E60C002607" + sdPkg + "08" + sdModule + "08" + "A000000151535301" + "0380C000" + "06C904810203700000", func() (apdu.Capdu, error) {
			return InstallForInstall(InstallForInstallParams{LoadFile: h(t, sdPkg), Module: h(t, sdModule), Application: h(t, "A000000151535301"),
				Privileges: h(t, "80C000"), Params: InstallParams{Application: SDParams(0x03, 0x70)}, MakeSelectable: true})
		}},
		{"clients.md §1.2 DELETE related", "80E400800A4F08" + isd + "00", func() (apdu.Capdu, error) { return Delete(h(t, isd), true, nil) }},
		{"clients.md §1.2 DELETE", "80E40000094F07" + sdPkg + "00", func() (apdu.Capdu, error) { return Delete(h(t, sdPkg), false, nil) }},
		{"clients.md §1.2 DELETE key D0/D2", "80E4000006D00101D2013000", func() (apdu.Capdu, error) {
			kid, kvn := byte(1), byte(0x30)
			return DeleteKey(&kid, &kvn)
		}},
		{"gp-card.md §1.7 PUT KEY DES replace 20→21 (vectors.md §4 cryptogram, KCV 8BAF47)",
			"80D8208143" + "21" + strings.Repeat("8010"+kDES+"038BAF47", 3) + "00", func() (apdu.Capdu, error) {
				k := WrappedKey{Type: KeyTypeDES, Cryptogram: h(t, kDES), KCV: h(t, "8BAF47")}
				return PutKey(PutKeyParams{ReplaceKVN: 0x20, NewKVN: 0x21, FirstKID: 1, Keys: []WrappedKey{k, k, k}})
			}},
		{"gp-card.md §1.7 layout PUT KEY AES-128 add KVN 30 (KCV 504A77)",
			"80D8008146" + "30" + strings.Repeat("881110"+strings.Repeat("11", 16)+"03504A77", 3) + "00", func() (apdu.Capdu, error) {
				k := WrappedKey{Type: KeyTypeAES, ClearLength: 0x10, Cryptogram: bytes.Repeat([]byte{0x11}, 16), KCV: h(t, "504A77")}
				return PutKey(PutKeyParams{NewKVN: 0x30, FirstKID: 1, Keys: []WrappedKey{k, k, k}})
			}},
		{"gp-card.md §1.7 layout PUT KEY AES-256 data length 118", "80D8008176" + "31" + strings.Repeat("882120"+strings.Repeat("22", 32)+"03504A77", 3) + "00", func() (apdu.Capdu, error) {
			k := WrappedKey{Type: KeyTypeAES, ClearLength: 0x20, Cryptogram: bytes.Repeat([]byte{0x22}, 32), KCV: h(t, "504A77")}
			return PutKey(PutKeyParams{NewKVN: 0x31, FirstKID: 1, Keys: []WrappedKey{k, k, k}})
		}},
		{"gp-card.md §1.3 layout SET STATUS card locked", "80F0807F", func() (apdu.Capdu, error) { return SetCardLifeCycle(CardLocked), nil }},
		{"gp-card.md §1.3 layout SET STATUS lock app", "80F0408008" + isd, func() (apdu.Capdu, error) { return LockApplication(h(t, isd), true) }},
		{"gp-card.md §1.3 layout SET STATUS unlock app", "80F0400008" + isd, func() (apdu.Capdu, error) { return LockApplication(h(t, isd), false) }},
		{"gp-card.md §1.3 layout SET STATUS SD and apps", "80F0600F08" + isd, func() (apdu.Capdu, error) { return SetApplicationLifeCycle(h(t, isd), SDPersonalized, true) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := tc.fn()
			if got := mustBytes(t, c, err); !bytes.Equal(got, h(t, tc.want)) {
				t.Fatalf("got  %X\nwant %s", got, tc.want)
			}
		})
	}
}

func TestInstall_RustCrateData(t *testing.T) {
	// Rust GP install.rs unit tests: command data fields (they send no Le).
	c, err := InstallForLoad(InstallForLoadParams{LoadFile: h(t, wallet), SecurityDomain: h(t, isd)})
	if err != nil || !bytes.Equal(c.Data, h(t, "0C"+wallet+"08"+isd+"000000")) || c.P1 != 0x02 {
		t.Fatalf("for load: %X %v", c.Data, err)
	}
	c, err = InstallForInstall(InstallForInstallParams{LoadFile: h(t, wallet), Module: h(t, walletAp), Application: h(t, walletAp),
		Privileges: []byte{0x01}, Params: InstallParams{Application: h(t, "03AABBCC")}, MakeSelectable: true})
	want := h(t, "0C"+wallet+"0F"+walletAp+"0F"+walletAp+"010106C90403AABBCC00")
	if err != nil || !bytes.Equal(c.Data, want) || c.P1 != 0x0C {
		t.Fatalf("for install+selectable: %X %v", c.Data, err)
	}
}

func TestLoadBlocks_GPShellTrace(t *testing.T) {
	// GPShell trace line 47: 80E80000EF C48268EE 010013DECAFFED0102040A0109A00000030800001000…
	// The load file data block is 0x68EE bytes; its first bytes are from the trace.
	lfdb := make([]byte, 0x68EE)
	copy(lfdb, h(t, "010013DECAFFED0102040A0109"+openFIPS))
	blocks, err := LoadBlocks(LoadFileData(nil, lfdb), 0xEF)
	if err != nil {
		t.Fatal(err)
	}
	first, _ := blocks[0].Bytes()
	prefix := h(t, "80E80000EFC48268EE010013DECAFFED0102040A0109"+openFIPS)
	if !bytes.HasPrefix(first, prefix) {
		t.Fatalf("first block %X", first[:len(prefix)])
	}
	total := 4 + 0x68EE
	if len(blocks) != (total+0xEE)/0xEF {
		t.Fatalf("%d blocks", len(blocks))
	}
	var joined []byte
	for i, b := range blocks {
		last := i == len(blocks)-1
		if b.P2 != byte(i) || (b.P1 == 0x80) != last || (b.P1 != 0x00 && !last) {
			t.Fatalf("block %d: P1 %02X P2 %02X", i, b.P1, b.P2)
		}
		joined = append(joined, b.Data...)
	}
	if !bytes.Equal(joined[4:], lfdb) {
		t.Fatal("blocks do not reassemble the load file")
	}
}

func TestLoad_DAPBlockAndErrors(t *testing.T) {
	dap, err := DAPBlock(h(t, isd), h(t, "0102"))
	if err != nil || !bytes.Equal(dap, h(t, "E20E4F08"+isd+"C3020102")) { // gp-card.md §1.11 layout
		t.Fatalf("DAP block %X %v", dap, err)
	}
	if got := LoadFileData(dap, h(t, "AA")); !bytes.Equal(got, h(t, "E20E4F08"+isd+"C3020102C401AA")) {
		t.Fatalf("load file data %X", got)
	}
	if _, err := LoadBlocks(make([]byte, 257), 1); err == nil {
		t.Fatal("257 blocks accepted")
	}
	if _, err := LoadBlocks([]byte{1}, 256); err == nil {
		t.Fatal("block size 256 accepted")
	}
	if _, err := LoadBlocks(nil, 200); err == nil {
		t.Fatal("empty payload accepted")
	}
}

func TestBuilders_RejectBadInput(t *testing.T) {
	short := h(t, "A0000001")
	tests := []struct {
		name string
		fn   func() (apdu.Capdu, error)
	}{
		{"SELECT 4-byte AID", func() (apdu.Capdu, error) { return Select(short) }},
		{"GET STATUS bad scope", func() (apdu.Capdu, error) { return GetStatus(0x33, FormatTLV, false, nil) }},
		{"GET STATUS unset format", func() (apdu.Capdu, error) { return GetStatus(ScopeApps, 0, false, nil) }},
		{"INSTALL [for load] short AID", func() (apdu.Capdu, error) { return InstallForLoad(InstallForLoadParams{LoadFile: short}) }},
		{"INSTALL [for install] 2-byte privileges", func() (apdu.Capdu, error) {
			return InstallForInstall(InstallForInstallParams{LoadFile: h(t, sdPkg), Module: h(t, sdModule), Application: h(t, isd), Privileges: []byte{1, 2}})
		}},
		{"INSTALL too long for short APDU", func() (apdu.Capdu, error) {
			return InstallForLoad(InstallForLoadParams{LoadFile: h(t, sdPkg), Hash: make([]byte, 250)})
		}},
		{"PUT KEY KVN 80", func() (apdu.Capdu, error) {
			return PutKey(PutKeyParams{NewKVN: 0x80, Keys: []WrappedKey{{Type: KeyTypeDES, Cryptogram: []byte{1}}}})
		}},
		{"PUT KEY no keys", func() (apdu.Capdu, error) { return PutKey(PutKeyParams{NewKVN: 1}) }},
		{"DELETE key nothing", func() (apdu.Capdu, error) { return DeleteKey(nil, nil) }},
		{"SET STATUS short AID", func() (apdu.Capdu, error) { return LockApplication(short, true) }},
	}
	for _, tc := range tests {
		if _, err := tc.fn(); err == nil {
			t.Errorf("%s: accepted", tc.name)
		}
	}
}

func TestStoreData_P1AndBlocks(t *testing.T) {
	// gp-card.md §1.6: P1 b8 last, b7-b6 11 encrypted, b5-b4 01 DGI / 10 BER, b1 case 4; P2 block number.
	data := make([]byte, 300)
	cs, err := StoreData(data, 200, StoreDataOptions{Format: StoreDGI, Encrypted: true})
	if err != nil || len(cs) != 2 {
		t.Fatalf("%d commands, %v", len(cs), err)
	}
	if cs[0].P1 != 0x68 || cs[0].P2 != 0 || cs[1].P1 != 0xE8 || cs[1].P2 != 1 || len(cs[1].Data) != 100 {
		t.Fatalf("P1/P2 %02X%02X %02X%02X", cs[0].P1, cs[0].P2, cs[1].P1, cs[1].P2)
	}
	cs, err = StoreData(h(t, "9F7001"), 200, StoreDataOptions{Format: StoreBER, ExpectResponse: true})
	if got := mustBytes(t, cs[0], err); !bytes.Equal(got, h(t, "80E29100039F700100")) {
		t.Fatalf("BER case 4: %X", got)
	}
	if _, err := StoreData(nil, 0, StoreDataOptions{}); err == nil {
		t.Fatal("block size 0 accepted")
	}
}

func TestDGI_RoundTrip(t *testing.T) {
	// GPCS 2.3.1 §11.11.2.3 layout: 1-byte length below FF, else FF + 2 bytes.
	long := bytes.Repeat([]byte{0x5A}, 300)
	in := []DGI{{0x00B9, h(t, "9501FF")}, {0x8113, long}}
	var b []byte
	var err error
	for _, d := range in {
		if b, err = AppendDGI(b, d); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.HasPrefix(b, h(t, "00B9039501FF8113FF012C")) {
		t.Fatalf("encoding %X", b[:12])
	}
	out, err := ParseDGIs(b)
	if err != nil || len(out) != 2 || out[1].ID != 0x8113 || !bytes.Equal(out[1].Value, long) {
		t.Fatalf("ParseDGIs: %v %v", out, err)
	}
	for _, bad := range []string{"00B9", "00B905AA", "8113FF01", "8113FF0002AA"} {
		if _, err := ParseDGIs(h(t, bad)); err == nil {
			t.Errorf("ParseDGIs(%s) accepted", bad)
		}
	}
}

func TestPutKeyResponse(t *testing.T) {
	k := WrappedKey{Type: KeyTypeDES, Cryptogram: h(t, kDES), KCV: h(t, "8BAF47")}
	p := PutKeyParams{NewKVN: 0x21, FirstKID: 1, Keys: []WrappedKey{k, k, k}}
	// GPCS 2.3.1 §11.8.3: KVN ‖ KCVs.
	if err := CheckPutKeyResponse(h(t, "218BAF478BAF478BAF47"), p); err != nil {
		t.Fatal(err)
	}
	for name, bad := range map[string]string{
		"wrong KVN": "208BAF478BAF478BAF47", "wrong KCV": "218BAF478BAF478BAF48",
		"truncated": "218BAF478BAF478B", "trailing": "218BAF478BAF478BAF4700", "empty": "",
	} {
		if err := CheckPutKeyResponse(h(t, bad), p); err == nil {
			t.Errorf("%s accepted", name)
		}
	}
}
