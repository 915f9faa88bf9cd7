// Package pcscdtest starts a private pcscd with vpcd virtual readers for
// tests, so that the whole PC/SC stack (libpcsclite → pcscd → vpcd driver →
// TCP → our card) is exercised without hardware and without touching the
// machine's own pcscd.
//
// Isolation: pcscd always uses /run/pcscd/pcscd.comm. The daemon is started
// with unshare(1) in a private mount namespace where a directory of the test
// is bind-mounted on /run/pcscd and an empty directory on the USB driver
// folder (so the private daemon never claims a real reader); clients reach it
// through PCSCLITE_CSOCK_NAME, which libpcsclite reads once per process. A
// process therefore talks to one Daemon at a time: start it in TestMain.
//
// vpcd facts (shared/spec/vpcd-and-cap.md §3): each reader.conf entry with
// DEVICENAME /dev/null:PORT opens two readers listening on PORT and PORT+1;
// entries sharing one loaded driver file clobber each other, so every entry
// gets its own copy of libifdvpcd.so. At most 16 readers per pcscd.
package pcscdtest

import (
	"bufio"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Paths of the Debian packages pcscd and vsmartcard-vpcd.
const (
	vpcdDriver   = "/usr/lib/pcsc/drivers/serial/libifdvpcd.so"
	usbDropDir   = "/usr/lib/pcsc/drivers"
	pcscdRunDir  = "/run/pcscd"
	socketEnvVar = "PCSCLITE_CSOCK_NAME"
	// MaxReaders is the most readers one pcscd serves.
	MaxReaders = 16
)

// Options configures Start.
type Options struct {
	// Readers is the number of vpcd readers, 1..16 (rounded up to even: each
	// driver entry has two slots).
	Readers int
	// BasePort is the TCP port of reader 0; reader r listens on BasePort+r.
	// Zero picks a free range.
	BasePort int
	// StartTimeout bounds the wait for pcscd and the vpcd ports; zero means
	// 15 s.
	StartTimeout time.Duration
}

// Daemon is a running private pcscd.
type Daemon struct {
	dir      string
	socket   string
	basePort int
	entries  int
	timeout  time.Duration
	cmd      *exec.Cmd
	exited   chan error
	log      *os.File
}

// Start starts pcscd with the requested vpcd readers and waits until every
// reader port listens. It fails with a message naming the missing package or
// the step that failed; it never stops or reconfigures another pcscd.
func Start(o Options) (*Daemon, error) {
	if o.Readers < 1 || o.Readers > MaxReaders {
		return nil, fmt.Errorf("pcscdtest: %d readers requested, want 1..%d", o.Readers, MaxReaders)
	}
	pcscd, err := exec.LookPath("pcscd")
	if err != nil {
		if _, e := os.Stat("/usr/sbin/pcscd"); e != nil {
			return nil, errors.New("pcscdtest: pcscd not found: install the Debian package pcscd (make deps)")
		}
		pcscd = "/usr/sbin/pcscd"
	}
	if _, err := os.Stat(vpcdDriver); err != nil {
		return nil, fmt.Errorf("pcscdtest: vpcd driver %s missing: install the Debian package vsmartcard-vpcd (make deps)", vpcdDriver)
	}
	if _, err := exec.LookPath("unshare"); err != nil {
		return nil, errors.New("pcscdtest: unshare not found (util-linux)")
	}
	timeout := o.StartTimeout
	if timeout == 0 {
		timeout = 15 * time.Second
	}
	dir, err := os.MkdirTemp("", "cardhost-pcscd-")
	if err != nil {
		return nil, err
	}
	d := &Daemon{dir: dir, socket: filepath.Join(dir, "run", "pcscd.comm"), entries: (o.Readers + 1) / 2, timeout: timeout}
	if err := d.layout(o.BasePort); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	if err := d.start(pcscd); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return d, nil
}

// layout writes the driver copies and reader.conf entries.
func (d *Daemon) layout(base int) error {
	for _, sub := range []string{"run", "conf", "drivers", "empty"} {
		if err := os.MkdirAll(filepath.Join(d.dir, sub), 0o755); err != nil {
			return err
		}
	}
	if base == 0 {
		var err error
		if base, err = freePortRange(2 * d.entries); err != nil {
			return err
		}
	}
	d.basePort = base
	drv, err := os.ReadFile(vpcdDriver)
	if err != nil {
		return fmt.Errorf("pcscdtest: reading %s: %w", vpcdDriver, err)
	}
	for i := 0; i < d.entries; i++ {
		lib := filepath.Join(d.dir, "drivers", fmt.Sprintf("libifdvpcd-%d.so", i))
		if err := os.WriteFile(lib, drv, 0o644); err != nil {
			return err
		}
		port := base + 2*i
		conf := fmt.Sprintf("FRIENDLYNAME \"Virtual PCD %d\"\nDEVICENAME /dev/null:%d\nLIBPATH %s\nCHANNELID %d\n", i, port, lib, port)
		if err := os.WriteFile(filepath.Join(d.dir, "conf", fmt.Sprintf("vpcd-%02d", i)), []byte(conf), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// start launches pcscd in a private mount namespace and waits for it.
func (d *Daemon) start(pcscd string) error {
	os.Remove(d.socket)
	var args []string
	script := fmt.Sprintf("mount --bind %q %s && mount --bind %q %s && exec %q --foreground --config %q",
		filepath.Join(d.dir, "run"), pcscdRunDir, filepath.Join(d.dir, "empty"), usbDropDir, pcscd, filepath.Join(d.dir, "conf"))
	if os.Geteuid() == 0 {
		if err := os.MkdirAll(pcscdRunDir, 0o755); err != nil {
			return fmt.Errorf("pcscdtest: creating %s: %w", pcscdRunDir, err)
		}
		args = []string{"--mount", "--propagation", "private", "sh", "-c", script}
	} else {
		// Unprivileged: a user namespace maps us to root; /run may not hold a
		// pcscd directory we could bind onto, so a tmpfs provides one.
		script = "mount -t tmpfs tmpfs /run && mkdir -p " + pcscdRunDir + " && " + script
		args = []string{"--user", "--map-root-user", "--mount", "--propagation", "private", "sh", "-c", script}
	}
	logf, err := os.Create(filepath.Join(d.dir, "pcscd.log"))
	if err != nil {
		return err
	}
	d.log = logf
	cmd := exec.Command("unshare", args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return fmt.Errorf("pcscdtest: starting pcscd: %w", err)
	}
	d.cmd = cmd
	d.exited = make(chan error, 1)
	go func() { d.exited <- cmd.Wait() }()
	if err := d.waitReady(); err != nil {
		d.kill()
		return fmt.Errorf("%w\npcscd log:\n%s", err, d.Log())
	}
	return nil
}

// waitReady waits for the socket and every vpcd port.
func (d *Daemon) waitReady() error {
	deadline := time.Now().Add(d.timeout)
	for {
		select {
		case err := <-d.exited:
			d.exited <- err
			return fmt.Errorf("pcscdtest: pcscd exited during start-up: %v", err)
		default:
		}
		if _, err := os.Stat(d.socket); err == nil {
			missing, err := d.missingPorts()
			if err != nil {
				return err
			}
			if len(missing) == 0 {
				return nil
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("pcscdtest: vpcd ports %v not listening after %v", missing, d.timeout)
			}
		} else if time.Now().After(deadline) {
			return fmt.Errorf("pcscdtest: pcscd socket %s not created after %v", d.socket, d.timeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// missingPorts lists reader ports not yet in LISTEN state, read from
// /proc/net/tcp{,6} so that probing does not look like a card to vpcd.
func (d *Daemon) missingPorts() ([]int, error) {
	listening := map[int]bool{}
	for _, f := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		if err := listeningPorts(f, listening); err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, err
		}
	}
	var missing []int
	for p := d.basePort; p < d.basePort+2*d.entries; p++ {
		if !listening[p] {
			missing = append(missing, p)
		}
	}
	return missing, nil
}

func listeningPorts(path string, into map[int]bool) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		// sl local_address rem_address st ...; st 0A = LISTEN.
		if len(fs) < 4 || fs[3] != "0A" {
			continue
		}
		i := strings.LastIndexByte(fs[1], ':')
		if i < 0 {
			continue
		}
		if p, err := strconv.ParseUint(fs[1][i+1:], 16, 16); err == nil {
			into[int(p)] = true
		}
	}
	return sc.Err()
}

// freePortRange finds n consecutive TCP ports that can be bound on all
// addresses, as vpcd binds INADDR_ANY.
func freePortRange(n int) (int, error) {
	for try := 0; try < 50; try++ {
		base := 20000 + rand.IntN(30000)
		ok := true
		for p := base; p < base+n && ok; p++ {
			l, err := net.Listen("tcp", fmt.Sprintf(":%d", p))
			if err != nil {
				ok = false
				break
			}
			l.Close()
		}
		if ok {
			return base, nil
		}
	}
	return 0, errors.New("pcscdtest: no free port range found")
}

// Socket returns the path of the daemon's socket.
func (d *Daemon) Socket() string { return d.socket }

// Env returns the environment entry a client process (scriptor, opensc-tool,
// gpcard) needs to reach this daemon.
func (d *Daemon) Env() string { return socketEnvVar + "=" + d.socket }

// Setenv points this process's libpcsclite at the daemon. Call it before the
// first PC/SC call of the process (libpcsclite reads the variable once).
func (d *Daemon) Setenv() error { return os.Setenv(socketEnvVar, d.socket) }

// Readers returns the number of readers (always even).
func (d *Daemon) Readers() int { return 2 * d.entries }

// Port returns the TCP port of reader r.
func (d *Daemon) Port(r int) int { return d.basePort + r }

// Addr returns host:port for a card to dial for reader r.
func (d *Daemon) Addr(r int) string { return fmt.Sprintf("127.0.0.1:%d", d.Port(r)) }

// ReaderName returns the PC/SC name pcscd gives reader r: "Virtual PCD <entry>
// <index> <slot>", where the middle index is pcscd's own. Use it as a unique
// prefix/suffix match, e.g. with reader.Context.Find(d.ReaderSpec(r)).
func (d *Daemon) ReaderSpec(r int) string { return fmt.Sprintf("Virtual PCD %d ", r/2) }

// ReaderSlot returns the slot suffix (" 00" or " 01") of reader r's name.
func (d *Daemon) ReaderSlot(r int) string { return fmt.Sprintf(" %02X", r%2) }

// Log returns what pcscd printed so far.
func (d *Daemon) Log() string {
	b, _ := os.ReadFile(filepath.Join(d.dir, "pcscd.log"))
	return string(b)
}

// Restart stops pcscd and starts it again with the same socket and ports, as
// after a crash or an upgrade; cards connected through vpcd must reconnect.
func (d *Daemon) Restart() error {
	d.kill()
	pcscd, err := exec.LookPath("pcscd")
	if err != nil {
		pcscd = "/usr/sbin/pcscd"
	}
	return d.start(pcscd)
}

// kill stops the daemon: SIGTERM, then SIGKILL after 5 s.
func (d *Daemon) kill() {
	if d.cmd == nil {
		return
	}
	_ = d.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-d.exited:
	case <-time.After(5 * time.Second):
		_ = syscall.Kill(-d.cmd.Process.Pid, syscall.SIGKILL)
		<-d.exited
	}
	d.cmd = nil
	if d.log != nil {
		d.log.Close()
		d.log = nil
	}
}

// Stop stops pcscd and removes its files. It is idempotent.
func (d *Daemon) Stop() error {
	d.kill()
	if d.dir == "" {
		return nil
	}
	err := os.RemoveAll(d.dir)
	d.dir = ""
	return err
}

// Name picks the PC/SC name of reader r among names (as listed by pcscd). It
// fails naming the candidates when none matches.
func (d *Daemon) Name(names []string, r int) (string, error) {
	for _, n := range names {
		if strings.HasPrefix(n, d.ReaderSpec(r)) && strings.HasSuffix(n, d.ReaderSlot(r)) {
			return n, nil
		}
	}
	return "", fmt.Errorf("pcscdtest: reader %d not among %q", r, names)
}
