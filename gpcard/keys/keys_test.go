package keys_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/cardhost/cardhost/gpcard/gpcrypto"
	"github.com/cardhost/cardhost/gpcard/keys"
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

const (
	keyK   = "404142434445464748494A4B4C4D4E4F"
	key24  = keyK + "5051525354555657"
	key32  = keyK + "505152535455565758595A5B5C5D5E5F"
	kddGPP = "00010203040506070809"
)

// Every diversification vector of shared/spec/vectors.md §4 (GPPro
// TestPlaintextKeys.java, commit 7f524e3).
func TestDiversify_GPProVectors(t *testing.T) {
	tests := []struct {
		name, master  string
		m             keys.Method
		kdd           string
		t             keys.Type
		enc, mac, dek string // KCVs, or full keys when longer than 3 bytes
	}{
		{"GPPro EMV SCP02", keyK, keys.EMV, kddGPP, keys.DES3, "0EF59FCBF8019B62E62AF6EA20B8BF25", "3E383EB6F2762B88155F76BDFED05A02", "64021E43C0C7D264A1C7C6D01E1C8761"},
		{"GPPro EMV SCP02 KCVs", keyK, keys.EMV, kddGPP, keys.DES3, "C33013", "6F4CA6", "BB8179"},
		{"GPPro VISA2 SCP02", keyK, keys.VISA2, kddGPP, keys.DES3, "8510FC973208218CA86888BCEC203635", "1068B5FB6F06C78C7A4DFC343B21C78F", "2DAEE809C71405FF259C3BE695A1F66E"},
		{"GPPro VISA2 SCP02 KCVs", keyK, keys.VISA2, kddGPP, keys.DES3, "2BE598", "58DA38", "3C328E"},
		{"GPPro KDF3 AES-128", keyK, keys.KDF3, kddGPP, keys.AES128, "E79C05", "D1BD77", "3FDE8C"},
		{"GPPro KDF3 AES-192", key24, keys.KDF3, kddGPP, keys.AES192, "1DE8EA", "47C00C", "C04D76"},
		{"GPPro KDF3 AES-256", key32, keys.KDF3, kddGPP, keys.AES256, "2972D2", "036F94", "5D57B8"},
		{"GPPro KDF3 external vector", "8C72C72CF908411653018807950D82FBAD947562F0828A0B10B8B9606ABF3BCD", keys.KDF3, "D9B1DE5D0362DEDCE4FB", keys.AES256,
			"9AAC5D0B3601F89438A0D9D0B6B256CFB47E6462DFA5228D3420C4AC7C224781", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			set, err := keys.Diversify(secret.New(hx(t, tc.master)), tc.m, hx(t, tc.kdd))
			if err != nil {
				t.Fatal(err)
			}
			for i, want := range []string{tc.enc, tc.mac, tc.dek} {
				k := []secret.Key{set.ENC, set.MAC, set.DEK}[i]
				switch {
				case want == "":
				case len(want) == 6:
					kcv, err := keys.KCV(tc.t, k)
					if err != nil || !bytes.Equal(kcv, hx(t, want)) {
						t.Errorf("key %d KCV = %X, %v; want %s", i+1, kcv, err, want)
					}
				default:
					if got := k.Bytes(); !bytes.Equal(got, hx(t, want)) {
						t.Errorf("key %d = %X, want %s", i+1, got, want)
					}
				}
			}
		})
	}
}

func TestDiversify_BadInput(t *testing.T) {
	k16 := secret.New(hx(t, keyK))
	for _, tc := range []struct {
		name   string
		master secret.Key
		m      keys.Method
		kdd    []byte
	}{
		{"short KDD", k16, keys.EMV, make([]byte, 9)},
		{"EMV 32-byte master", secret.New(hx(t, key32)), keys.EMV, make([]byte, 10)},
		{"KDF3 8-byte master", secret.New(make([]byte, 8)), keys.KDF3, make([]byte, 10)},
		{"unset method", k16, 0, make([]byte, 10)},
	} {
		if _, err := keys.Diversify(tc.master, tc.m, tc.kdd); err == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}
}

func TestKCV_Vectors(t *testing.T) {
	k := secret.New(hx(t, keyK))
	for _, tc := range []struct {
		t    keys.Type
		want string
	}{{keys.DES3, "8BAF47"}, {keys.AES128, "504A77"}} { // vectors.md §1
		if got, err := keys.KCV(tc.t, k); err != nil || !bytes.Equal(got, hx(t, tc.want)) {
			t.Errorf("KCV(%v, K) = %X, %v; want %s", tc.t, got, err, tc.want)
		}
	}
	if _, err := keys.KCV(keys.AES256, k); err == nil {
		t.Error("16-byte key accepted as AES-256")
	}
	info, err := keys.KeySet{KVN: 0x30, ENC: k, MAC: k, DEK: k}.Info(keys.AES128)
	if err != nil || !bytes.Equal(info.KCV[2], hx(t, "504A77")) || info.KVN != 0x30 {
		t.Errorf("Info = %+v, %v", info, err)
	}
}

// PUT KEY key encryption, GPPro testKeyEncryption_SCP02: 3DES-ECB under the
// session DEK of sequence counter 0000 (vectors.md §4).
func TestWrapKey_SCP02_GPProVector(t *testing.T) {
	k := secret.New(hx(t, keyK))
	kp := keys.NewPlain(keys.KeySet{ENC: k, MAC: k, DEK: k})
	w, err := kp.WrapKey(context.Background(), keys.WrapRequest{
		Session: keys.SessionInput{SCP: 0x02, I: 0x15, KVN: 0xFF, Sequence: []byte{0, 0}},
		New:     keys.KeyRef{KVN: 0xFF, KID: 1},
	})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(w.Cipher, hx(t, "EFBEE6C6D99D7B70BDE9D7E927F020AF")) || !bytes.Equal(w.KCV, hx(t, "8BAF47")) ||
		w.Type != keys.DES3 || w.ClearLen != 16 {
		t.Errorf("wrapped = %+v", w)
	}
}

// The kaoh get_status_mac_only session DEK (seq 069F) is 60B7A058…; PUT KEY
// under it must equal 3DES-ECB(S-DEK, key) (primitive from gpcrypto).
func TestWrapKey_SCP02_KaohSessionDEK(t *testing.T) {
	k := secret.New(hx(t, keyK))
	newKey := hx(t, "00112233445566778899AABBCCDDEEFF")
	kp := keys.NewPlain(keys.KeySet{KVN: 0x01, ENC: k, MAC: k, DEK: k},
		keys.KeySet{KVN: 0x02, ENC: secret.New(newKey), MAC: k, DEK: k})
	w, err := kp.WrapKey(context.Background(), keys.WrapRequest{
		Session: keys.SessionInput{SCP: 0x02, I: 0x15, KVN: 0x01, Sequence: hx(t, "069F")},
		New:     keys.KeyRef{KVN: 0x02, KID: 1},
	})
	if err != nil {
		t.Fatal(err)
	}
	want, _ := gpcrypto.TripleDESECB(hx(t, "60B7A058C8A743A2D5AC7310EE1A36A7"), newKey)
	if !bytes.Equal(w.Cipher, want) {
		t.Errorf("cipher = %X, want %X", w.Cipher, want)
	}
}

func TestWrapKey_SCP03_StaticDEK(t *testing.T) {
	dek := hx(t, "0A02A6D687406DCFA09DC70B3EDB7E38")
	kp := keys.NewPlain(keys.KeySet{KVN: 0x30, ENC: secret.New(hx(t, keyK)), MAC: secret.New(hx(t, keyK)), DEK: secret.New(dek)},
		keys.KeySet{KVN: 0x31, ENC: secret.New(hx(t, keyK)), MAC: secret.New(hx(t, keyK)), DEK: secret.New(hx(t, keyK))})
	kp.Rand = bytes.NewReader(make([]byte, 64))
	w, err := kp.WrapKey(context.Background(), keys.WrapRequest{
		Session: keys.SessionInput{SCP: 0x03, KVN: 0x30},
		New:     keys.KeyRef{KVN: 0x31, KID: 3},
	})
	if err != nil {
		t.Fatal(err)
	}
	want, _ := gpcrypto.AESCBC(dek, nil, hx(t, keyK)) // Amd D §6.2.1: AES-CBC, ICV 0, static DEK
	if !bytes.Equal(w.Cipher, want) || !bytes.Equal(w.KCV, hx(t, "504A77")) || w.Type.KeyTypeByte() != 0x88 {
		t.Errorf("wrapped = %+v, want cipher %X", w, want)
	}
	// A 24-byte key under a 16-byte DEK is refused (GPCS 2.3.1 §11.8.2.3.4).
	kp2 := keys.NewPlain(keys.KeySet{KVN: 0x30, ENC: secret.New(hx(t, keyK)), MAC: secret.New(hx(t, keyK)), DEK: secret.New(dek)},
		keys.KeySet{KVN: 0x31, ENC: secret.New(hx(t, key24))})
	if _, err := kp2.WrapKey(context.Background(), keys.WrapRequest{Session: keys.SessionInput{SCP: 0x03, KVN: 0x30}, New: keys.KeyRef{KVN: 0x31, KID: 1}}); err == nil {
		t.Error("weaker DEK accepted")
	}
}

// kaoh scp03Test delete_application: card challenge C40932A6FEFEAEB2 =
// KDF(ENC, 02, 000015 ‖ A000000151000000) (vectors.md §5).
func TestPseudoRandomChallenge_Kaoh(t *testing.T) {
	kp := keys.NewPlain(keys.KeySet{ENC: secret.New(hx(t, "F995D0A069335C7DF42E590317FFEA6D")),
		MAC: secret.New(hx(t, "58563362EC5A4541ABCD32B34B1EAE7D")), DEK: secret.New(hx(t, "0A02A6D687406DCFA09DC70B3EDB7E38"))})
	for _, tc := range []struct{ seq, want string }{
		{"000015", "C40932A6FEFEAEB2"}, // delete_application
		{"00001E", "3C80C2CC87EB3A35"}, // mutual_auth
		{"000085", "A7EFE2BFDB3A27A6"}, // get_status_enc_mac
	} {
		got, err := kp.PseudoRandomChallenge(context.Background(),
			keys.SessionInput{SCP: 0x03, I: 0x70, KVN: 0x30, Sequence: hx(t, tc.seq)}, hx(t, "A000000151000000"))
		if err != nil || !bytes.Equal(got, hx(t, tc.want)) {
			t.Errorf("seq %s: challenge = %X, %v; want %s", tc.seq, got, err, tc.want)
		}
	}
}

func TestProvider_KVNSelection(t *testing.T) {
	kp := keys.NewPlain(keys.KeySet{KVN: 0x20, ENC: secret.New(hx(t, keyK)), MAC: secret.New(hx(t, keyK))})
	_, err := kp.SessionKeys(context.Background(), keys.SessionInput{SCP: 0x02, I: 0x15, KVN: 0x21, Sequence: []byte{0, 1}})
	if !errors.Is(err, keys.ErrNoKeySet) {
		t.Errorf("err = %v, want ErrNoKeySet", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := kp.SessionKeys(ctx, keys.SessionInput{SCP: 0x02, KVN: 0x20, Sequence: []byte{0, 1}}); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled ctx: %v", err)
	}
	// Diversified provider derives per card from the KDD (GPPro EMV vector, S-ENC KCV via key set).
	dp := keys.NewDiversified(keys.Master{Method: keys.EMV, Key: secret.New(hx(t, keyK))})
	sk, err := dp.SessionKeys(context.Background(), keys.SessionInput{SCP: 0x03, KVN: 0x30, KDD: hx(t, kddGPP), HostChallenge: make([]byte, 8), CardChallenge: make([]byte, 8)})
	if err != nil || sk.MAC.Len() != 16 {
		t.Fatalf("diversified session keys: %v", err)
	}
	if _, err := dp.SessionKeys(context.Background(), keys.SessionInput{SCP: 0x03, KDD: []byte{1}}); err == nil {
		t.Error("short KDD accepted")
	}
}

func TestParseSpec(t *testing.T) {
	for _, tc := range []struct {
		in     string
		m      keys.Method
		n      int
		errSub string
	}{
		{"default", 0, 16, ""},
		{"DEFAULT", 0, 16, ""},
		{keyK, 0, 16, ""},
		{key32, 0, 32, ""},
		{"emv:" + keyK, keys.EMV, 16, ""},
		{"visa2:" + keyK, keys.VISA2, 16, ""},
		{"kdf3:" + key24, keys.KDF3, 24, ""},
		{"emv:" + key32, 0, 0, "16 bytes"},
		{"xyz:" + keyK, 0, 0, "unknown"},
		{"4041", 0, 0, "16, 24 or 32"},
		{"4041424344454647484Z4A4B4C4D4E4F", 0, 0, "hex"},
	} {
		sp, err := keys.ParseSpec(tc.in)
		if tc.errSub != "" {
			if err == nil || !strings.Contains(err.Error(), tc.errSub) || strings.Contains(strings.ToUpper(err.Error()), "4041424344") {
				t.Errorf("ParseSpec(%q) err = %v", tc.in, err)
			}
			continue
		}
		if err != nil || sp.Method != tc.m || sp.Key.Len() != tc.n {
			t.Errorf("ParseSpec(%q) = %v, %v", tc.in, sp, err)
		}
		if s := fmt.Sprintf("%v %+v %#v", sp, sp, sp); strings.Contains(strings.ToUpper(s), "4041424344") {
			t.Errorf("spec printing leaks key: %s", s)
		}
	}
}
