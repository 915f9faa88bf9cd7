package api_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"github.com/cardhost/cardhost/tsm"
	"github.com/cardhost/cardhost/tsm/api"
	"github.com/cardhost/cardhost/tsm/demo"
)

// Example serves the API of a demo TSM on a loopback port, runs the jobs of
// campaigns created through it on the demo's simulated cards, and stops when
// the context ends (here at once).
func Example() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dir, _ := os.MkdirTemp("", "tsm-example-")
	defer os.RemoveAll(dir)
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	env, err := demo.Open(ctx, demo.Config{Dir: dir, Cards: 2, Logger: log})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer env.Close()
	h := api.New(env.Service, env.Store, api.WithLogger(log))
	executor := make(chan error, 1)
	go func() { executor <- h.RunJobs(ctx, env.Fleet, tsm.RunOptions{Workers: 2}) }()
	cancel() // a real server runs until SIGINT
	fmt.Println(api.Serve(ctx, "127.0.0.1:0", h), <-executor)
	// Output: <nil> <nil>
}
