package keystoretest

import (
	"bytes"
	"fmt"

	"github.com/cardhost/cardhost/gpcard/gpcrypto"
	"github.com/cardhost/cardhost/gpcard/keys"
	"github.com/cardhost/cardhost/gpcard/secret"
	"github.com/cardhost/cardhost/tsm/keystore"
)

// checkSession compares session keys with a vector's published values.
func (e *env) checkSession(name string, sk *keys.SessionKeys, v sessionVector) {
	e.t.Helper()
	for _, k := range []struct {
		name string
		got  secret.Key
		want string
	}{{"S-ENC", sk.ENC, v.senc}, {"S-MAC", sk.MAC, v.smac}, {"S-RMAC", sk.RMAC, v.srmac}} {
		if k.want != "" && !bytes.Equal(k.got.Bytes(), hexb(e.t, k.want)) {
			e.t.Errorf("%s: %s = %X, want %s", name, k.name, k.got.Bytes(), k.want)
		}
	}
}

func (v sessionVector) input(e *env) keys.SessionInput {
	in := keys.SessionInput{SCP: v.scp, I: v.i, KVN: v.kvn, KDD: make([]byte, keys.KDDLen), Sequence: hexb(e.t, v.seq)}
	if v.scp == 3 {
		in.HostChallenge, in.CardChallenge = hexb(e.t, v.host), hexb(e.t, v.card)
	}
	return in
}

func testSCP02SessionKeys(e *env) {
	e.importKs()
	p := e.provider("des-k", "kaoh-aes", "aes-k")
	for _, v := range scp02Sessions {
		sk, err := p.SessionKeys(e.ctx, v.input(e))
		e.must(v.name, err)
		e.checkSession(v.name, sk, v)
		sk.Zero()
	}
	in := scp02Sessions[0].input(e)
	in.I = 0x14 // one base key: ENC serves for all, which here is K too
	sk, err := p.SessionKeys(e.ctx, in)
	e.must("one base key", err)
	e.checkSession("one base key", sk, scp02Sessions[0])
}

func testSCP03SessionKeys(e *env) {
	e.importKs()
	p := e.provider("des-k", "kaoh-aes", "aes-k", "kaoh-aes192")
	for _, v := range scp03Sessions {
		sk, err := p.SessionKeys(e.ctx, v.input(e))
		e.must(v.name, err)
		e.checkSession(v.name, sk, v)
		sk.Zero()
		if v.seq == "" {
			continue
		}
		// Amd D §6.2.2.1: the card challenge of a pseudo-random card.
		ch, err := p.PseudoRandomChallenge(e.ctx, v.input(e), hexb(e.t, "A000000151000000"))
		e.must(v.name+" challenge", err)
		if !bytes.Equal(ch, hexb(e.t, v.card)) {
			e.t.Errorf("%s: pseudo-random challenge = %X, want %s", v.name, ch, v.card)
		}
	}
	in := scp03Sessions[0].input(e)
	in.SCP = 2
	_, err := p.SessionKeys(e.ctx, in)
	if err == nil {
		e.t.Error("SCP02 session with the AES entry succeeded")
	}
}

func testKCVs(e *env) {
	e.importKs()
	p := e.provider("des-k", "aes-k")
	for _, c := range []struct {
		kvn  byte
		typ  keys.Type
		want string
	}{{0x01, keys.DES3, "8BAF47"}, {0x31, keys.AES128, "504A77"}} {
		info, err := p.KeySet(e.ctx, c.kvn, nil)
		e.must("KeySet", err)
		if info.KVN != c.kvn || info.Type != c.typ {
			e.t.Errorf("KeySet(%02X) = KVN %02X %v", c.kvn, info.KVN, info.Type)
		}
		for i, k := range info.KCV {
			if fmt.Sprintf("%X", k) != c.want {
				e.t.Errorf("KVN %02X key %d: KCV %X, want %s (vectors.md §1; for AES not CKA_CHECK_VALUE)", c.kvn, i+1, k, c.want)
			}
		}
	}
}

func testDiversification(e *env) {
	for i, v := range diversifications {
		ty := typeOf(e.t, v.typ)
		m, err := keystore.ParseMethod(v.method)
		e.must("method", err)
		label := fmt.Sprintf("div-%d", i)
		e.importMaster(label, ty, m, 0, keystore.UseChannel, v.master)
		info, err := e.provider(label).KeySet(e.ctx, 0x20, hexb(e.t, v.kdd))
		e.must(v.name, err)
		if got := fmt.Sprintf("%X %X %X", info.KCV[0], info.KCV[1], info.KCV[2]); got != fmt.Sprintf("%s %s %s", v.kcvs[0], v.kcvs[1], v.kcvs[2]) {
			e.t.Errorf("%s: KCVs %s, want %v", v.name, got, v.kcvs)
		}
	}
	// The stores' SCP02 sessions with EMV / VISA2 masters equal those of the
	// published diversified keys, used as plain keys by gpcard/keys.
	kdd := hexb(e.t, kdd0to9)
	for i, pub := range [][3]string{{emvENC, emvMAC, emvDEK}, {visa2ENC, visa2MAC, visa2DEK}} {
		ref := keys.NewPlain(keys.KeySet{ENC: secret.New(hexb(e.t, pub[0])), MAC: secret.New(hexb(e.t, pub[1])), DEK: secret.New(hexb(e.t, pub[2]))})
		in := keys.SessionInput{SCP: 2, I: 0x15, KVN: 0x20, KDD: kdd, Sequence: hexb(e.t, "0042")}
		got, err := e.provider(fmt.Sprintf("div-%d", i)).SessionKeys(e.ctx, in)
		e.must(diversifications[i].name+" session", err)
		want, err := ref.SessionKeys(e.ctx, in)
		e.must("reference session", err)
		if !got.ENC.Equal(want.ENC) || !got.MAC.Equal(want.MAC) || !got.RMAC.Equal(want.RMAC) {
			e.t.Errorf("%s: SCP02 session keys differ from those of the published diversified keys", diversifications[i].name)
		}
	}
	// GPPro KDF3 external vector: only ENC is published; compare its KCV
	// and the S-ENC it gives.
	e.importMaster("div-ext", keys.AES256, keys.KDF3, 0, keystore.UseChannel, kdf3ExtMaster)
	p := e.provider("div-ext")
	extKDD := hexb(e.t, kdf3ExtKDD)
	info, err := p.KeySet(e.ctx, 0x30, extKDD)
	e.must("KDF3 external", err)
	if want := gpKCV(e.t, keys.AES256, hexb(e.t, kdf3ExtENC)); !bytes.Equal(info.KCV[0], want) {
		e.t.Errorf("KDF3 external: ENC KCV %X, want %X (KCV of the published ENC)", info.KCV[0], want)
	}
	in := keys.SessionInput{SCP: 3, KVN: 0x30, KDD: extKDD, HostChallenge: hexb(e.t, "0102030405060708"), CardChallenge: hexb(e.t, "1112131415161718")}
	sk, err := p.SessionKeys(e.ctx, in)
	e.must("KDF3 external session", err)
	enc := hexb(e.t, kdf3ExtENC)
	want, err := gpcrypto.KDF(enc, gpcrypto.KDFSENC, append(in.HostChallenge, in.CardChallenge...), 256)
	e.must("reference KDF", err)
	if !bytes.Equal(sk.ENC.Bytes(), want) {
		e.t.Errorf("KDF3 external: S-ENC differs from the one of the published ENC")
	}
}
