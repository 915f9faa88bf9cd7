package command

import (
	"fmt"

	"github.com/cardhost/cardhost/gpcard/tlv"
	"github.com/skythen/apdu"
)

// maxLoadBlocks is the number of block numbers one-byte P2 can carry.
const maxLoadBlocks = 256

// DAPBlock returns one DAP block: E2 { 4F <SD AID>, C3 <signature> }
// (GPCS 2.3.1 §11.6.2.3, Table 11-58).
func DAPBlock(sd, signature []byte) ([]byte, error) {
	if err := checkAID("DAP block: security domain", sd, false); err != nil {
		return nil, err
	}
	return tlv.NewConstructed(0xE2, tlv.New(0x4F, sd), tlv.New(0xC3, signature)).Bytes(), nil
}

// LoadFileData returns the whole LOAD payload: the DAP blocks (concatenated
// E2 templates, may be empty) followed by C4 <BER length> <load file data
// block> (GPCS 2.3.1 §11.6.2.3, Table 11-58).
func LoadFileData(dapBlocks, lfdb []byte) []byte {
	b := append([]byte(nil), dapBlocks...)
	return tlv.AppendBERLV(append(b, 0xC4), lfdb)
}

// LoadBlocks splits payload (see LoadFileData) into LOAD commands of at most
// blockSize data bytes: 80 E8 <P1> <P2> Lc block, P1 00 while more blocks
// follow and 80 on the last, P2 the block number from 00 (GPCS 2.3.1
// §11.6.2.1–2, Tables 11-56, 11-57). More than 256 blocks is an error: raise
// the block size.
func LoadBlocks(payload []byte, blockSize int) ([]apdu.Capdu, error) {
	if blockSize < 1 || blockSize > apdu.MaxLenCommandDataStandard {
		return nil, fmt.Errorf("LOAD: block size %d, want 1 to 255", blockSize)
	}
	if len(payload) == 0 {
		return nil, fmt.Errorf("LOAD: empty payload")
	}
	n := (len(payload) + blockSize - 1) / blockSize
	if n > maxLoadBlocks {
		return nil, fmt.Errorf("LOAD: %d blocks exceed %d; raise the block size", n, maxLoadBlocks)
	}
	out := make([]apdu.Capdu, 0, n)
	for i := range n {
		chunk := payload[i*blockSize : min((i+1)*blockSize, len(payload))]
		c := apdu.Capdu{Cla: claGP, Ins: insLoad, P2: byte(i), Data: append([]byte(nil), chunk...), Ne: neMax}
		if i == n-1 {
			c.P1 = 0x80
		}
		out = append(out, c)
	}
	return out, nil
}

// CipheredLoadFileData returns the LOAD payload for a Ciphered Load File
// Data Block: the DAP blocks (may be empty), D3 <ICV> when icv is non-empty
// (only for an ICV other than zero), then D4 <BER length> <ciphered LFDB>
// (GPCS 2.3.1 §11.6.2.3, Table 11-58: tag D4 replaces C4 for a Security
// Domain with the Ciphered Load File Data Block privilege).
func CipheredLoadFileData(dapBlocks, icv, ciphered []byte) []byte {
	b := append([]byte(nil), dapBlocks...)
	if len(icv) > 0 {
		b = tlv.New(0xD3, icv).Append(b)
	}
	return tlv.AppendBERLV(append(b, 0xD4), ciphered)
}
