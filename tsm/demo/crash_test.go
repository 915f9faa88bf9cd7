package demo_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cardhost/cardhost/tsm"
	"github.com/cardhost/cardhost/tsm/demo"
	"github.com/cardhost/cardhost/tsm/jobs"
	"github.com/cardhost/cardhost/tsm/store"
)

const (
	crashDirEnv = "CARDHOST_TSM_CRASH_DIR"
	crashCards  = 1000
	crashTTL    = 2 * time.Second
)

// TestCrashHelper is the campaign process of TestCrash_KilledCampaign: it
// runs only when started by that test, with file-backed cards, and prints
// "job done" after every finished job.
func TestCrashHelper(t *testing.T) {
	dir := os.Getenv(crashDirEnv)
	if dir == "" {
		return // not started by TestCrash_KilledCampaign
	}
	e, err := demo.Open(context.Background(), demo.Config{Dir: dir, Cards: crashCards, FileCards: true, Masters: masters(t), LeaseTTL: crashTTL, Worker: fmt.Sprintf("crash-%d", os.Getpid())})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	c, err := e.Campaign(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	err = e.Service.RunCampaign(t.Context(), c.ID, e.Fleet, tsm.RunOptions{Workers: 4, OnResult: func(r jobs.Result, _ error) {
		if r.Job.State == store.JobDone {
			fmt.Println("job done")
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
}

// TestCrash_KilledCampaign runs a campaign over file-backed cards in a
// subprocess, kills it with SIGKILL twice mid-campaign, restarts it, and
// checks that every card is provisioned exactly once with KCVs matching the
// inventory and that the audit chain verifies.
func TestCrash_KilledCampaign(t *testing.T) {
	dir := t.TempDir()
	for _, killAfter := range []int{150, 400, 0} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashHelper$", "-test.count=1")
		cmd.Env = append(os.Environ(), crashDirEnv+"="+dir)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc, done := bufio.NewScanner(out), 0
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "job done") {
				done++
			}
			if killAfter > 0 && done == killAfter {
				if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
					t.Fatal(err)
				}
				break
			}
		}
		err = cmd.Wait()
		if killAfter == 0 && err != nil {
			t.Fatalf("final run: %v", err)
		}
		t.Logf("run killed after %d jobs: %d jobs reported done", killAfter, done)
	}
	e := openEnv(t, demo.Config{Dir: dir, Cards: crashCards, FileCards: true})
	verifyProvisioned(t, e)
}
