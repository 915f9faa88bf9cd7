package simtest_test

import (
	"os"
	"testing"

	"github.com/cardhost/cardhost/test/pcscdtest"
)

// daemon is the private pcscd the ServeVPCD tests serve cards to.
var daemon *pcscdtest.Daemon

func TestMain(m *testing.M) {
	os.Exit(pcscdtest.Main(m, pcscdtest.Options{Readers: 2}, &daemon))
}
