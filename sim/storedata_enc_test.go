package sim

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/cardhost/cardhost/applet"
	"github.com/cardhost/cardhost/gpcard/gpcrypto"
)

// recorder is a Personalizer that logs every STORE DATA block it receives
// as P1 ‖ length(2) ‖ data in its storage ("log").
type recorder struct{}

func (recorder) Install(applet.Context, []byte) error            { return nil }
func (recorder) Select(applet.Context) ([]byte, uint16)          { return nil, 0x9000 }
func (recorder) Deselect(applet.Context)                         {}
func (recorder) Process(applet.Context, []byte) ([]byte, uint16) { return nil, 0x6D00 }
func (recorder) StoreData(ctx applet.Context, p1 byte, data []byte) uint16 {
	entry := append([]byte{p1, byte(len(data) >> 8), byte(len(data))}, data...)
	ctx.Storage.Put("log", append(bytes.Clone(ctx.Storage.Get("log")), entry...))
	return 0x9000
}

// recorderCard returns a card with a recorder instance appAID, a host in
// an SCP02 i=15 session (C-MAC) with the ISD and personalization of appAID
// opened with INSTALL [for personalization].
func recorderCard(t *testing.T) (*Card, *host) {
	t.Helper()
	r := new(applet.Registry)
	if err := r.Register(h(t, pkgAID), h(t, appletMod), func() applet.Applet { return recorder{} }); err != nil {
		t.Fatal(err)
	}
	c := newTestCard(t, WithRegistry(r))
	hs := newHost(t, c)
	hs.open(0)
	installApp(t, hs)
	hs.must(0xE6, 0x20, 0x00, "0000"+lv(appAID)+"000000", "9000")
	return c, hs
}

// recorded returns the recorder's log as hex.
func recorded(t *testing.T, c *Card) string {
	t.Helper()
	return strings.ToUpper(hex.EncodeToString(c.Snapshot().App(h(t, appAID)).Storage["log"]))
}

// The purse-key case of bug A: STORE DATA announced as encrypted (P1 b7–b6 =
// 11, GPCS 2.3.1 Table 11-89) in DGI format reaches the applet decrypted
// (applet.Personalizer: "data is the decrypted data field"). The
// ciphertext is the published SCP02 vector 3DES-ECB(S-DEK of sequence
// counter 0000, K) = EFBEE6C6… (shared/spec/vectors.md §4, GPPro
// TestPlaintextKeys.java), so the applet must receive K = 40..4F; the
// second value is encrypted here with gpcrypto under the session DEK the
// test host derived itself. The first encrypted DGI is cut across two
// encrypted blocks; the clear block passes unchanged.
func TestStoreData_EncryptedDGIs_DecryptedForApplet(t *testing.T) {
	c, hs := recorderCard(t)
	if !bytes.Equal(hs.counter, []byte{0, 0}) {
		t.Fatalf("first session has sequence counter %X, the vector needs 0000", hs.counter)
	}
	second := h(t, "0102030405060708")
	enc2, err := gpcrypto.TripleDESECB(hs.sDEK, second)
	if err != nil {
		t.Fatal(err)
	}
	clearBlock := "0101" + "04" + "000186A0" + "0103" + "02" + "1234"
	sealed := "8101" + "10" + "EFBEE6C6D99D7B70BDE9D7E927F020AF" + "8102" + "08" + strings.ToUpper(hex.EncodeToString(enc2))
	hs.must(0xE2, 0x08, 0x00, clearBlock, "9000")
	hs.must(0xE2, 0x68, 0x01, sealed[:20], "9000") // ends inside the first value
	hs.must(0xE2, 0xE8, 0x02, sealed[20:], "9000")
	want := "08" + "000C" + clearBlock +
		"68" + "0000" +
		"E8" + "001E" + "8101" + "10" + testKey + "8102" + "08" + "0102030405060708"
	if got := recorded(t, c); got != want {
		t.Fatalf("applet received\n%s\nwant\n%s", got, want)
	}
}

// Refusals of encrypted STORE DATA for an applet: each ends the sequence
// and the refused block does not reach the applet (log: what did).
func TestStoreData_EncryptedDGIs_Negative(t *testing.T) {
	type block struct {
		p1, p2 byte
		data   string
		sw     string
	}
	enc16 := "EFBEE6C6D99D7B70BDE9D7E927F020AF"
	tests := []struct {
		name   string
		blocks []block
		log    string
	}{
		// Neither SCP defines a padding for sensitive data: a value that is
		// not a whole number of 3DES blocks cannot be decrypted (6A80,
		// GPCS 2.3.1 §11.11.3.2 "incorrect values in command data").
		{"value of 15 bytes", []block{{0xE8, 0, "8101" + "0F" + enc16[:30], "6A80"}}, ""},
		{"value of 9 bytes, refused on its header", []block{{0x68, 0, "8101" + "09" + "00", "6A80"}}, ""},
		{"empty value", []block{{0xE8, 0, "8101" + "00", "6A80"}}, ""},
		{"last block ends inside an encrypted DGI", []block{{0xE8, 0, "8101" + "10" + enc16[:16], "6A80"}}, ""},
		{"clear block after an unfinished encrypted DGI", []block{
			{0x68, 0, "8101" + "10" + enc16[:16], "9000"}, // reaches the applet empty
			{0x88, 1, enc16[16:], "6A80"},
		}, "680000"},
		// The simulator decrypts DGI-format data only.
		{"encrypted BER-TLV", []block{{0xF0, 0, enc16, "6A86"}}, ""},
		{"encrypted, no structure", []block{{0xE0, 0, enc16, "6A86"}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, hs := recorderCard(t)
			for _, b := range tt.blocks {
				hs.must(0xE2, b.p1, b.p2, b.data, b.sw)
			}
			if got := recorded(t, c); got != tt.log {
				t.Fatalf("applet received %q, want %q", got, tt.log)
			}
			// The sequence is over: block 00 starts a new one, for the ISD
			// (BER-TLV 42, its IIN).
			hs.must(0xE2, 0x90, 0x00, "4203010203", "9000")
		})
	}
}

// A wrong DEK: the SD cannot tell (there is no integrity in the
// encryption; the GlobalPlatform API leaves the check of decrypted data to
// the application), so the applet receives other bytes than the host's
// secret, never the ciphertext; an application that checks its data
// (the purse's MAC, test/hostsim) refuses later. Where the SD itself checks
// — a key loaded with DGI 8113 carries a KCV — it refuses with 6982
// (GPCS 2.3.1 §11.11 key loading, gp-card.md §1.6: "KCV mismatch → 6982")
// and stores nothing.
func TestStoreData_EncryptedDGIs_WrongDEK(t *testing.T) {
	wrong := h(t, "DEADBEEFCAFEBABE0123456789ABCDEF")
	t.Run("applet gets other bytes", func(t *testing.T) {
		c, hs := recorderCard(t)
		ct, err := gpcrypto.TripleDESECB(wrong, h(t, testKey))
		if err != nil {
			t.Fatal(err)
		}
		hs.must(0xE2, 0xE8, 0x00, "8101"+"10"+strings.ToUpper(hex.EncodeToString(ct)), "9000")
		got := recorded(t, c)
		if len(got) != 2*(3+3+16) || strings.Contains(got, testKey) || strings.Contains(got, strings.ToUpper(hex.EncodeToString(ct))) {
			t.Fatalf("applet received %s", got)
		}
	})
	t.Run("SD key with KCV refused", func(t *testing.T) {
		c := newTestCard(t)
		hs := newHost(t, c)
		hs.open(0)
		createSSD(hs, "0215")
		hs.must(0xE6, 0x20, 0x00, "0000"+lv(ssdAID)+"000000", "9000")
		before := c.Snapshot()
		ct, err := gpcrypto.TripleDESECB(wrong, h(t, newKey))
		if err != nil {
			t.Fatal(err)
		}
		dgis := "00B9" + "14" + "960100" + "800180" + "810110" + "820101" + "830121" + "8403" + kcvHex(t, newKey) +
			"8113" + "10" + strings.ToUpper(hex.EncodeToString(ct))
		hs.must(0xE2, 0x88, 0x00, dgis, "6982")
		assertState(t, c, before)
	})
}
