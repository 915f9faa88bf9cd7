package hostsim

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/cardhost/cardhost/applet/payment"
	"github.com/cardhost/cardhost/gpcard"
	"github.com/cardhost/cardhost/gpcard/command"
	"github.com/cardhost/cardhost/gpcard/keys"
	"github.com/cardhost/cardhost/sim"
	"github.com/skythen/apdu"
)

// kvnPurse names the purse key in the key provider (KID 1 of that set).
const kvnPurse = 0x2E

// encVariants are the two protocols of the encrypted personalisation tests:
// SCP02 i=15 (session DEK, 3DES-ECB, GPCS 2.3.1 §E.4.7) and SCP03 i=70
// (static Key-DEK, AES-CBC ICV 0, Amd D §6.2.1).
var encVariants = []variant{
	{"SCP02-i15", embedded("gp231-scp02-i15"), []gpcard.Level{lvlMAC}},
	{"SCP03-i70", scp03(0x70), []gpcard.Level{lvlMAC}},
}

// purseHolder is the purse's card holder id (DGI 0103).
var purseHolder = []byte("holder-1")

// purseDGIs returns the purse's personalisation DGIs: with the key DGI
// 8101 (clear) first when withKey, else the clear profile DGIs only.
func purseDGIs(t *testing.T, withKey bool) []command.DGI {
	t.Helper()
	p := payment.Profile{Limit: 100000, Currency: 0x0978, HolderID: purseHolder, Flags: payment.DefaultFlags}
	var data []byte
	var err error
	if withKey {
		data, err = payment.PersonalizationData(hx(t, purseKeyHex), p)
	} else {
		data, err = p.DGIs()
	}
	if err != nil {
		t.Fatal(err)
	}
	dgis, err := command.ParseDGIs(data)
	if err != nil {
		t.Fatal(err)
	}
	return dgis
}

// encSession is a card of v with the payment package loaded and its purse
// installed, and a host session with the ISD at C-MAC level (so the wire
// carries STORE DATA data as the host built it). dek is the ISD DEK the
// host's provider holds (the card's is the factory key); the provider also
// holds the purse key as key set kvnPurse.
func encSession(t *testing.T, v variant, dek string, log *traceLog) (*sim.Card, *gpcard.Card, *countingTransport) {
	t.Helper()
	p := v.profile(t)
	card, tr := newCard(t, p, inProcess)
	ct := &countingTransport{Transport: tr}
	ctx := context.Background()
	c, err := gpcard.Connect(ctx, ct, gpcard.Options{Trace: log.trace})
	if err != nil {
		t.Fatal(err)
	}
	isd := set(t, byte(p.KVN), factoryKeyHex)
	isd.DEK = key(t, dek)
	kp := keys.NewPlain(isd, set(t, kvnPurse, purseKeyHex))
	if err := c.Authenticate(ctx, kp, gpcard.AuthOptions{Level: v.levels[0]}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.InstallCAP(ctx, paymentCAP(t), gpcard.InstallCAPOptions{}); err != nil {
		t.Fatal(err)
	}
	return card, c, ct
}

// purseCredit selects the purse (plain, after the secure channel ends) and
// sends a CREDIT of 1000 authorised with the real purse key
// (payment.Authorize), returning the status word and GET BALANCE.
func purseCredit(t *testing.T, c *gpcard.Card) (uint16, []byte) {
	t.Helper()
	ctx := context.Background()
	c.Close()
	send := func(b []byte) apdu.Rapdu {
		t.Helper()
		cmd, err := apdu.ParseCapdu(b)
		if err != nil {
			t.Fatal(err)
		}
		cmd.Data = bytes.Clone(cmd.Data)
		r, err := c.Transmit(ctx, *cmd)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	if r := send(append([]byte{0x00, 0xA4, 0x04, 0x00, 0x08}, payment.AppletAID()...)); r.SW1 != 0x90 {
		t.Fatalf("SELECT purse: %02X%02X", r.SW1, r.SW2)
	}
	credit, err := payment.CreditAPDU(hx(t, purseKeyHex), 1000, 1, purseHolder)
	if err != nil {
		t.Fatal(err)
	}
	r := send(credit)
	bal := send([]byte{0x80, payment.INSGetBalance, 0x00, 0x00, 0x00})
	return uint16(r.SW1)<<8 | uint16(r.SW2), bal.Data
}

// noClearKey fails if the purse key travelled in clear in any command.
func noClearKey(t *testing.T, ct *countingTransport) {
	t.Helper()
	ct.mu.Lock()
	defer ct.mu.Unlock()
	for _, cmd := range ct.cmds {
		if strings.Contains(strings.ToUpper(hex.EncodeToString(cmd)), purseKeyHex) {
			t.Fatalf("the purse key travelled in clear: INS %02X", cmd[1])
		}
	}
}

// Bug A + B end to end: the host personalises the purse with its key DGI
// 8101 encrypted under the session's DEK inside the key provider — given
// in clear to the provider (DGIOptions.Encrypt) or held by it
// (DGIOptions.Keys, what a TSM whose keys live in a key store uses) — in
// STORE DATA blocks with P1 b7–b6 = 11; the ISD decrypts and the purse
// stores the real key: a CREDIT authorised with payment.Authorize(real
// key) succeeds. The key never crosses the wire or the trace in clear.
func TestPersonalize_EncryptedPurseKey(t *testing.T) {
	for _, v := range encVariants {
		for _, mode := range []string{"Encrypt", "Keys"} {
			t.Run(v.name+"/"+mode, func(t *testing.T) {
				log := &traceLog{}
				defer log.checkNoKeys(t)
				_, c, ct := encSession(t, v, factoryKeyHex, log)
				var dgis []command.DGI
				var o gpcard.DGIOptions
				if mode == "Encrypt" {
					dgis, o.Encrypt = purseDGIs(t, true), []uint16{payment.DGIPurseKey}
				} else {
					dgis, o.Keys = purseDGIs(t, false), []gpcard.KeyDGI{{ID: payment.DGIPurseKey, Key: keys.KeyRef{KVN: kvnPurse, KID: 1}}}
				}
				mark := ct.n()
				res, err := c.PersonalizeWith(context.Background(), payment.AppletAID(), dgis, o)
				if err != nil {
					log.add(err.Error())
					t.Fatalf("PersonalizeWith: %v", err)
				}
				if mode == "Keys" && (len(res) != 1 || res[0].DGI != payment.DGIPurseKey || len(res[0].KCV) != 3) {
					t.Errorf("key results %+v", res)
				}
				ct.mu.Lock()
				var p1s []byte
				for _, cmd := range ct.cmds[mark:] {
					if cmd[1] == 0xE2 {
						p1s = append(p1s, cmd[2])
					}
				}
				ct.mu.Unlock()
				// Key DGI or 8101 first in the parsed profile: one encrypted
				// block (68), then the clear DGIs (88, last).
				if !bytes.Equal(p1s, []byte{0x68, 0x88}) {
					t.Errorf("STORE DATA P1s %X, want 68 88", p1s)
				}
				noClearKey(t, ct)
				sw, bal := purseCredit(t, c)
				if sw != 0x9000 || !bytes.Equal(bal, []byte{0, 0, 0x03, 0xE8, 0x09, 0x78}) {
					t.Fatalf("CREDIT with the real key: SW %04X, balance %X; want 9000, 000003E8 0978", sw, bal)
				}
			})
		}
	}
}

// A provider whose DEK is not the card's: the secure channel opens (ENC and
// MAC are right), the ISD decrypts the purse key into other bytes — it
// cannot tell, the encryption carries no integrity (GlobalPlatform API
// SecureChannel.decryptData leaves that to the application) — and the purse
// refuses the first CREDIT authorised with the real key with 6982, its
// status for a wrong MAC (applet/payment package doc).
func TestPersonalize_EncryptedPurseKey_WrongDEK(t *testing.T) {
	for _, v := range encVariants {
		t.Run(v.name, func(t *testing.T) {
			log := &traceLog{}
			defer log.checkNoKeys(t)
			_, c, _ := encSession(t, v, wrongKeyHex, log)
			if _, err := c.PersonalizeWith(context.Background(), payment.AppletAID(), purseDGIs(t, true),
				gpcard.DGIOptions{Encrypt: []uint16{payment.DGIPurseKey}}); err != nil {
				t.Fatalf("PersonalizeWith: %v", err)
			}
			if sw, _ := purseCredit(t, c); sw != 0x6982 {
				t.Fatalf("CREDIT after personalisation under a wrong DEK: SW %04X, want 6982", sw)
			}
		})
	}
}

// A secret DGI whose value is not a whole number of cipher blocks (9 bytes:
// neither 8 nor 16 divides it) is refused by the host before any command:
// no INSTALL [for personalization], no STORE DATA.
func TestPersonalize_EncryptedOddLength_SendsNothing(t *testing.T) {
	for _, v := range encVariants {
		t.Run(v.name, func(t *testing.T) {
			log := &traceLog{}
			defer log.checkNoKeys(t)
			_, c, ct := encSession(t, v, factoryKeyHex, log)
			mark := ct.n()
			_, err := c.PersonalizeWith(context.Background(), payment.AppletAID(),
				[]command.DGI{{ID: payment.DGIHolderID, Value: []byte("holder-19")}}, gpcard.DGIOptions{Encrypt: []uint16{payment.DGIHolderID}})
			if !errors.Is(err, keys.ErrDataLength) {
				t.Fatalf("err = %v, want keys.ErrDataLength", err)
			}
			log.add(err.Error())
			if n := ct.n() - mark; n != 0 {
				t.Errorf("%d commands sent (INS %X)", n, ct.since(mark))
			}
		})
	}
}
