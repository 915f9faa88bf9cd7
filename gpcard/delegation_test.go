package gpcard

import (
	"context"
	"errors"
	"testing"

	"github.com/cardhost/cardhost/gpcard/command"
	"github.com/cardhost/cardhost/gpcard/scp/scptest"
	"github.com/cardhost/cardhost/gpcard/secret"
)

// The DES receipt 901EB252F3406E0F over LV(0001) ‖ LV(IIN 0000000001 ‖ CIN
// 0000000000000001) ‖ LV(A00000061700) under 40..4F was computed with
// OpenSSL (see gpcard/command receipt_test.go).
const delReceipt = "1A08901EB252F3406E0F0200010D00000000010000000000000001"

func TestDelete_Delegation(t *testing.T) {
	aid := scptest.Hex(t, "A00000061700")
	key := secret.New(scptest.Hex(t, "404142434445464748494A4B4C4D4E4F"))
	tests := []struct {
		name, reply string
		want        error
	}{
		{"OpenSSL DES receipt verifies", delReceipt + "9000", nil},
		{"tampered receipt", delReceipt[:len(delReceipt)-2] + "02" + "9000", ErrReceipt},
		{"no receipt for a token", "00" + "9000", ErrNoReceipt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// GPCS 2.3.1 Table 11-22 + §C.4: 4F AID then 9E token; the token
			// signs P1 P2 Lc 4F06A00000061700.
			c, _ := sessionCard(t, 255, nil, scptest.Step{Name: "DELETE + token", WantCAPDU: "80E400000C 4F06A00000061700 9E02CAFE 00", Reply: tt.reply})
			var signed []byte
			c.SetDelegation(Delegation{
				Token: func(_ context.Context, data []byte) ([]byte, error) {
					signed = data
					return []byte{0xCA, 0xFE}, nil
				},
				Receipts: NewReceiptKey(command.ReceiptDES, key),
			})
			err := c.Delete(context.Background(), aid, false)
			if !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
				t.Fatalf("Delete: %v, want %v", err, tt.want)
			}
			if string(signed) != string(scptest.Hex(t, "0000084F06A00000061700")) {
				t.Fatalf("token data %X", signed)
			}

		})
	}
}

// Without a Delegation nothing changes: no token, a receipt ignored.
func TestDelete_NoDelegation(t *testing.T) {
	c, _ := sessionCard(t, 255, nil, scptest.Step{Name: "DELETE", WantCAPDU: "80E4000008 4F06A00000061700 00", Reply: delReceipt + "9000"})
	if err := c.Delete(context.Background(), scptest.Hex(t, "A00000061700"), false); err != nil {
		t.Fatal(err)
	}

}

func TestDelegation_TokenError(t *testing.T) {
	c, _ := sessionCard(t, 255, nil)
	boom := errors.New("HSM unavailable")
	c.SetDelegation(Delegation{Token: func(context.Context, []byte) ([]byte, error) { return nil, boom }})
	if err := c.Extradite(context.Background(), scptest.Hex(t, isdHex), scptest.Hex(t, "A00000061700")); !errors.Is(err, boom) {
		t.Fatalf("Extradite: %v", err)
	}

}
