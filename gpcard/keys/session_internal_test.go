package keys

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/cardhost/cardhost/gpcard/gpcrypto"
	"github.com/cardhost/cardhost/gpcard/secret"
)

func hx(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatalf("bad hex %q", s)
	}
	return b
}

const keyK = "404142434445464748494A4B4C4D4E4F"

func setOf(t testing.TB, enc, mac, dek string) KeySet {
	return KeySet{ENC: secret.New(hx(t, enc)), MAC: secret.New(hx(t, mac)), DEK: secret.New(hx(t, dek))}
}

func raw(k secret.Key) []byte { return k.Bytes() }

func TestSCP02SessionKeys_Vectors(t *testing.T) {
	k := setOf(t, keyK, keyK, keyK)
	tests := []struct {
		name, seq            string
		enc, mac, dek, rmac  string // full keys ("" when only KCVs are published)
		kEnc, kMac, kDek, kR string // KCVs ("" when full keys are published)
	}{
		{name: "GPPro testSessionKeys_SCP02 seq 0000", seq: "0000",
			enc: "010B0371D78377B801F2D62AFC671D95", mac: "D1C28C601652A4770D67AD82D2D2E1C4",
			dek: "E11987EE331B417A5D67D760692F89D4", rmac: "FFAEC7EC7FAD69F9FBFF093BF2F79C45",
			kEnc: "F2DCDD", kMac: "5FCC69", kDek: "85272E", kR: "9F749A"},
		{name: "kaoh scp02Test get_status_mac_only seq 069F", seq: "069F",
			enc: "A7E638E94A6AEC1AB596BA9E46FF2B7F", mac: "3D19A0E1F74FFE5260157E1E150AC67E",
			dek: "60B7A058C8A743A2D5AC7310EE1A36A7", rmac: "150479C70C359A4505F8EB0716FF00BB"},
		{name: "kaoh scp02Test install_mac_enc seq 06A1", seq: "06A1",
			enc: "590D31AD3295B85CD5F8056246F03212", mac: "964CD624B47829AAB6C4BEF65827CEC7"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sk, err := scp02SessionKeys(k, 0x15, hx(t, tc.seq))
			if err != nil {
				t.Fatal(err)
			}
			sdek, err := scp02Derive(k.DEK, scp02ConstDEK, hx(t, tc.seq))
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range []struct {
				what      string
				got       secret.Key
				want, kcv string
			}{{"S-ENC", sk.ENC, tc.enc, tc.kEnc}, {"S-MAC", sk.MAC, tc.mac, tc.kMac}, {"S-DEK", sdek, tc.dek, tc.kDek}, {"S-RMAC", sk.RMAC, tc.rmac, tc.kR}} {
				if c.want != "" && !bytes.Equal(raw(c.got), hx(t, c.want)) {
					t.Errorf("%s = %X, want %s", c.what, raw(c.got), c.want)
				}
				if c.kcv != "" {
					if kcv, _ := gpcrypto.KCVDES(raw(c.got)); !bytes.Equal(kcv, hx(t, c.kcv)) {
						t.Errorf("%s KCV = %X, want %s", c.what, kcv, c.kcv)
					}
				}
			}
		})
	}
}

func TestSCP03SessionKeys_Vectors(t *testing.T) {
	f9 := setOf(t, "F995D0A069335C7DF42E590317FFEA6D", "58563362EC5A4541ABCD32B34B1EAE7D", "0A02A6D687406DCFA09DC70B3EDB7E38")
	k192 := "DE2A3629CBC24E8D8869E82C8B4C0D874D88166B6F8A1C12"
	tests := []struct {
		name           string
		set            KeySet
		context        string
		enc, mac, rmac string
		kcv            bool // values are AES KCVs
	}{
		{"GPPro testSessionKeys_SCP03 KCVs", setOf(t, keyK, keyK, keyK), "00010203040506070809", "C25559", "0E12CC", "9ACB9C", true},
		{"kaoh scp03Test send_apdu_rmac_rencryption", setOf(t, keyK, keyK, keyK), "2C8130E574247B1B A5874C57119B976B",
			"0F1EE990609F3C4E5DF806316763B6C5", "75A2C1634EF06B47FD6F726978AE561E", "40C3A39B40CF342F4D73080F80718E3A", false},
		{"kaoh scp03Test delete_application", f9, "B2BDE1A2DC66BD56 C40932A6FEFEAEB2",
			"9B841BB63D1087484FF7F16802017243", "8117FE5ADED74AC0DAABE9FB81DBDB67", "4521D75E4D6F60DBFB8AB4EE254EF6F1", false},
		{"kaoh scp03Test mutual_auth", f9, "9BD6BF878FB8E991 3C80C2CC87EB3A35",
			"D83EE38C9954C8078987A5E9EE6AB13C", "6FF37716E0413065E8DFD08BF1E9EC5E", "0254C786E57ACA8982670C1C1A05FF12", false},
		{"kaoh scp03Test get_status_enc_mac", f9, "DA2390D378D94B0A A7EFE2BFDB3A27A6",
			"8004C370670BD133DD6E76D10EF0EB0C", "4665B16D9746EDA04A3A27B011DDF3A7", "", false},
		{"kaoh scp03Test get_status_aes_192", setOf(t, k192, k192, k192), "4157115CAD7D2FE7 726B1E22EED4F4BB",
			"0625452BB6780ACEEAA5D9B55442CC639794555124E4E8D0", "DA84103E89849103BF864F54DC49C28E1BB8F24AE152D4BC", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sk, err := scp03SessionKeys(tc.set, hx(t, tc.context))
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range []struct {
				what string
				got  secret.Key
				want string
			}{{"S-ENC", sk.ENC, tc.enc}, {"S-MAC", sk.MAC, tc.mac}, {"S-RMAC", sk.RMAC, tc.rmac}} {
				if c.want == "" {
					continue
				}
				got := raw(c.got)
				if tc.kcv {
					got, _ = gpcrypto.KCVAES(got)
				}
				if !bytes.Equal(got, hx(t, c.want)) {
					t.Errorf("%s = %X, want %s", c.what, got, c.want)
				}
			}
		})
	}
}

// GPPro testScp3Kdf: scp3_kdf(K, blockA = 00×16, blockB = 00×16, 16 bytes) has
// AES KCV BD8165; blockA precedes the counter and blockB follows it.
func TestCounterKDF_GPPro(t *testing.T) {
	out, err := counterKDF(hx(t, keyK), make([]byte, 16), make([]byte, 16), 16)
	if err != nil {
		t.Fatal(err)
	}
	if kcv, _ := gpcrypto.KCVAES(out); !bytes.Equal(kcv, hx(t, "BD8165")) {
		t.Errorf("KCV = %X, want BD8165", kcv)
	}
	if _, err := counterKDF(hx(t, keyK), nil, nil, 0); err == nil {
		t.Error("zero-length output accepted")
	}
}
