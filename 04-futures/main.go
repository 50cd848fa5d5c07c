package main

import (
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/async-from-scratch/course/internal/demo"
)

func main() {
	slog.SetDefault(demo.NewLogger(os.Stderr, slog.LevelWarn)) // BlockOn logs each poll at debug level
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "04-futures:", err)
		os.Exit(1)
	}
}

// program lists the demos in the chapter's order; none takes flags.
var program = demo.Program{
	Name: "04-futures",
	Main: "async",
	Demos: []demo.Demo{
		{Name: "fab", What: "a Fibonacci generator (iter.Seq), then resumed by hand with iter.Pull", Run: demo.NoFlags(runFab)},
		{Name: "statemachine", What: "an async fn compiled by hand: an enum of states, polled to completion", Run: demo.NoFlags(runStateMachine)},
		{Name: "async", What: "the same function written with Async and Await (a coroutine on iter.Pull)", Run: demo.NoFlags(runAsync)},
		{Name: "blockon", What: "a file read on a worker goroutine that wakes the future; BlockOn sleeps in Poll meanwhile", Run: demo.NoFlags(runBlockOn)},
	},
}

// run is the whole program; main only adds the exit status.
func run(args []string, stdout, stderr io.Writer) error {
	return program.Run(args, stdout, stderr)
}
