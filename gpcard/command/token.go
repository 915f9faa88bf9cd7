package command

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"io"
	"math/big"

	"github.com/cardhost/cardhost/gpcard/gpcrypto"
	"github.com/cardhost/cardhost/gpcard/tlv"
	"github.com/skythen/apdu"
	"golang.org/x/crypto/cryptobyte"
	"golang.org/x/crypto/cryptobyte/asn1"
)

// TokenData returns the data a delegated-management token signs for c, an
// INSTALL or LOAD-related INSTALL built with an empty token, or a DELETE
// built without one (GPCS 2.3.1 §C.4, delegated management tokens): P1 ‖ P2 ‖ Lc ‖
// the data field without the token field, where Lc counts that data.
func TokenData(c apdu.Capdu) ([]byte, error) {
	data := c.Data
	switch c.Ins {
	case insInstall:
		// The last field is the empty token LV, a single 00.
		if len(data) == 0 || data[len(data)-1] != 0x00 {
			return nil, fmt.Errorf("token data: INSTALL must be built with an empty token")
		}
		data = data[:len(data)-1]
	case insDelete:
		if _, ok := tlv.Find(mustParse(data), 0x9E); ok {
			return nil, fmt.Errorf("token data: DELETE already carries a token")
		}
	default:
		return nil, fmt.Errorf("token data: INS %02X takes no token", c.Ins)
	}
	if len(data) > 0xFF {
		return nil, fmt.Errorf("token data: %d data bytes exceed 255", len(data))
	}
	return append([]byte{c.P1, c.P2, byte(len(data))}, data...), nil
}

// mustParse parses command data this package built; nil on error.
func mustParse(b []byte) []tlv.TLV {
	l, _ := tlv.Parse(b)
	return l
}

// WithToken returns a copy of c carrying token: for INSTALL the empty token
// LV is replaced by LV(token), for DELETE 9E <len> <token> is appended
// (GPCS 2.3.1 Tables 11-21, 11-42, 11-43).
func WithToken(c apdu.Capdu, token []byte) (apdu.Capdu, error) {
	if _, err := TokenData(c); err != nil {
		return apdu.Capdu{}, err
	}
	data := append([]byte(nil), c.Data...)
	if c.Ins == insInstall {
		data = tlv.AppendBERLV(data[:len(data)-1], token)
	} else {
		data = tlv.New(0x9E, token).Append(data)
	}
	if err := checkData("token", data); err != nil {
		return apdu.Capdu{}, err
	}
	c.Data = data
	return c, nil
}

// TokenAlgorithm selects the token signature scheme; the zero value is unset.
type TokenAlgorithm int

// Token signature schemes (GPCS 2.3.1 §C.4 and Appendix B.3/B.5 as
// referenced there; ECDSA from Amendment E).
const (
	TokenRSAPKCS1SHA1 TokenAlgorithm = iota + 1 // RSA SSA PKCS#1 v1.5, SHA-1
	TokenRSAPSSSHA256                           // RSA SSA-PSS, SHA-256
	TokenECDSASHA256                            // ECDSA, SHA-256, signature r ‖ s
)

// SignToken signs tokenData (see TokenData) with signer, whose key may live
// in an HSM. ECDSA signatures are returned as r ‖ s, each padded to the
// curve size. rand feeds PSS and ECDSA.
func SignToken(signer crypto.Signer, alg TokenAlgorithm, tokenData []byte, rand io.Reader) ([]byte, error) {
	switch alg {
	case TokenRSAPKCS1SHA1:
		d := sha1.Sum(tokenData)
		return signer.Sign(rand, d[:], crypto.SHA1)
	case TokenRSAPSSSHA256:
		d := sha256.Sum256(tokenData)
		return signer.Sign(rand, d[:], &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: crypto.SHA256})
	case TokenECDSASHA256:
		pub, ok := signer.Public().(*ecdsa.PublicKey)
		if !ok {
			return nil, fmt.Errorf("token: ECDSA needs an ECDSA key")
		}
		d := sha256.Sum256(tokenData)
		der, err := signer.Sign(rand, d[:], crypto.SHA256)
		if err != nil {
			return nil, fmt.Errorf("token: %w", err)
		}
		return ecdsaRaw(der, (pub.Curve.Params().BitSize+7)/8)
	}
	return nil, fmt.Errorf("token: algorithm unset")
}

// ecdsaRaw converts an ASN.1 ECDSA signature to fixed-size r ‖ s.
func ecdsaRaw(der []byte, size int) ([]byte, error) {
	var r, s big.Int
	in, seq := cryptobyte.String(der), cryptobyte.String(nil)
	if !in.ReadASN1(&seq, asn1.SEQUENCE) || !in.Empty() || !seq.ReadASN1Integer(&r) || !seq.ReadASN1Integer(&s) || !seq.Empty() {
		return nil, fmt.Errorf("token: malformed ECDSA signature")
	}
	out := make([]byte, 2*size)
	r.FillBytes(out[:size])
	s.FillBytes(out[size:])
	return out, nil
}

// Receipt is the confirmation a card with Receipt Generation returns to
// INSTALL, LOAD or DELETE.
type Receipt struct {
	// Value is the receipt (MAC) itself.
	Value []byte
	// Confirmation is the confirmation data the receipt covers: LV
	// confirmation counter ‖ LV card unique data [‖ further LVs].
	Confirmation []byte
}

// ParseReceipt parses the response data of a command that may carry a
// receipt, in the layout GlobalPlatformPro's ReceiptVerifier reads (the
// confirmation structure of GPCS 2.3.1 §C.5): L ‖ LV(receipt) ‖ confirmation
// data, where L counts everything after it. A single 00 means no receipt
// (ok false).
func ParseReceipt(data []byte) (r Receipt, ok bool, err error) {
	if len(data) == 1 && data[0] == 0x00 {
		return Receipt{}, false, nil
	}
	if len(data) < 2 || int(data[0]) != len(data)-1 {
		return Receipt{}, false, fmt.Errorf("receipt: offset 0: length does not match %d data bytes", len(data)-1)
	}
	v, n, err := tlv.ReadLV(data[1:])
	if err != nil {
		return Receipt{}, false, fmt.Errorf("receipt: offset 1: %w", err)
	}
	return Receipt{Value: v, Confirmation: clone(data[1+n:])}, true, nil
}

// ReceiptContext returns the concatenated LVs of the AIDs a receipt binds
// (GPCS 2.3.1 §C.5, as GlobalPlatformPro ReceiptVerifier builds them): load =
// ELF, SD; install = ELF, application; delete = AID; extradition = old SD,
// application, new SD.
func ReceiptContext(aids ...[]byte) ([]byte, error) {
	var b []byte
	var err error
	for _, a := range aids {
		if b, err = tlv.AppendLV(b, a); err != nil {
			return nil, fmt.Errorf("receipt context: %w", err)
		}
	}
	return b, nil
}

// VerifyAESReceipt checks r against the AES receipt key: the receipt is the
// full 16-byte AES-CMAC of confirmation data ‖ context (GPCS 2.3.1 §C.5 with
// the AES scheme of Amendment D). The key is not kept or printed.
func VerifyAESReceipt(key []byte, r Receipt, context []byte) error {
	mac, err := gpcrypto.CMAC(key, append(append([]byte(nil), r.Confirmation...), context...))
	if err != nil {
		return fmt.Errorf("receipt: %w", err)
	}
	if subtle.ConstantTimeCompare(mac, r.Value) != 1 {
		return fmt.Errorf("receipt: verification failed")
	}
	return nil
}
