package sim

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"fmt"
	"math/big"

	"github.com/cardhost/cardhost/applet/dap"
	"github.com/cardhost/cardhost/gpcard/gpcrypto"
	"github.com/cardhost/cardhost/gpcard/sw"
	"github.com/cardhost/cardhost/gpcard/tlv"
	"github.com/cardhost/cardhost/sim/image"
)

// SetTokenKey gives the ISD the public key it verifies Delegated Management
// tokens with (GPCS 2.3.1 §C.4), as a card issuer would at personalisation;
// the change is committed like a command. scheme names the signature scheme
// as for DAPs (RSA PKCS#1 v1.5 SHA-1, RSASSA-PSS SHA-256, ECDSA P-256
// SHA-256, GPCS 2.3.1 §B.3/§B.4), applied to the token data itself. Tokens
// are checked only while the ISD has the Token Verification privilege.
func (c *Card) SetTokenKey(scheme dap.Scheme, pub crypto.PublicKey) error {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		if scheme != dap.RSAPKCS1SHA1 && scheme != dap.RSAPSSSHA256 {
			return fmt.Errorf("sim: token key: an RSA key cannot be used with %v", scheme)
		}
	case *ecdsa.PublicKey:
		if scheme != dap.ECDSAP256SHA256 || k.Curve != elliptic.P256() {
			return fmt.Errorf("sim: token key: ECDSA needs a P-256 key and scheme %v", dap.ECDSAP256SHA256)
		}
	default:
		return fmt.Errorf("sim: token key: unsupported key type %T", pub)
	}
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return fmt.Errorf("sim: token key: %w", err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	next := c.state.Clone()
	next.ISD().Domain.Token = &image.DAPKey{Scheme: int(scheme), PKIX: der}
	return c.commit(next)
}

// SetReceiptKey gives the ISD its receipt key (GPCS 2.3.1 §C.5): 16 bytes
// of two-key 3DES when aes is false (8-byte retail-MAC receipts), or an AES
// key of 16, 24 or 32 bytes (16-byte AES-CMAC receipts). Receipts are
// produced only while the ISD has the Receipt Generation privilege. The
// value is copied; it is never printed.
func (c *Card) SetReceiptKey(value []byte, aes bool) error {
	t := image.KeyTypeDES3
	switch n := len(value); {
	case aes && (n == 16 || n == 24 || n == 32):
		t = image.KeyTypeAES
	case !aes && n == 16:
	default:
		return fmt.Errorf("sim: receipt key of %d bytes does not fit the algorithm", n)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	next := c.state.Clone()
	next.ISD().Domain.Receipt = &image.Key{ID: 1, Type: t, Value: bytesClone(value)}
	return c.commit(next)
}

// tokenData is what a token signs (GPCS 2.3.1 §C.4): P1 ‖ P2 ‖ length of the
// following data ‖ the command data without the token, the length in one
// byte, or 00 ‖ two bytes above 255.
func tokenData(p1, p2 byte, data []byte) []byte {
	out := []byte{p1, p2}
	if n := len(data); n > 0xFF {
		out = append(out, 0x00, byte(n>>8), byte(n))
	} else {
		out = append(out, byte(n))
	}
	return append(out, data...)
}

// delegatedOnly reports whether req manages content only under Delegated
// Management: an SSD with the Delegated Management privilege and without
// Authorized Management (GPCS 2.3.1 §11.5.2.3.1–2 as gp-card.md §1.2 sums
// them up: with DM every load, install, extradition and delete needs a
// token from the Card Issuer).
func delegatedOnly(s *image.State, req *image.App) bool {
	return !isISD(s, req.AID) && has(req.Privileges[0], privDelegatedMgmt) && !has(req.Privileges[1], privAuthorizedMgmt)
}

// checkToken applies the token rules to a command from req: a requester
// under Delegated Management must present a token; any token presented must
// verify under the ISD's token key. delegated reports a verified token (the
// operation then yields a receipt). Missing or failing: 6982.
func checkToken(s *image.State, req *image.App, data, token []byte) (delegated bool, status uint16) {
	if len(token) == 0 {
		if delegatedOnly(s, req) {
			return false, sw.SecurityStatus
		}
		return false, swOK
	}
	isd := s.ISD()
	if !has(isd.Privileges[1], privTokenVerif) || isd.Domain.Token == nil || !verifyToken(isd.Domain.Token, data, token) {
		return false, sw.SecurityStatus
	}
	return true, swOK
}

// verifyToken checks sig over data with k.
func verifyToken(k *image.DAPKey, data, sig []byte) bool {
	pub, err := x509.ParsePKIXPublicKey(k.PKIX)
	if err != nil {
		return false
	}
	switch dap.Scheme(k.Scheme) {
	case dap.RSAPKCS1SHA1:
		rk, ok := pub.(*rsa.PublicKey)
		d := sha1.Sum(data)
		return ok && rsa.VerifyPKCS1v15(rk, crypto.SHA1, d[:], sig) == nil
	case dap.RSAPSSSHA256:
		rk, ok := pub.(*rsa.PublicKey)
		d := sha256.Sum256(data)
		return ok && rsa.VerifyPSS(rk, crypto.SHA256, d[:], sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash}) == nil
	case dap.ECDSAP256SHA256:
		ek, ok := pub.(*ecdsa.PublicKey)
		if !ok || len(sig) != 64 {
			return false
		}
		d := sha256.Sum256(data)
		return ecdsa.Verify(ek, d[:], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:]))
	}
	return false
}

// confirm returns the response of a delegated operation: the confirmation
// structure with a receipt from the ISD when it has Receipt Generation and a
// receipt key, else a single 00 (GPCS 2.3.1 §C.5, §11.2.3, §11.5.3,
// §11.6.3). It increments the confirmation counter in s (the state being
// committed with the operation). Layout, as GlobalPlatformPro's
// ReceiptVerifier reads it: L ‖ LV(receipt) ‖ LV(counter) ‖ LV(IIN ‖ CIN),
// L counting the rest; the receipt is computed over LV(counter) ‖ LV(IIN ‖
// CIN) ‖ the LV-coded AIDs of aids (kaoh/globalplatform
// validate_*_receipt): 3DES retail MAC (ISO 9797-1 alg. 3, ICV 0, method 2
// padding, GPCS 2.3.1 §B.1.2.2) or full AES-CMAC (§B.2.2).
func confirm(s *image.State, aids ...[]byte) ([]byte, uint16) {
	isd := s.ISD()
	d := isd.Domain
	if !has(isd.Privileges[2], privReceiptGen) || d.Receipt == nil {
		return []byte{0}, swOK
	}
	if d.Confirmations == 0xFFFF {
		return nil, sw.ConditionsNotSatisfied
	}
	d.Confirmations++
	unique := append(bytesClone(d.IIN), d.CIN...)
	conf := []byte{2, byte(d.Confirmations >> 8), byte(d.Confirmations)}
	conf = append(append(conf, byte(len(unique))), unique...)
	in := bytesClone(conf)
	for _, a := range aids {
		in = append(append(in, byte(len(a))), a...)
	}
	var mac []byte
	var err error
	if d.Receipt.Type == image.KeyTypeAES {
		mac, err = gpcrypto.CMAC(d.Receipt.Value, in)
	} else {
		mac, err = gpcrypto.RetailMAC(d.Receipt.Value, nil, gpcrypto.Pad80(in, 8))
	}
	if err != nil {
		return nil, sw.ConditionsNotSatisfied
	}
	body := append(append([]byte{byte(len(mac))}, mac...), conf...)
	return append([]byte{byte(len(body))}, body...), swOK
}

// withoutTLV re-encodes objs without the objects tagged t.
func withoutTLV(objs []tlv.TLV, t tlv.Tag) []byte {
	var keep []tlv.TLV
	for _, o := range objs {
		if o.Tag != t {
			keep = append(keep, o)
		}
	}
	return tlv.Encode(keep...)
}
