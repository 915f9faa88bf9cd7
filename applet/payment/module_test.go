package payment

import (
	"bytes"
	"testing"

	"github.com/cardhost/cardhost/applet"
	"github.com/cardhost/cardhost/applet/cap"
)

// TestCAP parses the purse's CAP file back and checks the AIDs, versions
// and imports a card reads from it.
func TestCAP(t *testing.T) {
	b, err := CAP()
	if err != nil {
		t.Fatal(err)
	}
	f, err := cap.Parse("payment.cap", b)
	if err != nil {
		t.Fatal(err)
	}
	if f.Form != cap.FormJAR || f.Extended() {
		t.Errorf("form %v, extended %v; want a compact JAR", f.Form, f.Extended())
	}
	pkg := f.Package()
	if want := hx(t, "A0000006170001"); !bytes.Equal(pkg.AID, want) || !bytes.Equal(f.LoadFileAID(), want) {
		t.Errorf("package AID %X, load file AID %X, want %X", pkg.AID, f.LoadFileAID(), want)
	}
	if pkg.Version != (cap.Version{Major: 1, Minor: 0}) || pkg.Name != "com/cardhost/payment" {
		t.Errorf("package %v %q", pkg.Version, pkg.Name)
	}
	if len(f.Applets) != 1 || !bytes.Equal(f.Applets[0].AID, hx(t, "A000000617000101")) {
		t.Errorf("applets %+v", f.Applets)
	}
	if got := f.JavaCardVersion(); got != "3.0.5" {
		t.Errorf("Java Card version %q (javacard.framework 1.6 not imported?)", got)
	}
	again, err := CAP()
	if err != nil || !bytes.Equal(again, b) {
		t.Error("CAP is not reproducible")
	}
}

// TestRegister checks the registry binding and its refusal of a second
// registration.
func TestRegister(t *testing.T) {
	var r applet.Registry
	if err := Register(&r); err != nil {
		t.Fatal(err)
	}
	f, ok := r.Lookup(hx(t, "A0000006170001"), hx(t, "A000000617000101"))
	if !ok {
		t.Fatal("module not found")
	}
	if _, isPurse := f().(*Purse); !isPurse {
		t.Errorf("factory made %T", f())
	}
	if err := Register(&r); err == nil {
		t.Error("second registration accepted")
	}
	PackageAID()[0] = 0
	AppletAID()[0] = 0
	if PackageAID()[0] != 0xA0 || AppletAID()[0] != 0xA0 {
		t.Error("AID functions share their slices")
	}
}
