package main

import (
	"context"
	"os"
	"time"

	"golang.org/x/term"
)

func main() {
	a := &app{
		stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv, now: time.Now,
		terminal: term.IsTerminal(int(os.Stderr.Fd())),
	}
	os.Exit(a.run(context.Background(), os.Args[1:]))
}
