package sim

import (
	"bytes"

	"github.com/cardhost/cardhost/applet"
	"github.com/cardhost/cardhost/gpcard/sw"
	"github.com/cardhost/cardhost/gpcard/tlv"
	"github.com/cardhost/cardhost/sim/image"
)

// persoState is a STORE DATA sequence: its target (the selected SD itself,
// or the application named by INSTALL [for personalization]), the next
// block number, and the keys gathered so far for an SD target.
type persoState struct {
	target []byte
	next   int
	crt    *keyCRT
	keys   map[byte][]image.Key // by KVN
	kvns   []byte               // KVNs in arrival order
	iin    []byte
	cin    []byte
	rest   []byte // start of a DGI cut across blocks, completed by the next
	// sealed is the start of an encrypted DGI cut across blocks for an
	// applet target, decrypted when the next block completes it.
	sealed []byte
}

// keyCRT is a decoded DGI 00B9 key control reference template.
type keyCRT struct {
	usage, access, keyType, kid, kvn byte
	length                           int
	kcv                              []byte
}

// installForPerso opens personalization of an application associated with
// the requesting SD (GPCS 2.3.1 §11.5.2.3.5, Table 11-47). The target must be
// a Security Domain or an applet implementing applet.Personalizer.
func (c *Card) installForPerso(ch *channel, sd *image.App, f installFields) ([]byte, uint16) {
	s := c.state
	if !validAID(f.app) {
		return nil, sw.WrongData
	}
	app := s.App(f.app)
	if app == nil {
		return nil, sw.ReferencedDataNotFound
	}
	if !bytes.Equal(app.SD, sd.AID) || isISD(s, app.AID) || app.Locked() {
		return nil, sw.ConditionsNotSatisfied
	}
	if !app.IsSD() {
		if _, ok := c.instance(app).(applet.Personalizer); !ok {
			return nil, sw.ConditionsNotSatisfied
		}
	}
	ch.perso = &persoState{target: bytesClone(app.AID)}
	return []byte{0}, swOK
}

// storeData handles STORE DATA (GPCS 2.3.1 §11.11, Table 11-89): P1 b8 last
// block, b7–b6 encryption (00 none, 01 application dependent, 11 encrypted),
// b5–b4 structure (00 none, 01 DGI, 10 BER-TLV); P2 the block number from
// 00. For an applet target the data is forwarded to its StoreData,
// decrypted first when the block is encrypted (persoApplet). For an SD
// target: DGI 00B9 (key CRT) followed by DGI 8113 (the key, encrypted under
// the DEK rules whatever b7–b6 say) load keys; BER-TLV tags 42 and 45 set
// the identification and image numbers. An SD's data is committed with the
// last block, all at once.
func (c *Card) storeData(ch *channel, sd *image.App, cmd command) ([]byte, uint16) {
	enc, format := cmd.p1>>5&0x03, cmd.p1>>3&0x03
	if enc == 0x02 || format == 0x03 || cmd.p1&0x06 != 0 {
		ch.perso = nil
		return nil, sw.IncorrectP1P2
	}
	ps := ch.perso
	if ps == nil {
		ps = &persoState{target: bytesClone(sd.AID)}
		ch.perso = ps
	}
	if int(cmd.p2) != ps.next || ps.next > 0xFF {
		ch.perso = nil
		return nil, sw.IncorrectP1P2
	}
	ps.next++
	last := cmd.p1&0x80 != 0
	target := c.state.App(ps.target)
	if target == nil {
		ch.perso = nil
		return nil, sw.ReferencedDataNotFound
	}
	if last {
		ch.perso = nil
	}
	if !target.IsSD() {
		return c.persoApplet(ch, ps, target, cmd, last)
	}
	var status uint16
	switch format {
	case 0x01:
		ps.rest, status = ps.dgis(ch.sess, append(ps.rest, cmd.data...))
		if status == swOK && last && len(ps.rest) != 0 {
			status = sw.WrongData // the last block ends inside a DGI
		}
	case 0x02:
		status = ps.ber(cmd.data)
	default:
		status = sw.WrongData
	}
	if status != swOK {
		ch.perso = nil
		return nil, status
	}
	if !last {
		return nil, swOK
	}
	if ps.crt != nil {
		return nil, sw.WrongData // a key template without its key
	}
	return c.update(func(s *image.State) ([]byte, uint16) {
		d := s.App(ps.target).Domain
		if ps.iin != nil {
			d.IIN = ps.iin
		}
		if ps.cin != nil {
			d.CIN = ps.cin
		}
		for _, kvn := range ps.kvns {
			replace := byte(0)
			if d.KeySet(kvn) != nil {
				replace = kvn
			}
			if st := storeKeys(d, replace, kvn, ps.keys[kvn]); st != swOK {
				return nil, st
			}
		}
		return nil, swOK
	})
}

// persoApplet forwards a STORE DATA block to a Personalizer applet with its
// data field decrypted, as the applet contract says (applet.Personalizer).
// A block announced as encrypted (P1 b7–b6 = 11, GPCS 2.3.1 §11.11.2.1,
// Table 11-89) in DGI format carries DGIs whose values are encrypted under
// the DEK of the SD's secure channel (gp-card.md §1.8); the SD decrypts them
// (openDGIs) and the applet receives the same DGIs in clear, with the same
// P1, so it still sees b7–b6 = 11. Clear blocks (00) and application
// dependent encryption (01, the applet's own business) pass unchanged. A
// failure ends the STORE DATA sequence.
func (c *Card) persoApplet(ch *channel, ps *persoState, app *image.App, cmd command, last bool) ([]byte, uint16) {
	p, ok := c.instance(app).(applet.Personalizer)
	if !ok {
		return nil, sw.ConditionsNotSatisfied
	}
	data, status := ps.appletData(ch.sess, cmd, last)
	if status != swOK {
		ch.perso = nil
		return nil, status
	}
	return c.appletCall(app, 0, func(ctx applet.Context) ([]byte, uint16) { return nil, p.StoreData(ctx, cmd.p1, data) })
}

// appletData returns the data field of a STORE DATA block as the applet
// gets it. Encrypted data must be in DGI format (the simulator decrypts
// nothing else: 6A86); an encrypted DGI cut across blocks waits for the
// next block, which must be encrypted too, and the last block may not end
// inside one (6A80).
func (ps *persoState) appletData(sess session, cmd command, last bool) ([]byte, uint16) {
	enc, format := cmd.p1>>5&0x03, cmd.p1>>3&0x03
	if enc != 0x03 {
		if len(ps.sealed) != 0 {
			return nil, sw.WrongData // an encrypted DGI left unfinished
		}
		return bytesClone(cmd.data), swOK
	}
	if format != 0x01 {
		return nil, sw.IncorrectP1P2
	}
	out, rest, status := openDGIs(sess, append(ps.sealed, cmd.data...))
	if status != swOK {
		return nil, status
	}
	if last && len(rest) != 0 {
		return nil, sw.WrongData
	}
	ps.sealed = rest
	return out, swOK
}

// openDGIs decrypts the value of every complete DGI of data with the
// session's DEK (sess.decryptKeyData: SCP02 3DES-ECB under the session DEK,
// GPCS 2.3.1 §E.4.7; SCP03 AES-CBC with ICV 0 under the static Key-DEK, Amd
// D §6.2.1) and returns the DGIs in clear, headers unchanged, and the start
// of a DGI the data ends inside of. Neither protocol defines a padding for
// sensitive data, so none is removed and a value must be a non-empty
// multiple of the cipher block (6A80 otherwise, checked as soon as the
// length is read). The SD cannot tell a wrong DEK: integrity of the clear
// value is the application's to check (GlobalPlatform API SecureChannel
// decryptData).
func openDGIs(sess session, data []byte) (out, rest []byte, status uint16) {
	bs := sess.blockSize()
	for len(data) > 0 {
		n, hdr, ok := dgiHeader(data)
		if !ok {
			return out, bytesClone(data), swOK
		}
		if n == 0 || n%bs != 0 {
			return nil, nil, sw.WrongData
		}
		if len(data) < hdr+n {
			return out, bytesClone(data), swOK
		}
		pt, status := sess.decryptKeyData(data[hdr : hdr+n])
		if status != swOK {
			return nil, nil, status
		}
		out = append(append(out, data[:hdr]...), pt...)
		clear(pt)
		data = data[hdr+n:]
	}
	return out, nil, swOK
}

// dgiHeader reads a DGI header (GPCS 2.3.1 §11.11.2.3: 2-byte identifier,
// length 1 byte 00–FE or FF and 2 bytes) and returns the value length and
// header length, or false when data ends inside the header.
func dgiHeader(data []byte) (n, hdr int, ok bool) {
	if len(data) < 3 || (data[2] == 0xFF && len(data) < 5) {
		return 0, 0, false
	}
	if data[2] == 0xFF {
		return int(data[3])<<8 | int(data[4]), 5, true
	}
	return int(data[2]), 3, true
}

// dgis processes DGI-formatted data (GPCS 2.3.1 §11.11.4; DGI = 2-byte tag,
// length 1 byte or FF + 2 bytes) and returns the bytes of a DGI the block
// ends inside of: a DGI may be cut across STORE DATA blocks, as hosts split
// the DGI stream at the block size (gpcard/command.StoreData, and the
// applets' STORE DATA, e.g. applet/payment), so it is completed by the next
// block. At most 65540 bytes wait (one DGI header and value).
func (ps *persoState) dgis(sess session, data []byte) ([]byte, uint16) {
	for len(data) > 0 {
		n, hdr, ok := dgiHeader(data)
		if !ok {
			return bytesClone(data), swOK
		}
		dgi := uint16(data[0])<<8 | uint16(data[1])
		if len(data) < hdr+n {
			return bytesClone(data), swOK
		}
		v := data[hdr : hdr+n]
		data = data[hdr+n:]
		var st uint16
		switch dgi {
		case 0x00B9:
			st = ps.keyTemplate(v)
		case 0x8113:
			st = ps.keyValue(sess, v)
		default:
			st = sw.WrongData // other DGIs are not supported
		}
		if st != swOK {
			return nil, st
		}
	}
	return nil, swOK
}

// keyTemplate decodes DGI 00B9 (GPCS 2.3.1 Tables 11-91..11-93): optionally
// wrapped in B9, tags 95 usage, 96 access, 80 type, 81 length, 82 KID, 83
// KVN, 84 KCV.
func (ps *persoState) keyTemplate(v []byte) uint16 {
	if ps.crt != nil {
		return sw.WrongData
	}
	objs, err := tlv.Parse(v)
	if err != nil {
		return sw.WrongData
	}
	if b9, ok := tlv.Find(objs, 0xB9); ok && len(objs) == 1 {
		objs = b9.Children
	}
	crt := &keyCRT{}
	one := func(tag tlv.Tag, dst *byte, required bool) bool {
		o, ok := tlv.Find(objs, tag)
		if !ok {
			return !required
		}
		if len(o.Value) != 1 {
			return false
		}
		*dst = o.Value[0]
		return true
	}
	var kt byte
	if !one(0x95, &crt.usage, false) || !one(0x96, &crt.access, false) || !one(0x80, &kt, true) ||
		!one(0x82, &crt.kid, true) || !one(0x83, &crt.kvn, true) {
		return sw.WrongData
	}
	crt.keyType = kt
	l, ok := tlv.Find(objs, 0x81)
	if !ok || len(l.Value) == 0 || len(l.Value) > 2 {
		return sw.WrongData
	}
	for _, b := range l.Value {
		crt.length = crt.length<<8 | int(b)
	}
	if k, ok := tlv.Find(objs, 0x84); ok {
		crt.kcv = k.Value
	}
	ps.crt = crt
	return swOK
}

// keyValue decrypts DGI 8113 for the pending template and checks its KCV.
func (ps *persoState) keyValue(sess session, v []byte) uint16 {
	crt := ps.crt
	ps.crt = nil
	if crt == nil || crt.length == 0 || crt.length > len(v) {
		return sw.WrongData
	}
	key, st := decryptKey(sess, v)
	if st != swOK {
		return st
	}
	if len(key) < crt.length {
		return sw.WrongData
	}
	key = key[:crt.length]
	kcv, st := keyCheck(crt.keyType, key)
	if st != swOK {
		return st
	}
	if crt.kcv != nil {
		if st := verifyKCV(kcv, crt.kcv); st != swOK {
			return st
		}
	}
	if ps.keys == nil {
		ps.keys = map[byte][]image.Key{}
	}
	if _, ok := ps.keys[crt.kvn]; !ok {
		ps.kvns = append(ps.kvns, crt.kvn)
	}
	ps.keys[crt.kvn] = append(ps.keys[crt.kvn], image.Key{
		ID: crt.kid, Type: crt.keyType, Value: key, Usage: crt.usage, Access: crt.access,
	})
	return swOK
}

// ber processes BER-TLV data for an SD: 42 and 45.
func (ps *persoState) ber(data []byte) uint16 {
	objs, err := tlv.Parse(data)
	if err != nil {
		return sw.WrongData
	}
	for _, o := range objs {
		switch o.Tag {
		case 0x42:
			ps.iin = o.Value
		case 0x45:
			ps.cin = o.Value
		default:
			return sw.WrongData
		}
	}
	return swOK
}
