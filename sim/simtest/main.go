package simtest

import (
	"fmt"
	"os"
	"testing"

	"github.com/cardhost/cardhost/test/pcscdtest"
)

// RunWithPCSCD is the body of a TestMain whose tests serve cards to a private
// pcscd: it starts one with o (pcscdtest.Start), stores it in *d, points the
// process at it (Daemon.Setenv, before any PC/SC call), runs the tests, prints
// pcscd's log when they fail, stops pcscd and returns the exit code for
// os.Exit. A pcscd that does not start is reported on stderr with exit code 1.
//
//	var daemon *pcscdtest.Daemon
//
//	func TestMain(m *testing.M) {
//		os.Exit(simtest.RunWithPCSCD(m, pcscdtest.Options{Readers: 2}, &daemon))
//	}
func RunWithPCSCD(m *testing.M, o pcscdtest.Options, d **pcscdtest.Daemon) int {
	daemon, err := pcscdtest.Start(o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "starting private pcscd:", err)
		return 1
	}
	defer daemon.Stop()
	*d = daemon
	if err := daemon.Setenv(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	code := m.Run()
	if code != 0 {
		fmt.Fprintf(os.Stderr, "pcscd log:\n%s\n", daemon.Log())
	}
	return code
}
