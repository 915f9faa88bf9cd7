package sim

import (
	"bytes"
	"crypto"
	"crypto/subtle"
	"crypto/x509"

	// Hash implementations for LFDB hashes (SHA-1, SHA-2).
	_ "crypto/sha1"
	_ "crypto/sha256"
	_ "crypto/sha512"

	"github.com/cardhost/cardhost/applet/cap"
	"github.com/cardhost/cardhost/applet/dap"
	"github.com/cardhost/cardhost/gpcard/sw"
	"github.com/cardhost/cardhost/gpcard/tlv"
	"github.com/cardhost/cardhost/sim/image"
)

// loadState is an INSTALL [for load] waiting for its LOAD blocks; it lives in
// the channel (volatile), so power loss leaves nothing behind.
type loadState struct {
	aid, sd, hash []byte
	declared      int  // non-volatile size announced in EF { C6 / C8 }
	next          int  // expected block number
	delegated     bool // INSTALL [for load] carried a verified token
	kvn           byte // key set of a ciphered LFDB's key (see lfdbKeySet)
	buf           []byte
}

// installForLoad checks INSTALL [for load] (GPCS 2.3.1 §11.5.2.3.1, Table
// 11-42) and opens the load on the channel. delegated marks a load
// authorised by a token: its last LOAD answers with a load receipt.
func (c *Card) installForLoad(ch *channel, sd *image.App, f installFields, delegated bool) ([]byte, uint16) {
	s := c.state
	if !validAID(f.loadFile) || (len(f.sd) != 0 && !validAID(f.sd)) {
		return nil, sw.WrongData
	}
	switch len(f.hash) {
	case 0, 20, 32, 48, 64:
	default:
		return nil, sw.WrongData
	}
	target := sd.AID
	if len(f.sd) != 0 {
		target = f.sd
	}
	tsd := s.App(target)
	if tsd == nil || !tsd.IsSD() {
		return nil, sw.ReferencedDataNotFound
	}
	if !mayManage(s, sd, target) {
		return nil, sw.SecurityStatus
	}
	if s.LoadFile(f.loadFile) != nil || s.App(f.loadFile) != nil {
		return nil, sw.ConditionsNotSatisfied
	}
	declared := 0
	if len(f.params) > 0 {
		objs, err := tlv.Parse(f.params)
		if err != nil {
			return nil, sw.WrongData
		}
		if ef, ok := tlv.Find(objs, 0xEF); ok {
			for _, t := range []tlv.Tag{0xC6, 0xC8} { // NV code / NV data (Table 11-50)
				if o, ok := ef.Find(t); ok {
					for _, v := range o.Value {
						declared = declared<<8 | int(v)
						if declared > 1<<30 {
							return nil, sw.NotEnoughMemory
						}
					}
				}
			}
		}
	}
	if declared > s.MemoryFree() {
		return nil, sw.NotEnoughMemory
	}
	ld := &loadState{aid: bytesClone(f.loadFile), sd: bytesClone(target), hash: bytesClone(f.hash), declared: declared, delegated: delegated}
	if has(tsd.Privileges[2], privCipheredLFB) {
		// GPCS 2.3.1 §11.5.2.3.1: the hash is mandatory for a ciphered LFDB.
		if len(f.hash) == 0 {
			return nil, sw.WrongData
		}
		ks := lfdbKeySet(tsd, sd, ch)
		if ks == nil {
			return nil, sw.ReferencedDataNotFound
		}
		ld.kvn = ks.KVN
	}
	ch.load = ld
	return []byte{0}, swOK
}

// loadBlock handles LOAD (GPCS 2.3.1 §11.6, Table 11-56): P1 00 more blocks,
// 80 last block; P2 the block number, strictly from 00 upwards. A wrong
// sequence aborts the load (6A86). The file is processed after the last
// block.
func (c *Card) loadBlock(ch *channel, sd *image.App, cmd command) ([]byte, uint16) {
	ld := ch.load
	if ld == nil {
		return nil, sw.ConditionsNotSatisfied
	}
	if (cmd.p1 != 0x00 && cmd.p1 != 0x80) || int(cmd.p2) != ld.next&0xFF || ld.next > 0xFF {
		ch.load = nil
		return nil, sw.IncorrectP1P2
	}
	// The file cannot be larger than the free memory (plus tag overhead).
	if len(ld.buf)+len(cmd.data) > c.state.MemoryFree()+1024 {
		ch.load = nil
		return nil, sw.NotEnoughMemory
	}
	ld.buf = append(ld.buf, cmd.data...)
	ld.next++
	if cmd.p1 == 0x00 {
		return nil, swOK
	}
	ch.load = nil
	return c.update(func(s *image.State) ([]byte, uint16) {
		if st := c.finishLoad(s, ld); st != swOK {
			return nil, st
		}
		if ld.delegated {
			return confirm(s, ld.aid, ld.sd) // load receipt: ELF, SD
		}
		return []byte{0}, swOK
	})
}

// finishLoad parses the Load File — optional DAP blocks E2 then C4 with the
// Load File Data Block (GPCS 2.3.1 §11.6.2.3, Table 11-58) — checks hash
// and DAPs, parses the CAP components and registers the load file.
func (c *Card) finishLoad(s *image.State, ld *loadState) uint16 {
	objs, err := tlv.Parse(ld.buf)
	if err != nil || len(objs) == 0 {
		return sw.WrongData
	}
	last := objs[len(objs)-1]
	lfdb, st := c.loadFileDataBlock(s, ld, objs)
	if st != swOK {
		return st
	}
	var blocks []dap.Block
	for _, o := range objs[:len(objs)-1] {
		if o.Tag == 0xD3 && last.Tag == 0xD4 {
			continue // ICV of the ciphered block
		}
		if o.Tag != 0xE2 {
			return sw.WrongData
		}
		b, err := dap.ParseBlock(o.Bytes())
		if err != nil {
			return sw.WrongData
		}
		blocks = append(blocks, b)
	}
	if len(ld.hash) != 0 {
		h := hashForLength(len(ld.hash))
		d := h.New()
		d.Write(lfdb)
		if subtle.ConstantTimeCompare(d.Sum(nil), ld.hash) != 1 {
			return sw.WrongData
		}
	}
	if st := checkDAPs(s, ld, lfdb, blocks); st != swOK {
		return st
	}
	f, err := cap.ParseIJC("LOAD", lfdb)
	if err != nil {
		return sw.WrongData
	}
	if !bytes.Equal(f.LoadFileAID(), ld.aid) {
		return sw.WrongData
	}
	size := max(len(lfdb), ld.declared)
	if size > s.MemoryFree() {
		return sw.NotEnoughMemory
	}
	lf := image.LoadFile{AID: ld.aid, SD: ld.sd, LifeCycle: image.LoadFileLoaded, Size: size, Hash: ld.hash}
	if p := f.Package(); !f.Extended() {
		lf.Version = [2]byte{p.Version.Major, p.Version.Minor}
	} else {
		lf.Version = [2]byte{f.CAPVersion.Major, f.CAPVersion.Minor}
	}
	for _, a := range f.Applets {
		lf.Modules = append(lf.Modules, bytesClone(a.AID))
	}
	for _, imp := range f.Imports {
		lf.Imports = append(lf.Imports, bytesClone(imp.AID))
	}
	s.LoadFiles = append(s.LoadFiles, lf)
	return swOK
}

// hashForLength maps an LFDB hash length to its algorithm.
func hashForLength(n int) crypto.Hash {
	switch n {
	case 20:
		return crypto.SHA1
	case 48:
		return crypto.SHA384
	case 64:
		return crypto.SHA512
	}
	return crypto.SHA256
}

// checkDAPs enforces DAP verification (GPCS 2.3.1 §9.2.1, §11.6.2.2): the
// load file's SD, if it has DAP Verification, and every SD with Mandated
// DAP Verification must find a verifying DAP block for it; the signature is
// over the LFDB hash given in INSTALL [for load] (mandatory then). Missing or
// failing: 6982.
func checkDAPs(s *image.State, ld *loadState, lfdb []byte, blocks []dap.Block) uint16 {
	var verifiers []*image.App
	for i := range s.Apps {
		a := &s.Apps[i]
		if !a.IsSD() {
			continue
		}
		mandated := has(a.Privileges[0], privMandatedDAP)
		own := bytes.Equal(a.AID, ld.sd) && has(a.Privileges[0], privDAPVerification)
		if mandated || own {
			verifiers = append(verifiers, a)
		}
	}
	for _, v := range verifiers {
		if len(ld.hash) == 0 || v.Domain.DAP == nil {
			return sw.SecurityStatus
		}
		pub, err := x509.ParsePKIXPublicKey(v.Domain.DAP.PKIX)
		if err != nil {
			return sw.SecurityStatus
		}
		ok := false
		for _, b := range blocks {
			if bytes.Equal(b.SecurityDomainAID, v.AID) &&
				dap.Verify(dap.Scheme(v.Domain.DAP.Scheme), pub, ld.hash, b.Signature) == nil {
				ok = true
			}
		}
		if !ok {
			return sw.SecurityStatus
		}
	}
	return swOK
}
