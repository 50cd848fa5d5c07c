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
		fmt.Fprintln(os.Stderr, "02-mio-like-poll:", err)
		os.Exit(1)
	}
}

// demo is one runnable example. Each parses its own flags.
type demo struct {
	name, what string
	run        func(args []string, stdout io.Writer, log *slog.Logger) error
}

// demos in the order the chapter shows them; the first is the main one.
var demos = []demo{
	{"tcp", "the blog's PING/PONG between a server and a client, on Poll (flags: -rounds)", tcpDemo},
	{"timeout", "Poll with nothing registered returns 0 events after its timeout (flag: -wait)", timeoutDemo},
	{"spurious", "an event, then accept and read say would-block anyway; the loop shrugs", spuriousDemo},
	{"level", "8 bytes arrive, 4 read per event: level-triggered reports unread data again", labDemo("level")},
	{"edge", "the same under edge triggering: one event per burst, the rest stranded", labDemo("edge")},
	{"oneshot", "the same under oneshot: one event, silence, then Reregister re-arms", labDemo("oneshot")},
	{"drain", "edge-triggered reading done right: read until would-block", drainDemo},
	{"still-block", "a slow println inside the loop delays every connection; on a worker it does not (flag: -delay)", stillBlockDemo},
}

// run is the whole program; main only adds the exit status.
func run(args []string, stdout, stderr io.Writer) error {
	log := newLogger(stderr)
	if len(args) == 1 && args[0] == "demos" {
		for _, d := range demos {
			fmt.Fprintln(stdout, d.name)
		}
		return nil
	}
	name := demos[0].name
	if len(args) == 0 {
		fmt.Fprintln(stdout, "demos (go run ./02-mio-like-poll <demo> [flags]):")
		for _, d := range demos {
			fmt.Fprintf(stdout, "  %-11s %s\n", d.name, d.what)
		}
		fmt.Fprintf(stdout, "running %q:\n", name)
	} else if !strings.HasPrefix(args[0], "-") {
		name, args = args[0], args[1:]
	}
	for _, d := range demos {
		if d.name == name {
			return d.run(args, stdout, log)
		}
	}
	return fmt.Errorf("unknown demo %q (try: go run ./02-mio-like-poll demos)", name)
}

// newLogger logs to w at the level named by LOG_LEVEL (debug, info, warn,
// error); demos default to warn, so only LOG_LEVEL=debug shows each event.
func newLogger(w io.Writer) *slog.Logger {
	level := slog.LevelWarn
	if s := os.Getenv("LOG_LEVEL"); s != "" {
		if err := level.UnmarshalText([]byte(s)); err != nil {
			level = slog.LevelWarn
		}
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}

// parseFlags parses a demo's flags. Errors come back as one line; -h prints
// the flags and returns flag.ErrHelp, which the caller turns into success.
func parseFlags(fs *flag.FlagSet, args []string, stdout io.Writer) error {
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprintf(stdout, "usage of %s:\n", fs.Name())
		fs.SetOutput(stdout)
		fs.PrintDefaults()
		return err
	case err != nil:
		return fmt.Errorf("%s: %v", fs.Name(), err)
	case fs.NArg() > 0:
		return fmt.Errorf("%s: unexpected argument %q", fs.Name(), fs.Arg(0))
	}
	return nil
}

// noFlags is parseFlags for demos without flags.
func noFlags(name string, args []string, stdout io.Writer) error {
	return parseFlags(flag.NewFlagSet(name, flag.ContinueOnError), args, stdout)
}
