package applet

import "testing"

func TestRegistry(t *testing.T) {
	var r Registry
	pkg := []byte{0xA0, 0, 0, 0, 0x62, 1}
	mod := []byte{0xA0, 0, 0, 0, 0x62, 1, 1}
	if _, ok := r.Lookup(pkg, mod); ok {
		t.Fatal("empty registry found a module")
	}
	if err := r.Register(pkg, mod, func() Applet { return Inert{} }); err != nil {
		t.Fatal(err)
	}
	if err := r.Register(pkg, mod, func() Applet { return Inert{} }); err == nil {
		t.Error("duplicate registration accepted")
	}
	if err := r.Register(pkg, []byte{1, 2}, func() Applet { return Inert{} }); err == nil {
		t.Error("2-byte AID accepted")
	}
	if err := r.Register(pkg, append(mod, 2), nil); err == nil {
		t.Error("nil factory accepted")
	}
	f, ok := r.Lookup(pkg, mod)
	if !ok {
		t.Fatal("registered module not found")
	}
	if _, sw := f().Process(Context{}, []byte{0x80, 0x10, 0, 0}); sw != 0x6D00 {
		t.Errorf("inert applet answered %04X", sw)
	}
	if _, ok := r.Lookup(append(pkg, 9), mod); ok {
		t.Error("module found under the wrong package")
	}
}
