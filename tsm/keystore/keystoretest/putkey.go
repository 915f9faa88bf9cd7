package keystoretest

import (
	"bytes"
	"fmt"

	"github.com/cardhost/cardhost/gpcard/gpcrypto"
	"github.com/cardhost/cardhost/gpcard/keys"
	"github.com/cardhost/cardhost/tsm/keystore"
)

func testPutKeySCP02(e *env) {
	e.importKs()
	p := e.provider("des-k")
	// GPPro TestPlaintextKeys: 3DES-ECB(S-DEK of K at seq 0000, K).
	w, err := p.WrapKey(e.ctx, keys.WrapRequest{Session: keys.SessionInput{SCP: 2, I: 0x15, KVN: 1, KDD: make([]byte, 10), Sequence: hexb(e.t, "0000")}, New: keys.KeyRef{KVN: 1, KID: 1}})
	e.must("WrapKey", err)
	if !bytes.Equal(w.Cipher, hexb(e.t, "EFBEE6C6D99D7B70BDE9D7E927F020AF")) || fmt.Sprintf("%X", w.KCV) != "8BAF47" || w.Type != keys.DES3 || w.ClearLen != 16 {
		e.t.Errorf("WrapKey = %X KCV %X %v %d, want EFBEE6C6D99D7B70BDE9D7E927F020AF KCV 8BAF47 3DES 16", w.Cipher, w.KCV, w.Type, w.ClearLen)
	}
}

func testPutKeySCP03(e *env) {
	e.importKs()
	gen, err := e.s.Generate(e.ctx, keystore.GenerateRequest{Label: "card/0001/ssd", Kind: keystore.Static, Type: keys.AES128, KVN: 0x33, Usage: keystore.UseChannel | keystore.UsePutKey})
	e.must("Generate", err)
	e.importMaster("div-put", keys.AES128, keys.KDF3, 0x34, keystore.UsePutKey, keyK)
	e.importStatic("aes256", keys.AES256, 0x35, keystore.UsePutKey, kdf3Master256, kdf3Master256, kdf3Master256, "")
	p := e.provider("aes-k", "card/0001/ssd", "div-put", "aes256")
	in := keys.SessionInput{SCP: 3, KVN: 0x31, KDD: hexb(e.t, kdd0to9)}
	dek := hexb(e.t, keyK) // the static DEK of aes-k (Amd D §6.2.1: no session DEK)
	for kid := byte(1); kid <= 3; kid++ {
		for _, c := range []struct {
			kvn  byte
			want string
		}{{0x33, gen.KCVs[kid-1].String()}, {0x34, diversifications[2].kcvs[kid-1]}} {
			w, err := p.WrapKey(e.ctx, keys.WrapRequest{Session: in, New: keys.KeyRef{KVN: c.kvn, KID: kid}})
			e.must("WrapKey", err)
			plain, err := gpcrypto.AESCBCDecrypt(dek, nil, w.Cipher)
			e.must("decrypt", err)
			if got := fmt.Sprintf("%X", gpKCV(e.t, keys.AES128, plain)); got != c.want || fmt.Sprintf("%X", w.KCV) != c.want || w.Type != keys.AES128 || w.ClearLen != 16 {
				e.t.Errorf("KVN %02X key %d: cryptogram decrypts to a key with KCV %s, WrapKey says %X, want %s", c.kvn, kid, got, w.KCV, c.want)
			}
			clear(plain)
		}
	}
	if _, err := p.WrapKey(e.ctx, keys.WrapRequest{Session: in, New: keys.KeyRef{KVN: 0x35, KID: 1}}); err == nil {
		e.t.Error("an AES-128 DEK encrypted an AES-256 key (GPCS 2.3.1 §11.8.2.3.4)")
	}
}

func testUsage(e *env) {
	e.importKs()
	_, err := e.s.Generate(e.ctx, keystore.GenerateRequest{Label: "put-only", Kind: keystore.Static, Type: keys.AES128, KVN: 0x36, Usage: keystore.UsePutKey})
	e.must("Generate", err)
	p := e.provider("aes-k", "kaoh-aes", "put-only")
	_, err = p.WrapKey(e.ctx, keys.WrapRequest{Session: keys.SessionInput{SCP: 3, KVN: 0x31}, New: keys.KeyRef{KVN: 0x30, KID: 1}})
	e.wantErr("wrapping a channel-only key", err, keystore.ErrUsage)
	_, err = p.SessionKeys(e.ctx, keys.SessionInput{SCP: 3, KVN: 0x36, HostChallenge: make([]byte, 8), CardChallenge: make([]byte, 8)})
	e.wantErr("opening a channel with a put-key-only set", err, keystore.ErrUsage)
	_, err = p.PseudoRandomChallenge(e.ctx, keys.SessionInput{SCP: 3, KVN: 0x36, Sequence: []byte{0, 0, 1}}, hexb(e.t, "A000000151000000"))
	e.wantErr("challenge with a put-key-only set", err, keystore.ErrUsage)
}

func testGenerate(e *env) {
	reqs := []keystore.GenerateRequest{
		{Label: "gen/aes", Kind: keystore.Static, Type: keys.AES128, KVN: 0x40, Usage: keystore.UseChannel | keystore.UsePutKey},
		{Label: "gen/des", Kind: keystore.Static, Type: keys.DES3, KVN: 0x41, Usage: keystore.UseChannel | keystore.UsePutKey},
		{Label: "gen/aes256", Kind: keystore.Static, Type: keys.AES256, KVN: 0x42, Usage: keystore.UseChannel},
		{Label: "gen/master", Kind: keystore.Master, Type: keys.AES256, Method: keys.KDF3, KVN: 0x43, Usage: keystore.UseChannel},
	}
	var made []keystore.Metadata
	for _, r := range reqs {
		m, err := e.s.Generate(e.ctx, r)
		e.must("Generate "+r.Label, err)
		if m.Label != r.Label || m.Type != r.Type || m.KVN != r.KVN || len(m.KCVs) != r.Kind.KeyCount() || !m.Created.Equal(created) {
			e.t.Errorf("Generate %s = %+v", r.Label, m)
		}
		made = append(made, m)
	}
	if bytes.Equal(made[0].KCVs[0], made[0].KCVs[1]) && bytes.Equal(made[0].KCVs[1], made[0].KCVs[2]) {
		e.t.Error("generated ENC, MAC and DEK have the same KCV")
	}
	_, err := e.s.Generate(e.ctx, reqs[0])
	e.wantErr("Generate with a label in use", err, keystore.ErrExists)
	p := e.provider("gen/aes", "gen/des", "gen/aes256")
	for _, m := range made[:3] {
		info, err := p.KeySet(e.ctx, m.KVN, nil)
		e.must("KeySet", err)
		for i := range info.KCV {
			if !bytes.Equal(info.KCV[i], m.KCVs[i]) {
				e.t.Errorf("%s key %d: KeySet KCV %X, Generate said %v", m.Label, i+1, info.KCV[i], m.KCVs[i])
			}
		}
	}
	s2 := e.reopen(e.t)
	defer s2.Close()
	list, err := s2.List(e.ctx)
	e.must("List after reopen", err)
	if len(list) != len(made) {
		e.t.Fatalf("after reopen: %d entries, want %d", len(list), len(made))
	}
	for i, m := range []keystore.Metadata{made[0], made[2], made[1], made[3]} { // sorted by label
		if !sameMeta(list[i], m) {
			e.t.Errorf("after reopen: %+v, want %+v", list[i], m)
		}
	}
}
