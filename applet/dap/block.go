package dap

import (
	"fmt"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// DAP block tags (GPCS 2.3.1 §11.6.2.3, Table 11-58).
const (
	tagDAPBlock  = cbasn1.Tag(0xE2) // DAP block
	tagSDAID     = cbasn1.Tag(0x4F) // Security Domain AID
	tagSignature = cbasn1.Tag(0xC3) // Load File Data Block Signature
)

// Block is one DAP block: the Security Domain that verifies the signature and
// the Load File Data Block Signature.
type Block struct {
	SecurityDomainAID []byte // 5 to 16 bytes
	Signature         []byte // 1 to 1024 bytes
}

// maxSignature bounds a signature (an RSA-8192 signature is 1024 bytes).
const maxSignature = 1024

func (b Block) check() error {
	if n := len(b.SecurityDomainAID); n < 5 || n > 16 {
		return fmt.Errorf("dap: security domain AID of %d bytes, want 5 to 16", n)
	}
	if n := len(b.Signature); n == 0 || n > maxSignature {
		return fmt.Errorf("dap: signature of %d bytes, want 1 to %d", n, maxSignature)
	}
	return nil
}

// Bytes encodes the block as E2 L {4F L SD-AID, C3 L signature} with minimal
// BER lengths (GPCS 2.3.1 §11.6.2.3, Table 11-58; spec §4.2).
func (b Block) Bytes() ([]byte, error) {
	if err := b.check(); err != nil {
		return nil, err
	}
	bb := cryptobyte.NewBuilder(nil)
	bb.AddASN1(tagDAPBlock, func(bb *cryptobyte.Builder) {
		bb.AddASN1(tagSDAID, func(bb *cryptobyte.Builder) { bb.AddBytes(b.SecurityDomainAID) })
		bb.AddASN1(tagSignature, func(bb *cryptobyte.Builder) { bb.AddBytes(b.Signature) })
	})
	return bb.Bytes()
}

// ParseBlock decodes one DAP block that fills data exactly. Lengths must be in
// their shortest form, as GlobalPlatformPro and GPShell write them. The
// returned slices are copies.
func ParseBlock(data []byte) (Block, error) {
	var body, aid, sig cryptobyte.String
	in := cryptobyte.String(data)
	if !in.ReadASN1(&body, tagDAPBlock) {
		return Block{}, fmt.Errorf("dap: DAP block at offset 0: want tag E2 with a valid length")
	}
	if !in.Empty() {
		return Block{}, fmt.Errorf("dap: DAP block: %d bytes after the block", len(in))
	}
	off := len(data) - len(body)
	if !body.ReadASN1(&aid, tagSDAID) {
		return Block{}, fmt.Errorf("dap: DAP block at offset %d: want tag 4F (security domain AID)", off)
	}
	off = len(data) - len(body)
	if !body.ReadASN1(&sig, tagSignature) {
		return Block{}, fmt.Errorf("dap: DAP block at offset %d: want tag C3 (signature)", off)
	}
	if !body.Empty() {
		return Block{}, fmt.Errorf("dap: DAP block at offset %d: %d bytes after the signature", len(data)-len(body), len(body))
	}
	b := Block{SecurityDomainAID: append([]byte(nil), aid...), Signature: append([]byte(nil), sig...)}
	if err := b.check(); err != nil {
		return Block{}, err
	}
	return b, nil
}
