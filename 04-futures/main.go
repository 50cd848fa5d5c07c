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
	slog.SetDefault(newLogger(os.Stderr)) // BlockOn logs each poll at debug level
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "04-futures:", err)
		os.Exit(1)
	}
}

// demo is one runnable example, in the chapter's order.
type demo struct {
	name string
	what string
	run  func(out io.Writer, log *slog.Logger) error
}

var demos = []demo{
	{"fab", "a Fibonacci generator (iter.Seq), then resumed by hand with iter.Pull", runFab},
	{"statemachine", "an async fn compiled by hand: an enum of states, polled to completion", runStateMachine},
	{"async", "the same function written with Async and Await (a coroutine on iter.Pull)", runAsync},
	{"blockon", "a file read on a worker goroutine that wakes the future; BlockOn sleeps in Poll meanwhile", runBlockOn},
}

// mainDemo runs when no demo is named.
const mainDemo = "async"

// run is the whole program; main only adds the exit status.
func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("04-futures", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // one clear line instead of flag's usage dump
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			listDemos(stdout)
			return nil
		}
		return fmt.Errorf("%v (usage: go run ./04-futures [demo])", err)
	}
	log := newLogger(stderr)
	switch fs.NArg() {
	case 0:
		listDemos(stdout)
		fmt.Fprintf(stdout, "\nrunning %q:\n", mainDemo)
		return find(mainDemo).run(stdout, log)
	case 1:
		if fs.Arg(0) == "demos" {
			for _, d := range demos {
				fmt.Fprintln(stdout, d.name)
			}
			return nil
		}
		d := find(fs.Arg(0))
		if d == nil {
			return fmt.Errorf("unknown demo %q; the demos are: %s", fs.Arg(0), strings.Join(names(), ", "))
		}
		return d.run(stdout, log)
	default:
		return fmt.Errorf("one demo at a time, got %q (usage: go run ./04-futures [demo])", fs.Args())
	}
}

func find(name string) *demo {
	for i := range demos {
		if demos[i].name == name {
			return &demos[i]
		}
	}
	return nil
}

func names() []string {
	var ns []string
	for _, d := range demos {
		ns = append(ns, d.name)
	}
	return ns
}

func listDemos(w io.Writer) {
	fmt.Fprintln(w, "demos (go run ./04-futures <demo>):")
	for _, d := range demos {
		fmt.Fprintf(w, "  %-13s %s\n", d.name, d.what)
	}
}

// newLogger logs to w at the level named by LOG_LEVEL (debug, info, warn,
// error); demos default to warn.
func newLogger(w io.Writer) *slog.Logger {
	level := slog.LevelWarn
	if s := os.Getenv("LOG_LEVEL"); s != "" {
		_ = level.UnmarshalText([]byte(s)) // an unknown name keeps warn
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}
