package gpcard

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/cardhost/cardhost/gpcard/command"
	"github.com/cardhost/cardhost/gpcard/keys"
	"github.com/cardhost/cardhost/gpcard/scp/scptest"
)

// PersonalizeWith sends clear and secret DGIs in separate STORE DATA runs:
// the key DGI (WrapKey's cryptogram, 16 × KID in plainSession) first, then
// the DGIs in order, the secret ones with their values encrypted by the
// provider (XOR A5 in plainSession) in blocks with P1 b7–b6 = 11, DGI
// headers clear (GPCS 2.3.1 §11.11.2.1, Table 11-89: P1 68 = encrypted +
// DGI, E8 the same on the last block; 08 clear; 88 clear last). Block
// numbers run on across runs (§11.11.2.2).
func TestPersonalizeWith_EncryptedRuns(t *testing.T) {
	sec := strings.Repeat("11", 16)
	xor := strings.Repeat("B4", 16) // 11 ^ A5
	c, _ := sessionCard(t, 247, nil,
		scptest.Step{Name: "INSTALL [for personalization]", WantCAPDU: "80E620000C 00 00 06D0D1D2D3D4D5 00 00 00 00", Reply: "009000"},
		scptest.Step{Name: "STORE DATA key DGI", WantCAPDU: "80E2680013 8101 10 " + strings.Repeat("01", 16), Reply: "9000"},
		scptest.Step{Name: "STORE DATA clear", WantCAPDU: "80E2080109 0101 03 AABBCC 0103 00", Reply: "9000"},
		scptest.Step{Name: "STORE DATA secret", WantCAPDU: "80E2E80213 8201 10 " + xor, Reply: "9000"},
	)
	res, err := c.PersonalizeWith(context.Background(), scptest.Hex(t, "D0D1D2D3D4D5"), []command.DGI{
		{ID: 0x0101, Value: scptest.Hex(t, "AABBCC")},
		{ID: 0x0103, Value: nil},
		{ID: 0x8201, Value: scptest.Hex(t, sec)},
	}, DGIOptions{Encrypt: []uint16{0x8201}, Keys: []KeyDGI{{ID: 0x8101, Key: keys.KeyRef{KVN: 0x30, KID: 1}}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 1 || res[0].DGI != 0x8101 || res[0].KVN != 0x30 || res[0].KID != 1 || res[0].KCV.String() != "010101" || res[0].Type != "AES-128" {
		t.Fatalf("result %+v", res)
	}
}

// A run longer than a block is split at the channel's block size (here 10
// bytes) like any STORE DATA, a DGI cut across two encrypted blocks; a clear
// run after it starts a new block.
func TestStoreDGIs_BlocksPerRun(t *testing.T) {
	xor := strings.Repeat("B4", 16)
	c, _ := sessionCard(t, 10, nil,
		scptest.Step{Name: "block 0", WantCAPDU: "80E268000A 8201 10 " + xor[:14], Reply: "9000"},
		scptest.Step{Name: "block 1", WantCAPDU: "80E2680109 " + xor[14:], Reply: "9000"},
		scptest.Step{Name: "block 2", WantCAPDU: "80E2880204 0101 01 07", Reply: "9000"},
	)
	_, err := c.StoreDGIs(context.Background(), []command.DGI{
		{ID: 0x8201, Value: scptest.Hex(t, strings.Repeat("11", 16))},
		{ID: 0x0101, Value: []byte{7}},
	}, DGIOptions{Encrypt: []uint16{0x8201}})
	if err != nil {
		t.Fatal(err)
	}
}

// Refused before any command: an Encrypt entry naming no DGI, a value the
// provider cannot encrypt (not block-aligned), no secure channel.
func TestPersonalizeWith_RefusedBeforeSending(t *testing.T) {
	app := scptest.Hex(t, "D0D1D2D3D4D5")
	c, _ := sessionCard(t, 247, nil) // no further command expected
	ctx := context.Background()
	if _, err := c.PersonalizeWith(ctx, app, []command.DGI{{ID: 0x0101, Value: []byte{1}}}, DGIOptions{Encrypt: []uint16{0x8101}}); err == nil || !strings.Contains(err.Error(), "8101") {
		t.Errorf("unknown DGI to encrypt: %v", err)
	}
	_, err := c.PersonalizeWith(ctx, app, []command.DGI{{ID: 0x8101, Value: make([]byte, 15)}}, DGIOptions{Encrypt: []uint16{0x8101}})
	if !errors.Is(err, keys.ErrDataLength) || !strings.Contains(err.Error(), "DGI 8101") {
		t.Errorf("15-byte secret: %v", err)
	}
	c.Close()
	if _, err := c.StoreDGIs(ctx, nil, DGIOptions{}); !errors.Is(err, ErrNotAuthenticated) {
		t.Errorf("without secure channel: %v", err)
	}
}
