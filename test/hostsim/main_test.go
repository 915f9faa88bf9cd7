package hostsim

import (
	"os"
	"testing"

	"github.com/cardhost/cardhost/test/pcscdtest"
)

// daemon is the private pcscd of this package (one per process, see
// pcscdtest): numReaders vpcd readers, one card per reader at a time.
var daemon *pcscdtest.Daemon

const numReaders = 6

func TestMain(m *testing.M) {
	os.Exit(pcscdtest.Main(m, pcscdtest.Options{Readers: numReaders}, &daemon))
}
