package sim

import (
	"bytes"
	"crypto"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/cardhost/cardhost/applet/cap"
	"github.com/cardhost/cardhost/gpcard/gpcrypto"
	"github.com/cardhost/cardhost/sim/profile"
)

// h decodes hex with spaces, failing the test on bad input.
func h(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

// fixedRand returns the same bytes over and over (pinned card challenges).
type fixedRand []byte

func (r fixedRand) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = r[i%len(r)]
	}
	return len(p), nil
}

// testKey is the GP test key 40..4F of the embedded profiles.
const testKey = "404142434445464748494A4B4C4D4E4F"

// newTestCard returns an in-memory card from the default profile.
func newTestCard(t testing.TB, opts ...Option) *Card {
	t.Helper()
	return New(profile.Default(), opts...)
}

// send transmits hex and returns the response as upper-case hex.
func send(t testing.TB, c *Card, capdu string) string {
	t.Helper()
	r := c.Transmit(h(t, capdu))
	if r == nil {
		t.Fatalf("%s: no response (card unpowered)", capdu)
	}
	return strings.ToUpper(hex.EncodeToString(r))
}

// expectSW sends capdu and checks the status word.
func expectSW(t testing.TB, c *Card, capdu, want string) string {
	t.Helper()
	r := send(t, c, capdu)
	if !strings.HasSuffix(r, want) {
		t.Fatalf("%s → %s, want SW %s", capdu, r, want)
	}
	return r[:len(r)-4]
}

// host is a minimal test-only host side of SCP02 (i=15, C-MAC level 01),
// written from the facts in shared/spec/vectors.md §1 and checked against
// the kaoh transcript in TestSCP02_KaohTranscript. It is independent of
// gpcard/scp02, which sim tests must not use.
type host struct {
	t              testing.TB
	card           *Card
	sENC, sMAC     []byte
	sDEK           []byte
	icv            []byte
	channel        byte
	hostChallenge  []byte
	cardChallenge  []byte
	counter        []byte
	kvn            byte
	staticENC, mac []byte
	dek            []byte
}

func newHost(t testing.TB, c *Card) *host {
	k := h(t, testKey)
	return &host{t: t, card: c, staticENC: k, mac: k, dek: k, hostChallenge: h(t, "0102030405060708")}
}

func (hs *host) sessionKey(static []byte, constant string) []byte {
	d := append(h(hs.t, constant), hs.counter...)
	d = append(d, make([]byte, 12)...)
	k, err := gpcrypto.TripleDESCBC(static, nil, d)
	if err != nil {
		hs.t.Fatal(err)
	}
	return k
}

// open runs INITIALIZE UPDATE + EXTERNAL AUTHENTICATE at level 01.
func (hs *host) open(kvn byte) {
	t := hs.t
	t.Helper()
	cla := byte(0x80) | hs.channel
	iu := append([]byte{cla, 0x50, kvn, 0, 8}, hs.hostChallenge...)
	resp := hs.card.Transmit(append(iu, 0))
	if len(resp) != 30 || !bytes.HasSuffix(resp, []byte{0x90, 0}) {
		t.Fatalf("INITIALIZE UPDATE → %X", resp)
	}
	hs.kvn = resp[10]
	hs.counter = resp[12:14]
	hs.cardChallenge = resp[14:20]
	hs.sENC = hs.sessionKey(hs.staticENC, "0182")
	hs.sMAC = hs.sessionKey(hs.mac, "0101")
	hs.sDEK = hs.sessionKey(hs.dek, "0181")
	cc, _ := gpcrypto.TripleDESCBCMAC(hs.sENC, nil, gpcrypto.Pad80(append(append(bytes.Clone(hs.hostChallenge), hs.counter...), hs.cardChallenge...), 8))
	if !bytes.Equal(cc, resp[20:28]) {
		t.Fatalf("card cryptogram %X, want %X", resp[20:28], cc)
	}
	hc, _ := gpcrypto.TripleDESCBCMAC(hs.sENC, nil, gpcrypto.Pad80(append(append(bytes.Clone(hs.counter), hs.cardChallenge...), hs.hostChallenge...), 8))
	hs.icv = make([]byte, 8)
	r := hs.send(0x84|hs.channel, 0x82, 0x01, 0x00, hc, false)
	if !bytes.Equal(r, []byte{0x90, 0}) {
		t.Fatalf("EXTERNAL AUTHENTICATE → %X", r)
	}
}

// wrap returns the C-MAC'ed command (ICV encrypted after the first, i=15).
func (hs *host) wrap(cla, ins, p1, p2 byte, data []byte, le bool) []byte {
	hdr := []byte{cla | 0x04, ins, p1, p2, byte(len(data) + 8)}
	icv := hs.icv
	if !bytes.Equal(icv, make([]byte, 8)) {
		icv, _ = gpcrypto.DESECB(hs.sMAC[:8], icv)
	}
	mac, err := gpcrypto.RetailMAC(hs.sMAC, icv, gpcrypto.Pad80(append(bytes.Clone(hdr), data...), 8))
	if err != nil {
		hs.t.Fatal(err)
	}
	hs.icv = mac
	out := append(append(hdr, data...), mac...)
	if le {
		out = append(out, 0)
	}
	return out
}

// send wraps and transmits a command, returning the raw response.
func (hs *host) send(cla, ins, p1, p2 byte, data []byte, le bool) []byte {
	return hs.card.Transmit(hs.wrap(cla, ins, p1, p2, data, le))
}

// cmd sends a GP command (CLA 84 on the host's channel) with data given in
// hex and returns response data and SW as hex strings.
func (hs *host) cmd(ins, p1, p2 byte, dataHex string) (string, string) {
	hs.t.Helper()
	r := hs.send(0x80|hs.channel, ins, p1, p2, h(hs.t, dataHex), true)
	if len(r) < 2 {
		hs.t.Fatalf("INS %02X: response %X", ins, r)
	}
	x := strings.ToUpper(hex.EncodeToString(r))
	return x[:len(x)-4], x[len(x)-4:]
}

// must sends a command and fails unless the SW is want.
func (hs *host) must(ins, p1, p2 byte, dataHex, want string) string {
	hs.t.Helper()
	d, sw := hs.cmd(ins, p1, p2, dataHex)
	if sw != want {
		hs.t.Fatalf("INS %02X P1 %02X P2 %02X %s → %s %s, want %s", ins, p1, p2, dataHex, d, sw, want)
	}
	return d
}

// encKey encrypts a 16-byte DES key under the session DEK (SCP02 ECB).
func (hs *host) encKey(key []byte) []byte {
	e, err := gpcrypto.TripleDESECB(hs.sDEK, key)
	if err != nil {
		hs.t.Fatal(err)
	}
	return e
}

// kcvDES returns the DES KCV of key.
func kcvDES(t testing.TB, key []byte) []byte {
	k, err := gpcrypto.KCVDES(key)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// testCAP returns a load file (C4 ...) and its LFDB SHA-256 for a CAP with
// package pkg and the given applet AIDs, importing imports.
func testCAP(t testing.TB, pkg string, applets []string, imports ...string) (loadFile, hash []byte) {
	t.Helper()
	s := cap.Spec{
		Format:     cap.Version{Major: 2, Minor: 1},
		Packages:   []cap.Package{{AID: h(t, pkg), Version: cap.Version{Major: 1, Minor: 2}}},
		Imports:    []cap.Import{{AID: h(t, "A0000000620101"), Version: cap.Version{Major: 1, Minor: 6}}},
		MethodSize: 16,
	}
	for _, a := range applets {
		s.Applets = append(s.Applets, cap.Applet{AID: h(t, a), InstallMethodOffset: 1})
	}
	for _, i := range imports {
		s.Imports = append(s.Imports, cap.Import{AID: h(t, i), Version: cap.Version{Major: 1}})
	}
	raw, err := cap.Write(s)
	if err != nil {
		t.Fatal(err)
	}
	f, err := cap.Parse("test.cap", raw)
	if err != nil {
		t.Fatal(err)
	}
	hash, err = f.LoadFileDataBlockHash(crypto.SHA256, cap.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return f.LoadFile(cap.LoadOptions{}), hash
}

// lv returns a one-byte length and v as hex.
func lv(v string) string {
	return strings.ToUpper(hex.EncodeToString([]byte{byte(len(v) / 2)})) + v
}

// load sends INSTALL [for load] and the LOAD blocks of lf (block size n)
// and returns the SW of the last LOAD.
func (hs *host) load(pkg string, lf, hash []byte, n int) string {
	hs.t.Helper()
	hs.must(0xE6, 0x02, 0x00, lv(pkg)+"00"+lv(hex.EncodeToString(hash))+"0000", "9000")
	var sw string
	for i := 0; len(lf) > 0; i++ {
		chunk := lf[:min(n, len(lf))]
		lf = lf[len(chunk):]
		p1 := byte(0)
		if len(lf) == 0 {
			p1 = 0x80
		}
		_, sw = hs.cmd(0xE8, p1, byte(i), hex.EncodeToString(chunk))
		if sw != "9000" {
			return sw
		}
	}
	return sw
}

func hexEncode(b []byte) string { return hex.EncodeToString(b) }
