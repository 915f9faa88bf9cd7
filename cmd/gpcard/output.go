package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/cardhost/cardhost/gpcard/sw"
	"github.com/schollz/progressbar/v3"
)

// emit prints a command's result: v as indented JSON with --json, else the
// text that text writes.
func (a *app) emit(v any, text func(w io.Writer) error) error {
	if a.g.json {
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
	return text(a.stdout)
}

// notef tells the operator what a key-changing or life-cycle command is
// about to do. It goes to stderr so that stdout holds only the result.
func (a *app) notef(format string, args ...any) {
	fmt.Fprintf(a.stderr, format+"\n", args...)
}

// errorJSON is the --json form of a failure, printed on stdout.
type errorJSON struct {
	Error    string `json:"error"`
	ExitCode int    `json:"exit_code"`
	Command  string `json:"command,omitempty"` // card command that failed
	SW       string `json:"sw,omitempty"`      // its status word
	Meaning  string `json:"meaning,omitempty"` // what the status word means
	Hint     string `json:"hint,omitempty"`    // advice for the operator
}

// report prints err on stderr, with the status word's meaning and a hint
// when the card refused a command, and as JSON on stdout with --json.
func (a *app) report(err error, code int) {
	e := errorJSON{Error: err.Error(), ExitCode: code}
	var se *sw.StatusError
	if errors.As(err, &se) {
		e.Command, e.SW, e.Meaning = se.Command, fmt.Sprintf("%04X", se.SW), sw.Meaning(se.SW)
		e.Hint = sw.Hint(se.Command, se.SW)
	}
	fmt.Fprintf(a.stderr, "gpcard: %v\n", err)
	if e.Hint != "" && !strings.Contains(e.Error, e.Hint) {
		fmt.Fprintf(a.stderr, "hint: %s\n", e.Hint)
	}
	if code == exitUsage {
		for _, name := range sortedKeys(a.fromEnv) {
			if strings.Contains(e.Error, "--"+name+" ") || strings.Contains(e.Error, "--"+name+":") {
				fmt.Fprintf(a.stderr, "note: --%s was taken from the environment variable %s\n", name, a.fromEnv[name])
			}
		}
		fmt.Fprintln(a.stderr, "Run 'gpcard --help' for usage.")
	}
	if a.g.json {
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		enc.Encode(e)
	}
}

// progress returns a LOAD progress callback drawing a bar on stderr, or nil
// when stderr is not a terminal or output is JSON. done removes the bar.
func (a *app) progress(what string) (update func(sent, total int), done func()) {
	if !a.terminal || a.g.json {
		return nil, func() {}
	}
	var bar *progressbar.ProgressBar
	update = func(sent, total int) {
		if bar == nil {
			bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(a.stderr), progressbar.OptionSetDescription(what),
				progressbar.OptionShowBytes(true), progressbar.OptionClearOnFinish(), progressbar.OptionSetWidth(30))
		}
		bar.Set(sent)
	}
	return update, func() {
		if bar != nil {
			bar.Finish()
		}
	}
}

// busy shows a spinner on stderr when an operation takes more than about a
// second (terminal only, never with --json); the returned func stops it.
func (a *app) busy(what string) (stop func()) {
	if !a.terminal || a.g.json {
		return func() {}
	}
	var mu sync.Mutex
	var bar *progressbar.ProgressBar
	stopped := false
	timer := time.AfterFunc(time.Second, func() {
		mu.Lock()
		defer mu.Unlock()
		if !stopped {
			bar = progressbar.NewOptions(-1, progressbar.OptionSetWriter(a.stderr), progressbar.OptionSetDescription(what),
				progressbar.OptionSpinnerType(14), progressbar.OptionSetSpinnerChangeInterval(100*time.Millisecond),
				progressbar.OptionClearOnFinish(), progressbar.OptionSetElapsedTime(true))
		}
	})
	return func() {
		timer.Stop()
		mu.Lock()
		defer mu.Unlock()
		stopped = true
		if bar != nil {
			bar.Finish()
		}
	}
}
