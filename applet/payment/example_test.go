package payment_test

import (
	"bytes"
	"fmt"

	"github.com/cardhost/cardhost/applet"
	"github.com/cardhost/cardhost/applet/payment"
)

// mapStorage is the simplest applet.Storage.
type mapStorage map[string][]byte

func (m mapStorage) Get(name string) []byte    { return m[name] }
func (m mapStorage) Put(name string, v []byte) { m[name] = bytes.Clone(v) }
func (m mapStorage) Delete(name string)        { delete(m, name) }

// Example plays card manager and host: it instantiates the purse from a
// registry, personalises it as its security domain would forward STORE DATA,
// then credits it with an authorisation built by the host helpers.
func Example() {
	var r applet.Registry
	if err := payment.Register(&r); err != nil {
		panic(err)
	}
	newPurse, _ := r.Lookup(payment.PackageAID(), payment.AppletAID())
	purse := newPurse()
	ctx := applet.Context{Storage: mapStorage{}}
	if err := purse.Install(ctx, nil); err != nil {
		panic(err)
	}

	key := []byte("0123456789abcdef") // the issuer's purse key (AES-128)
	holder := []byte("HOLDER-42")
	data, err := payment.PersonalizationData(key, payment.Profile{
		Limit: 50000, Currency: 0x0978, HolderID: holder, Flags: payment.DefaultFlags,
	})
	if err != nil {
		panic(err)
	}
	status := purse.(applet.Personalizer).StoreData(ctx, payment.P1DGI|payment.P1LastBlock, data)
	fmt.Printf("STORE DATA %04X\n", status)

	credit, err := payment.CreditAPDU(key, 1250, 1, holder) // counter: card's 0 + 1
	if err != nil {
		panic(err)
	}
	resp, status := purse.Process(ctx, credit)
	fmt.Printf("CREDIT %X %04X\n", resp, status)
	resp, status = purse.Process(ctx, []byte{0x80, payment.INSGetBalance, 0, 0, 0})
	fmt.Printf("GET BALANCE %X %04X\n", resp, status)
	// Output:
	// STORE DATA 9000
	// CREDIT 000004E2 9000
	// GET BALANCE 000004E20978 9000
}
