package hostsim

import (
	"fmt"
	"os"
	"testing"

	"github.com/cardhost/cardhost/test/pcscdtest"
)

// daemon is the private pcscd of this package (one per process, see
// pcscdtest): numReaders vpcd readers, one card per reader at a time.
var daemon *pcscdtest.Daemon

const numReaders = 6

func TestMain(m *testing.M) {
	d, err := pcscdtest.Start(pcscdtest.Options{Readers: numReaders})
	if err != nil {
		fmt.Fprintln(os.Stderr, "starting private pcscd:", err)
		os.Exit(1)
	}
	daemon = d
	if err := d.Setenv(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		d.Stop()
		os.Exit(1)
	}
	code := m.Run()
	if code != 0 {
		fmt.Fprintf(os.Stderr, "pcscd log:\n%s\n", d.Log())
	}
	d.Stop()
	os.Exit(code)
}
