package gpcard

import (
	"bytes"
	"context"
	"encoding/hex"
	"testing"

	"github.com/cardhost/cardhost/gpcard/keys"
	"github.com/cardhost/cardhost/gpcard/scp"
	"github.com/cardhost/cardhost/gpcard/scp/scptest"
	"github.com/cardhost/cardhost/gpcard/tlv"
	"github.com/skythen/apdu"
)

const isdHex = "A000000151000000"

// fciHex builds a SELECT response 6F { 84 aid, A5 { 73 { 06 GP, 64 { 06
// 1.2.840.114283.4.<scp>.<i> } }, 9F65 max } } 9000 with the tlv leaf
// package; scp 0 leaves 73 out, max nil leaves 9F65 out.
func fciHex(t testing.TB, aid string, scpID, i byte, max []byte) string {
	t.Helper()
	var a5 []tlv.TLV
	if scpID != 0 {
		gp := tlv.New(0x06, scptest.Hex(t, "2A864886FC6B01"))
		opt := tlv.NewConstructed(0x64, tlv.New(0x06, append(scptest.Hex(t, "2A864886FC6B04"), scpID, i)))
		a5 = append(a5, tlv.NewConstructed(0x73, gp, opt))
	}
	if max != nil {
		a5 = append(a5, tlv.New(0x9F65, max))
	}
	kids := []tlv.TLV{tlv.New(0x84, scptest.Hex(t, aid))}
	if a5 != nil {
		kids = append(kids, tlv.NewConstructed(0xA5, a5...))
	}
	return hex.EncodeToString(tlv.NewConstructed(0x6F, kids...).Bytes()) + "9000"
}

// plainSession stands in for a secure channel in plain-command transcripts:
// it sends commands unchanged over the scripted transport, so the expected
// APDUs are the plain GlobalPlatform commands written from the spec. Its
// WrapKey returns a fixed test cryptogram (16 × KID) and KCV (KID KID KID).
type plainSession struct {
	t   *scptest.Script
	max int
}

func (p *plainSession) Transmit(ctx context.Context, c apdu.Capdu) (apdu.Rapdu, error) {
	return scp.TransmitRaw(ctx, p.t, c)
}
func (p *plainSession) MaxCommandData() int { return p.max }
func (p *plainSession) WrapKey(_ context.Context, r keys.KeyRef) (keys.WrappedKey, error) {
	return keys.WrappedKey{Type: keys.AES128, ClearLen: 16, Cipher: bytes.Repeat([]byte{r.KID}, 16), KCV: bytes.Repeat([]byte{r.KID}, 3)}, nil
}

// EncryptLoadFile "encrypts" by XOR with 0x5A after 80-padding to 16 bytes,
// so transcripts can spell the ciphered block out.
func (p *plainSession) EncryptLoadFile(_ context.Context, lfdb []byte) ([]byte, error) {
	out := append(append([]byte(nil), lfdb...), 0x80)
	for len(out)%16 != 0 {
		out = append(out, 0)
	}
	for i := range out {
		out[i] ^= 0x5A
	}
	return out, nil
}

// EncryptData "encrypts" by XOR with 0xA5, refusing data that is not a
// non-empty multiple of 16 bytes as an SCP03 provider does.
func (p *plainSession) EncryptData(_ context.Context, data []byte) ([]byte, error) {
	if len(data) == 0 || len(data)%16 != 0 {
		return nil, keys.ErrDataLength
	}
	out := append([]byte(nil), data...)
	for i := range out {
		out[i] ^= 0xA5
	}
	return out, nil
}
func (p *plainSession) I() byte      { return 0x70 }
func (p *plainSession) KVN() byte    { return 0x30 }
func (p *plainSession) Close() error { return nil }

// sessionCard returns a Card connected to the ISD (one scripted SELECT with
// an SCP03 FCI, max announced) with a plainSession of max data bytes, then
// expecting steps.
func sessionCard(t *testing.T, max int, fciMax []byte, steps ...scptest.Step) (*Card, *scptest.Script) {
	t.Helper()
	all := append([]scptest.Step{{Name: "SELECT ISD", WantCAPDU: "00A4040000", Reply: fciHex(t, isdHex, 3, 0x70, fciMax)}}, steps...)
	sc := scptest.New(t, all...)
	c, err := Connect(context.Background(), sc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	c.session, c.proto = &plainSession{t: sc, max: max}, 0x03
	return c, sc
}
