package command

import (
	"crypto/subtle"
	"fmt"

	"github.com/cardhost/cardhost/gpcard/gpcrypto"
	"github.com/cardhost/cardhost/gpcard/tlv"
)

// ConfirmationData is the decoded confirmation data a receipt covers, part
// of the confirmation structure INSTALL, LOAD and DELETE return (GPCS 2.3.1
// §11.2.3, §11.5.3, §11.6.3), laid out as skythen/gobalplatform
// delegated/delegated.go and kaoh/globalplatform validate_*_receipt read it:
// LV(confirmation counter, 2 bytes) ‖ LV(SD unique data) [‖ LV(token
// identifier)] [‖ LV(token data digest)].
type ConfirmationData struct {
	// Counter is the confirmation counter of the SD with Receipt Generation.
	Counter uint16
	// SDUniqueData is that SD's Provider Identification Number (tag 42)
	// followed by its Image Number (tag 45); for the ISD, IIN ‖ CIN.
	SDUniqueData []byte
	// TokenID and TokenDigest are present only when the card adds them.
	TokenID, TokenDigest []byte
}

// ParseConfirmationData decodes r.Confirmation. Slices are copies.
func (r Receipt) ParseConfirmationData() (ConfirmationData, error) {
	var d ConfirmationData
	b := r.Confirmation
	var fields [][]byte
	for off := 0; len(b) > 0 && len(fields) < 4; {
		v, n, err := tlv.ReadLV(b)
		if err != nil {
			return d, fmt.Errorf("confirmation data: offset %d: %w", off, err)
		}
		fields, b, off = append(fields, v), b[n:], off+n
	}
	if len(b) != 0 || len(fields) < 2 {
		return d, fmt.Errorf("confirmation data: want 2 to 4 LV fields in %d bytes", len(r.Confirmation))
	}
	if len(fields[0]) != 2 {
		return d, fmt.Errorf("confirmation data: offset 0: counter of %d bytes, want 2", len(fields[0]))
	}
	d.Counter = uint16(fields[0][0])<<8 | uint16(fields[0][1])
	d.SDUniqueData = clone(fields[1])
	if len(fields) > 2 {
		d.TokenID = clone(fields[2])
	}
	if len(fields) > 3 {
		d.TokenDigest = clone(fields[3])
	}
	return d, nil
}

// ReceiptAlgorithm is how a receipt key computes receipts; the zero value is
// unset.
type ReceiptAlgorithm int

// Receipt algorithms: the DES receipt is ISO/IEC 9797-1 MAC algorithm 3
// ("single DES plus final triple DES", GPCS 2.3.1 §B.1.2.2) with ICV zero
// and ISO 9797-1 padding method 2, 8 bytes; the AES receipt is the full
// 16-byte AES-CMAC (GPCS 2.3.1 §B.2.2; kaoh/globalplatform validate_receipt
// uses the same two).
const (
	ReceiptDES ReceiptAlgorithm = iota + 1
	ReceiptAES
)

// ComputeReceipt returns the receipt of confirmation ‖ context under key
// with algorithm alg. It is exported for simulators and tests; a host only
// verifies (VerifyReceipt).
func ComputeReceipt(alg ReceiptAlgorithm, key, confirmation, context []byte) ([]byte, error) {
	data := append(append([]byte(nil), confirmation...), context...)
	switch alg {
	case ReceiptDES:
		return gpcrypto.RetailMAC(key, nil, gpcrypto.Pad80(data, 8))
	case ReceiptAES:
		return gpcrypto.CMAC(key, data)
	}
	return nil, fmt.Errorf("receipt: algorithm unset")
}

// VerifyReceipt checks r against key with algorithm alg; context is the
// ReceiptContext of the operation. The key is not kept or printed; the
// comparison is constant-time.
func VerifyReceipt(alg ReceiptAlgorithm, key []byte, r Receipt, context []byte) error {
	mac, err := ComputeReceipt(alg, key, r.Confirmation, context)
	if err != nil {
		return fmt.Errorf("receipt: %w", err)
	}
	if subtle.ConstantTimeCompare(mac, r.Value) != 1 {
		return fmt.Errorf("receipt: verification failed")
	}
	return nil
}

// VerifyDESReceipt checks r against a 16-byte 3DES receipt key (see
// ReceiptDES).
func VerifyDESReceipt(key []byte, r Receipt, context []byte) error {
	return VerifyReceipt(ReceiptDES, key, r, context)
}
