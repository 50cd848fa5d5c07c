package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "03-custom-events:", err)
		os.Exit(1)
	}
}

// demo is one runnable example; the first in the list is the main one.
type demo struct {
	name string
	what string
	run  func(cfg config) error
}

// config is what every demo gets: where to print, how to log, the flags.
type config struct {
	out  io.Writer
	log  *slog.Logger
	sets int // -sets: how many Set calls the spurious demo makes
}

var demos = []demo{
	{"spurious", "a worker calls Set 10000 times; the loop sees far fewer events (wakeups coalesce)", runSpurious},
	{"callback", "a callback file system: an I/O worker goroutine, an executor blocked on a channel", runCallback},
	{"poll", "the same file system, the executor asleep in Poll on a user event, serving a socket too", runPoll},
}

func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("03-custom-events", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are returned as one line; -h prints the usage below
	cfg := config{out: stdout, log: newLogger(stderr)}
	fs.IntVar(&cfg.sets, "sets", 10000, "how many times the spurious demo's worker calls Set")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(stdout, "usage: go run ./03-custom-events [-sets N] [demo]")
			fs.SetOutput(stdout)
			fs.PrintDefaults()
			listDemos(stdout)
			return nil
		}
		return err
	}
	if cfg.sets < 1 {
		return fmt.Errorf("-sets %d: want at least 1", cfg.sets)
	}
	switch fs.NArg() {
	case 0:
		listDemos(stdout)
		fmt.Fprintf(stdout, "\nrunning %q:\n\n", demos[0].name)
		return demos[0].run(cfg)
	case 1:
	default:
		return fmt.Errorf("want one demo name, got %q", fs.Args())
	}
	name := fs.Arg(0)
	if name == "demos" {
		for _, d := range demos {
			fmt.Fprintln(stdout, d.name)
		}
		return nil
	}
	for _, d := range demos {
		if d.name == name {
			return d.run(cfg)
		}
	}
	return fmt.Errorf("unknown demo %q (try: go run ./03-custom-events demos)", name)
}

func listDemos(w io.Writer) {
	fmt.Fprintln(w, "demos:")
	for _, d := range demos {
		fmt.Fprintf(w, "  %-9s %s\n", d.name, d.what)
	}
}

// newLogger logs to w at the level named by LOG_LEVEL (debug, info, warn,
// error); demos default to warn, so only LOG_LEVEL=debug shows the events.
func newLogger(w io.Writer) *slog.Logger {
	level := slog.LevelWarn
	if s := os.Getenv("LOG_LEVEL"); s != "" {
		if err := level.UnmarshalText([]byte(strings.ToUpper(s))); err != nil {
			level = slog.LevelWarn
		}
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{
		Level: level,
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey && len(groups) == 0 {
				return slog.Attr{} // a demo's log reads better without clocks
			}
			return a
		},
	}))
}
