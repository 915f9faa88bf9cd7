package command

import (
	"bytes"
	"strings"
	"testing"
)

// Receipt vectors computed with OpenSSL 3.0 (not with this package): DES =
// des-cbc under K1 over all blocks but the last, then des-ede-cbc on the
// last (ISO 9797-1 MAC algorithm 3, ICV 0, method 2 padding); AES = openssl
// mac CMAC with AES-128-CBC. Key 40..4F; confirmation LV(0001) ‖ LV(IIN
// 0000000001 ‖ CIN 0000000000000001).
func TestVerifyReceipt_OpenSSLVectors(t *testing.T) {
	key := h(t, "404142434445464748494A4B4C4D4E4F")
	conf := h(t, "020001"+"0D"+"0000000001"+"0000000000000001")
	load, _ := ReceiptContext(h(t, sdPkg), h(t, isd))
	del, _ := ReceiptContext(h(t, "A00000061700"))
	tests := []struct {
		name    string
		alg     ReceiptAlgorithm
		context []byte
		receipt string
	}{
		{"OpenSSL DES load receipt (ELF, SD)", ReceiptDES, load, "AC27183383658B8A"},
		{"OpenSSL DES delete receipt (AID)", ReceiptDES, del, "901EB252F3406E0F"},
		{"OpenSSL AES-CMAC load receipt (ELF, SD)", ReceiptAES, load, "16E791ED5D1D1E2A54508F5FDB9A4E27"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := append(append([]byte{byte(len(tt.receipt) / 2)}, h(t, tt.receipt)...), conf...)
			r, ok, err := ParseReceipt(append([]byte{byte(len(body))}, body...))
			if err != nil || !ok {
				t.Fatalf("ParseReceipt: %v %v", ok, err)
			}
			if err := VerifyReceipt(tt.alg, key, r, tt.context); err != nil {
				t.Fatal(err)
			}
			if tt.alg == ReceiptDES {
				if err := VerifyDESReceipt(key, r, tt.context); err != nil {
					t.Fatal(err)
				}
			}
			other := ReceiptDES + ReceiptAES - tt.alg
			if err := VerifyReceipt(other, key, r, tt.context); err == nil {
				t.Error("receipt verified under the other algorithm")
			}
			if err := VerifyReceipt(tt.alg, key, r, append(bytes.Clone(tt.context), 0)); err == nil {
				t.Error("receipt verified for another context")
			}
			r.Value[len(r.Value)-1] ^= 1
			if err := VerifyReceipt(tt.alg, key, r, tt.context); err == nil || strings.Contains(strings.ToUpper(err.Error()), "4041") {
				t.Errorf("tampered receipt: %v", err)
			}
			d, err := r.ParseConfirmationData()
			if err != nil || d.Counter != 1 || !bytes.Equal(d.SDUniqueData, h(t, "00000000010000000000000001")) || d.TokenID != nil {
				t.Fatalf("%+v %v", d, err)
			}
		})
	}
	if _, err := ComputeReceipt(0, key, conf, nil); err == nil {
		t.Error("unset algorithm accepted")
	}
}

func TestParseConfirmationData(t *testing.T) {
	tests := []struct {
		name, conf string
		ok         bool
	}{
		{"counter and unique data", "0200020100", true},
		{"with token id and digest", "020003" + "02AABB" + "0101" + "0202FF", true},
		{"counter of 1 byte", "0101" + "00", false},
		{"one field only", "020001", false},
		{"five fields", "020001000000" + "00", false},
		{"truncated LV", "020001" + "05AA", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Receipt{Confirmation: h(t, tt.conf)}.ParseConfirmationData()
			if (err == nil) != tt.ok {
				t.Fatalf("err = %v, want ok %v", err, tt.ok)
			}
		})
	}
}

func TestChannelBuilders(t *testing.T) {
	tests := []struct {
		name, want string
		fn         func() ([]byte, error)
	}{
		{"ISO 7816-4 §11.1.2 MANAGE CHANNEL open", "0070000001", func() ([]byte, error) { c := ManageChannelOpen(); return c.Bytes() }},
		{"ISO 7816-4 §11.1.2 MANAGE CHANNEL close 1", "00708001", func() ([]byte, error) {
			c, err := ManageChannelClose(1)
			if err != nil {
				return nil, err
			}
			return c.Bytes()
		}},
		{"GET STATUS on channel 2 (CLA 82)", "82F24002024F0000", func() ([]byte, error) { return onChannel(t, 2) }},
		{"GET STATUS on channel 4 (CLA C0)", "C0F24002024F0000", func() ([]byte, error) { return onChannel(t, 4) }},
		{"GET STATUS on channel 19 (CLA CF)", "CFF24002024F0000", func() ([]byte, error) { return onChannel(t, 19) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := tt.fn()
			if err != nil || !bytes.Equal(b, h(t, tt.want)) {
				t.Fatalf("%X %v, want %s", b, err, tt.want)
			}
		})
	}
	for _, n := range []int{0, 20, -1} {
		if _, err := ManageChannelClose(n); err == nil {
			t.Errorf("close channel %d accepted", n)
		}
	}
	if _, err := ChannelClass(0x84, 1); err == nil {
		t.Error("class 84 accepted")
	}
	if _, err := ChannelClass(0x80, 20); err == nil {
		t.Error("channel 20 accepted")
	}
	for _, bad := range []string{"", "00", "14", "0102"} {
		if _, err := ParseManageChannelOpen(h(t, bad)); err == nil {
			t.Errorf("MANAGE CHANNEL response %s accepted", bad)
		}
	}
	if n, err := ParseManageChannelOpen([]byte{0x13}); err != nil || n != 19 {
		t.Errorf("channel 13 → %d %v", n, err)
	}
}

func onChannel(t *testing.T, n int) ([]byte, error) {
	c, err := GetStatus(ScopeApps, FormatTLV, false, nil)
	if err != nil {
		return nil, err
	}
	if c, err = OnChannel(c, n); err != nil {
		return nil, err
	}
	return c.Bytes()
}

// GPCS 2.3.1 Table 11-58: DAP blocks, optional D3 ICV, D4 ciphered block.
func TestCipheredLoadFileData(t *testing.T) {
	dapBlock := h(t, "E2074F05A000000001C300")
	ct := bytes.Repeat([]byte{0xAB}, 200)
	got := CipheredLoadFileData(dapBlock, nil, ct)
	want := append(append(bytes.Clone(dapBlock), 0xD4, 0x81, 0xC8), ct...)
	if !bytes.Equal(got, want) {
		t.Fatalf("%X", got[:16])
	}
	got = CipheredLoadFileData(nil, h(t, "0102030405060708"), ct[:16])
	if !bytes.Equal(got, h(t, "D3080102030405060708D410"+strings.Repeat("AB", 16))) {
		t.Fatalf("%X", got)
	}
}

func FuzzParseReceipt(f *testing.F) {
	for _, s := range []string{"00", "1A08901EB252F3406E0F0200010D00000000010000000000000001", "0A02AABB020003" + "02AABB"} {
		f.Add(h(f, s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, ok, err := ParseReceipt(data)
		if err != nil || !ok {
			return
		}
		if d, err := r.ParseConfirmationData(); err == nil && len(d.SDUniqueData) > len(r.Confirmation) {
			t.Fatalf("unique data longer than the confirmation")
		}
	})
}

func FuzzParseManageChannelOpen(f *testing.F) {
	for _, s := range []string{"01", "13", "00", ""} {
		f.Add(h(f, s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if n, err := ParseManageChannelOpen(data); err == nil && (n < 1 || n > MaxChannel || len(data) != 1) {
			t.Fatalf("accepted %X as channel %d", data, n)
		}
	})
}
