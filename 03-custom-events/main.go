package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/async-from-scratch/course/internal/demo"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "03-custom-events:", err)
		os.Exit(1)
	}
}

// config is what every demo gets: where to print, how to log, the flags.
type config struct {
	out  io.Writer
	log  *slog.Logger
	sets int // -sets: how many Set calls the spurious demo makes
}

// run is the whole program; main only adds the exit status. The program's
// one flag, -sets, comes before the demo's name: -sets 100 spurious.
func run(args []string, stdout, stderr io.Writer) error {
	sets := 10000
	// with hands a demo its config.
	with := func(f func(cfg config) error) demo.Func {
		return demo.NoFlags(func(out io.Writer, log *slog.Logger) error {
			if sets < 1 {
				return fmt.Errorf("-sets %d: want at least 1", sets)
			}
			return f(config{out: out, log: log, sets: sets})
		})
	}
	return demo.Program{
		Name:  "03-custom-events",
		Usage: "[-sets N] <demo>",
		Flags: func(fs *flag.FlagSet) {
			fs.IntVar(&sets, "sets", sets, "how many times the spurious demo's worker calls Set")
		},
		Demos: []demo.Demo{ // in the chapter's order; the first is the main one
			{Name: "spurious", What: "a worker calls Set 10000 times; the loop sees far fewer events (wakeups coalesce)", Run: with(runSpurious)},
			{Name: "callback", What: "a callback file system: an I/O worker goroutine, an executor blocked on a channel", Run: with(runCallback)},
			{Name: "poll", What: "the same file system, the executor asleep in Poll on a user event, serving a socket too", Run: with(runPoll)},
		},
	}.Run(args, stdout, stderr)
}
