package gpcard

import (
	"context"
	"crypto"
	"errors"
	"fmt"

	"github.com/cardhost/cardhost/applet/cap"
	"github.com/cardhost/cardhost/applet/dap"
	"github.com/cardhost/cardhost/gpcard/command"
	"github.com/skythen/apdu"
)

// LoadOptions configure Load. The zero value loads into the selected
// Security Domain without hash, DAP or Descriptor.
type LoadOptions struct {
	// SD is the Security Domain the load file is associated with; nil means
	// the selected one.
	SD []byte
	// Hash, when non-zero, sends the Load File Data Block hash (SHA-1, -256,
	// -384 or -512) in INSTALL [for load]; DAP blocks need it.
	Hash crypto.Hash
	// DAP blocks precede the load file data block (GPCS 2.3.1 §11.6.2.3).
	DAP []dap.Block
	// Descriptor includes the Descriptor component, as GPShell does.
	Descriptor bool
	// System are the memory limits of the load parameters (EF).
	System command.SystemParams
	// Token is the load token (delegated management); without one, a
	// Delegation (SetDelegation) signs it.
	Token []byte
	// Ciphered sends the load file data block encrypted, in tag D4 instead of
	// C4 (GPCS 2.3.1 §11.6.2.3, Table 11-58), as a Security Domain with the
	// Ciphered Load File Data Block privilege requires. The key provider
	// encrypts it with the static Key-DEK of the session's key set
	// (keys.LoadFileEncrypter). Hash must be set; it is the hash of the
	// clear block, which is what DAPs sign.
	Ciphered bool
	// BlockSize, when non-zero, lowers the LOAD block size below the
	// largest the card and the channel allow.
	BlockSize int
	// Progress, when set, is called after each LOAD block with the payload
	// bytes sent so far and the total.
	Progress func(sent, total int)
}

// BUG(cardhost): GPCS 2.3.1 names the Ciphered Load File Data Block (tag
// D4, optional ICV D3) but the key and cipher LoadOptions.Ciphered uses
// (static Key-DEK, CBC, zero ICV, ISO 9797-1 method 2 padding, hash over the
// clear block) are this project's choice, matched by the simulator, not
// checked against a card or a published vector.

// LoadResult describes a completed load.
type LoadResult struct {
	LoadFile  HexBytes `json:"load_file"`
	Hash      HexBytes `json:"hash,omitempty"`
	Bytes     int      `json:"bytes"` // LOAD payload bytes (DAP blocks and C4 load file)
	Blocks    int      `json:"blocks"`
	BlockSize int      `json:"block_size"`
}

// Load sends INSTALL [for load] and the load file in ceil(payload / block
// size) LOAD commands (GPCS 2.3.1 §11.5.2.3.1, §11.6). The block size is the
// largest the card announces (FCI 9F65) and the secure channel can wrap
// (255, or 65535 with extended length, minus MAC and padding). It needs a
// secure channel. With a Delegation (SetDelegation) INSTALL [for load]
// carries a token and the receipt of the last LOAD is verified.
func (c *Card) Load(ctx context.Context, f *cap.File, o LoadOptions) (*LoadResult, error) {
	s, err := c.secured()
	if err != nil {
		return nil, err
	}
	if f == nil {
		return nil, errors.New("gpcard: Load needs a CAP file")
	}
	lo := cap.LoadOptions{IncludeDescriptor: o.Descriptor}
	res := &LoadResult{LoadFile: f.LoadFileAID()}
	if o.Hash != 0 {
		if res.Hash, err = f.LoadFileDataBlockHash(o.Hash, lo); err != nil {
			return nil, err
		}
	} else if len(o.DAP) > 0 {
		return nil, errors.New("gpcard: DAP blocks need a load file data block hash (LoadOptions.Hash)")
	}
	if o.Ciphered && o.Hash == 0 {
		return nil, errors.New("gpcard: a ciphered load file data block needs its hash (LoadOptions.Hash)")
	}
	var daps []byte
	for _, b := range o.DAP {
		db, err := b.Bytes()
		if err != nil {
			return nil, err
		}
		daps = append(daps, db...)
	}
	payload := command.LoadFileData(daps, f.LoadFileDataBlock(lo))
	if o.Ciphered {
		ct, err := s.EncryptLoadFile(ctx, f.LoadFileDataBlock(lo))
		if err != nil {
			return nil, err
		}
		payload = command.CipheredLoadFileData(daps, nil, ct)
	}
	sd := o.SD
	if sd == nil {
		sd = c.fci.AID
	}
	cmd, err := command.InstallForLoad(command.InstallForLoadParams{LoadFile: res.LoadFile, SecurityDomain: sd, Hash: res.Hash, System: o.System, Token: o.Token})
	if err != nil {
		return nil, err
	}
	cmd, tokened, err := c.withToken(ctx, cmd, o.Token)
	if err != nil {
		return nil, err
	}
	if _, err := c.exchange(ctx, command.NameInstallForLoad, cmd); err != nil {
		return nil, err
	}
	res.BlockSize = c.blockSize(s, o.BlockSize)
	blocks, err := loadCommands(payload, res.BlockSize)
	if err != nil {
		return nil, err
	}
	res.Bytes, res.Blocks = len(payload), len(blocks)
	sent := 0
	for i, b := range blocks {
		r, err := c.exchange(ctx, command.NameLoad, b)
		if err != nil {
			return nil, fmt.Errorf("block %d of %d: %w", b.P2, len(blocks), err)
		}
		sent += len(b.Data)
		if o.Progress != nil {
			o.Progress(sent, len(payload))
		}
		if i == len(blocks)-1 {
			// Load receipt context: ELF, SD (GPCS 2.3.1 §C.5).
			if err := c.checkReceipt(ctx, command.NameLoad, r.Data, tokened, res.LoadFile, sd); err != nil {
				return nil, err
			}
		}
	}
	return res, nil
}

// blockSize is the largest LOAD data field: what the channel can wrap,
// lowered to the card's maximum (FCI 9F65) and to the caller's limit.
func (c *Card) blockSize(s session, limit int) int {
	n := s.MaxCommandData()
	if m := c.fci.MaxCommandData; m > 0 && m < n {
		n = m
	}
	if limit > 0 && limit < n {
		n = limit
	}
	return n
}

// loadCommands splits payload into LOAD commands. Blocks above 255 bytes
// (extended length) are built here with the same layout as
// command.LoadBlocks: 80 E8 <80 on the last block> <block number> (GPCS
// 2.3.1 §11.6.2, Table 11-56); P2 is one byte, so at most 256 blocks.
func loadCommands(payload []byte, size int) ([]apdu.Capdu, error) {
	if size <= apdu.MaxLenCommandDataStandard {
		return command.LoadBlocks(payload, size)
	}
	n := (len(payload) + size - 1) / size
	if n == 0 || n > 256 {
		return nil, fmt.Errorf("LOAD: %d blocks, want 1 to 256", n)
	}
	out := make([]apdu.Capdu, n)
	for i := range out {
		out[i] = apdu.Capdu{Cla: 0x80, Ins: 0xE8, P2: byte(i), Data: payload[i*size : min((i+1)*size, len(payload))], Ne: 256}
		if i == n-1 {
			out[i].P1 = 0x80
		}
	}
	return out, nil
}
