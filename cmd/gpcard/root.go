package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// Exit codes of gpcard.
const (
	exitOK    = 0
	exitError = 1 // the operation failed (card, reader, file)
	exitUsage = 2 // the command line is wrong
)

// envPrefix prefixes the environment variable of every global flag:
// --reader is CARDHOST_READER, --key-enc CARDHOST_KEY_ENC.
const envPrefix = "CARDHOST_"

// usageError marks an error in the command line itself (exit code 2).
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// usagef returns a usageError with a formatted message.
func usagef(format string, a ...any) error { return usageError{fmt.Errorf(format, a...)} }

// app is one gpcard invocation: where output goes, how the environment is
// read, and the global flags once parsed. Nothing here is package state, so
// tests run many invocations in one process.
type app struct {
	stdout, stderr io.Writer
	getenv         func(string) string
	// terminal reports whether stderr is a terminal: progress bars are shown
	// only then (and never with --json).
	terminal bool
	now      func() time.Time
	g        globalFlags
	// fromEnv maps the global flags taken from the environment to their
	// variable, so that errors can say where a bad value came from.
	fromEnv map[string]string
}

// run executes gpcard with args (without the program name) and returns the
// process exit code. Errors are printed to stderr. The environment is not
// read: tests call it; main uses app.run with os.Getenv.
func run(args []string, stdout, stderr io.Writer) int {
	a := &app{stdout: stdout, stderr: stderr, getenv: func(string) string { return "" }, now: time.Now}
	return a.run(context.Background(), args)
}

// run executes the command line and maps the outcome to an exit code.
func (a *app) run(ctx context.Context, args []string) int {
	if a.getenv == nil {
		a.getenv = os.Getenv
	}
	if a.now == nil {
		a.now = time.Now
	}
	root := a.newRootCommand()
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	code := exitError
	if errors.As(err, new(usageError)) {
		code = exitUsage
	}
	a.report(err, code)
	return code
}

// newRootCommand builds the gpcard command tree writing to a's outputs.
func (a *app) newRootCommand() *cobra.Command {
	root := groupCommand(&cobra.Command{
		Use:   "gpcard",
		Short: "Manage GlobalPlatform smart cards and their CAP files",
		Long: "gpcard manages GlobalPlatform cards through PC/SC readers or simulated cards (--reader sim:PATH).\n" +
			"Every global flag can also be set by an environment variable: --reader is CARDHOST_READER,\n" +
			"--key-enc is CARDHOST_KEY_ENC, and so on; flags override the environment.\n" +
			"Exit codes: 0 success, 1 card or operation error, 2 usage error.",
	})
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	root.SilenceErrors = true
	root.SilenceUsage = true
	root.CompletionOptions.DisableDefaultCmd = true
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	a.g.register(root.PersistentFlags())
	root.PersistentPreRunE = func(c *cobra.Command, _ []string) error { return a.applyEnv(c.Root().PersistentFlags()) }
	root.AddCommand(
		newCapCommand(a), a.readersCommand(), a.infoCommand(), a.listCommand(), a.installCommand(),
		a.deleteCommand(), a.putKeyCommand(), a.createSSDCommand(), a.extraditeCommand(),
		a.lockCommand(true), a.lockCommand(false), a.cardStateCommand(), a.storeDataCommand(),
		a.personalizeCommand(), a.apduCommand(), a.simCommand(),
	)
	return root
}

// applyEnv sets every global flag not given on the command line from its
// CARDHOST_ variable, if set. A bad value is a usage error naming the
// variable but never repeating its value (it may be a key).
func (a *app) applyEnv(fs *pflag.FlagSet) error {
	var err error
	fs.VisitAll(func(f *pflag.Flag) {
		if err != nil || f.Changed {
			return
		}
		name := envPrefix + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		v := a.getenv(name)
		if v == "" {
			return
		}
		if e := fs.Set(f.Name, v); e != nil {
			err = usagef("environment variable %s: invalid value for --%s", name, f.Name)
		}
		if a.fromEnv == nil {
			a.fromEnv = map[string]string{}
		}
		a.fromEnv[f.Name] = name
	})
	return err
}

// groupCommand makes c a command that only holds subcommands: run without one,
// or with an unknown one, it is a usage error.
func groupCommand(c *cobra.Command) *cobra.Command {
	c.Args = cobra.ArbitraryArgs
	c.RunE = func(c *cobra.Command, args []string) error {
		if len(args) > 0 {
			return usageError{fmt.Errorf("unknown command %q for %q", args[0], c.CommandPath())}
		}
		return usageError{fmt.Errorf("%q needs a subcommand", c.CommandPath())}
	}
	return c
}

// exactArgs is cobra.ExactArgs reporting a usage error.
func exactArgs(n int, what string) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		if len(args) != n {
			return usageError{fmt.Errorf("%s takes %s, got %d arguments", c.CommandPath(), what, len(args))}
		}
		return nil
	}
}

// minArgs is cobra.MinimumNArgs reporting a usage error.
func minArgs(n int, what string) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		if len(args) < n {
			return usageError{fmt.Errorf("%s takes %s, got %d arguments", c.CommandPath(), what, len(args))}
		}
		return nil
	}
}
