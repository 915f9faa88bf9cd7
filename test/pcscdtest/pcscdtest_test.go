package pcscdtest

import (
	"os"
	"syscall"
	"testing"
)

// Two daemons side by side: each has its own socket and ports, and stopping
// one leaves the other running — the isolation that protects a system pcscd.
func TestStart_TwoDaemonsAreIsolated(t *testing.T) {
	a, err := Start(Options{Readers: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Stop()
	b, err := Start(Options{Readers: 3})
	if err != nil {
		t.Fatal(err)
	}
	if a.Socket() == b.Socket() || a.Port(0) == b.Port(0) {
		t.Fatalf("daemons share socket or ports: %s %d / %s %d", a.Socket(), a.Port(0), b.Socket(), b.Port(0))
	}
	if b.Readers() != 4 {
		t.Errorf("3 readers requested: got %d, want 4 (two per driver entry)", b.Readers())
	}
	pid := b.cmd.Process.Pid
	if err := b.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(pid, 0); err == nil {
		t.Errorf("pcscd %d still alive after Stop", pid)
	}
	if _, err := os.Stat(a.Socket()); err != nil {
		t.Fatalf("stopping b removed a's socket: %v", err)
	}
	if missing, err := a.missingPorts(); err != nil || len(missing) != 0 {
		t.Fatalf("a's readers stopped listening: %v %v", missing, err)
	}
	if err := syscall.Kill(a.cmd.Process.Pid, 0); err != nil {
		t.Fatalf("a's pcscd died: %v", err)
	}
}

func TestStart_BadReaderCount(t *testing.T) {
	for _, n := range []int{0, 17} {
		if _, err := Start(Options{Readers: n}); err == nil {
			t.Errorf("%d readers accepted", n)
		}
	}
}
