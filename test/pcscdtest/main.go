package pcscdtest

import (
	"fmt"
	"os"
	"testing"
)

// Main is the body of a TestMain whose tests talk to a private pcscd: it
// starts one with o, stores it in *d, points the process at it (Setenv, before
// any PC/SC call, since libpcsclite reads PCSCLITE_CSOCK_NAME once per
// process), runs the tests, prints pcscd's log when they fail, stops pcscd and
// returns the exit code for os.Exit. A pcscd that does not start is reported on
// stderr with exit code 1.
//
//	var daemon *pcscdtest.Daemon
//
//	func TestMain(m *testing.M) { os.Exit(pcscdtest.Main(m, pcscdtest.Options{Readers: 2}, &daemon)) }
func Main(m *testing.M, o Options, d **Daemon) int {
	daemon, err := Start(o)
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
