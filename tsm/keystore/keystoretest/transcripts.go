package keystoretest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/cardhost/cardhost/gpcard/keys"
	"github.com/cardhost/cardhost/gpcard/scp/scptest"
	"github.com/cardhost/cardhost/gpcard/scp02"
	"github.com/cardhost/cardhost/gpcard/scp03"
	"github.com/cardhost/cardhost/tsm/keystore"
)

// testTranscripts opens channels with the store's provider against the
// recorded kaoh transcripts (vectors.md §2, §5).
func testTranscripts(e *env) {
	e.importKs()
	t := e.t
	// kaoh scp02Test.c get_status_mac_only: i=15, C-MAC, keys K.
	sc := scptest.New(t,
		scptest.Step{Name: "INITIALIZE UPDATE", WantCAPDU: "8050000008D5AD539A60CA5E7200", Reply: "000074746E6E6E626262 01 02 069F AA2A0591E733 67DD78794D04315E 9000"},
		scptest.Step{Name: "EXTERNAL AUTHENTICATE", WantCAPDU: "8482010010 7C799B3C771DBAE6 BEF49310977617BA", Reply: "9000"},
		scptest.Step{Name: "GET STATUS load files", WantCAPDU: "84F220020A 4F00 BB6E71C0EFCFCF0D 00", Reply: "E30D4F07A00000000353509F700101 9000"},
	)
	s2, err := scp02.Open(e.ctx, sc, e.provider("des-k"), scp02.Options{I: 0x15, Rand: bytes.NewReader(hexb(t, "D5AD539A60CA5E72"))})
	e.must("scp02.Open", err)
	r, err := s2.Transmit(e.ctx, scptest.Capdu(t, "80F22002024F0000"))
	e.must("GET STATUS", err)
	if !bytes.Equal(r.Data, hexb(t, "E30D4F07A00000000353509F700101")) || r.SW1 != 0x90 {
		e.t.Errorf("GET STATUS response %X %02X%02X", r.Data, r.SW1, r.SW2)
	}
	s2.Close()
	// kaoh scp03Test.c delete_application: i=70 (pseudo-random challenge
	// checked by the provider), C-MAC + C-DEC, KVN 30.
	sc = scptest.New(t,
		scptest.Step{Name: "INITIALIZE UPDATE", WantCAPDU: "8050000008B2BDE1A2DC66BD5600", Reply: "00000000000000000000 30 03 70 C40932A6FEFEAEB2 E127185170F45FCA 000015 9000"},
		scptest.Step{Name: "EXTERNAL AUTHENTICATE", WantCAPDU: "8482030010 59D54D932423D29F 6313C970875F8C2F", Reply: "9000"},
		scptest.Step{Name: "DELETE A00100015141434C", WantCAPDU: "84E4008018 29F06AEC3180B3EFE91FF662310B945D E0D5FE66AD67A5B6", Reply: "009000"},
	)
	s3, err := scp03.Open(e.ctx, sc, e.provider("des-k", "kaoh-aes"), scp03.Options{Level: scp03.CMAC | scp03.CDEC, Rand: bytes.NewReader(hexb(t, "B2BDE1A2DC66BD56"))})
	e.must("scp03.Open", err)
	r, err = s3.Transmit(e.ctx, scptest.Capdu(t, "80E400800A4F08A00100015141434C"))
	e.must("DELETE", err)
	if !bytes.Equal(r.Data, []byte{0}) || r.SW1 != 0x90 {
		e.t.Errorf("DELETE response %X %02X%02X", r.Data, r.SW1, r.SW2)
	}
	s3.Close()
}

func testUnknownAndDeleted(e *env) {
	e.importKs()
	_, err := e.s.Provider(e.ctx, "missing")
	e.wantErr("Provider(missing)", err, keystore.ErrNotFound)
	e.wantErr("Delete(missing)", e.s.Delete(e.ctx, "missing"), keystore.ErrNotFound)
	p := e.provider("des-k", "aes-k")
	_, err = p.SessionKeys(e.ctx, keys.SessionInput{SCP: 2, I: 0x15, KVN: 0x7F, Sequence: []byte{0, 1}})
	e.wantErr("KVN without an entry", err, keys.ErrNoKeySet)
	e.importStatic("des-k2", keys.DES3, 0x01, keystore.UseChannel, keyK, keyK, keyK, "8BAF47")
	if _, err := e.s.Provider(e.ctx, "des-k", "des-k2"); err == nil {
		e.t.Error("Provider accepted two entries for KVN 01")
	}
	e.must("Delete", e.s.Delete(e.ctx, "des-k"))
	list, err := e.s.List(e.ctx)
	e.must("List", err)
	for _, m := range list {
		if m.Label == "des-k" {
			e.t.Error("deleted entry still listed")
		}
	}
	_, err = p.SessionKeys(e.ctx, scp02Sessions[0].input(e))
	e.wantErr("session with a deleted entry", err, keystore.ErrNotFound)
}

func testConcurrent(e *env) {
	e.importKs()
	p := e.provider("des-k", "kaoh-aes")
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for g := range 8 {
		v := scp02Sessions[g%len(scp02Sessions)]
		if g%2 == 1 {
			v = scp03Sessions[0]
		}
		in, want := v.input(e), hexb(e.t, v.senc)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 3 {
				sk, err := p.SessionKeys(context.Background(), in)
				if err != nil {
					errs <- err
					return
				}
				if !bytes.Equal(sk.ENC.Bytes(), want) {
					errs <- fmt.Errorf("%s: wrong S-ENC under concurrency", v.name)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		e.must("concurrent session", err)
	}
}

func testClose(e *env) {
	e.importKs()
	e.must("Close", e.s.Close())
	e.must("second Close", e.s.Close())
	_, err := e.s.List(e.ctx)
	e.wantErr("List after Close", err, keystore.ErrClosed)
	_, err = e.s.Provider(e.ctx, "des-k")
	if !errors.Is(err, keystore.ErrClosed) {
		e.t.Errorf("Provider after Close: %v, want ErrClosed", err)
	}
}
