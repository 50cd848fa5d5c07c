// Package demo is the command line every stage program shares: a table of
// demos, the listing, the `demos` argument CI relies on, dispatch by name,
// one-line errors, and the LOG_LEVEL logger.
//
// A stage's main.go declares its demos and hands its arguments over:
//
//	var program = demo.Program{
//		Name: "02-mio-like-poll",
//		Demos: []demo.Demo{
//			{Name: "tcp", What: "the blog's PING/PONG (flags: -rounds)", Run: tcpDemo},
//			{Name: "level", What: "level-triggered readiness", Run: demo.NoFlags(levelDemo)},
//		},
//	}
//
//	func run(args []string, stdout, stderr io.Writer) error {
//		return program.Run(args, stdout, stderr)
//	}
//
// The command line it reads (CI runs `demos`, then each name it prints):
//
//	go run ./NN-stage                   list the demos, then run the main one
//	go run ./NN-stage demos             print only the demo names, one a line (CI runs each)
//	go run ./NN-stage NAME [flags]      run demo NAME with its own flags
//	go run ./NN-stage -flag ...         flags with no name: the main demo's (or the server's)
//	go run ./NN-stage -h                the listing, then the main demo's flags
//
// A program with [Program.Flags] reads those first (03's `-sets 100 spurious`);
// a program with a [Program.Default] runs it, not the listing, when no demo is
// named (06's echo server).
package demo

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
)

// Func runs one demo. args are the words after the demo's name: a demo with
// flags parses them with [ParseFlags]; one without wraps itself in [NoFlags].
// stdout is the demo's output; log writes to the program's stderr.
type Func func(args []string, stdout io.Writer, log *slog.Logger) error

// Demo is one runnable example, one row of a stage's table.
type Demo struct {
	Name string // the word that selects it: go run ./02-mio-like-poll level
	What string // one line for the listing: what it shows (and its flags, if any)
	Run  Func
}

// Program is a stage's command line. Only Name and Demos are required; the
// other fields fit the stages that differ.
type Program struct {
	// Name is the stage folder, as in `go run ./NAME`. It names Flags'
	// flag set and appears in the listing's first line.
	Name string
	// Demos in the chapter's order.
	Demos []Demo
	// Main names the demo that runs when none is named. Empty: the first.
	Main string
	// Usage is what follows `go run ./NAME` in the listing's first line.
	// Empty: "<demo>".
	Usage string

	// Flags, if set, defines the program's own flags. They come before the
	// demo's name (`go run ./03-custom-events -sets 100 spurious`) and are
	// parsed before anything runs; the demos read them through the variables
	// Flags binds.
	Flags func(fs *flag.FlagSet)
	// Default, if set, runs when no demo is named, with the arguments as
	// they are (flags only), and no listing is printed: 06's server, which
	// runs until a signal, so `demos` does not list it. Its log defaults to
	// info, as a server's does; the demos' defaults to warn.
	Default Func
}

// Run is the whole program: it reads args, runs what they name, and returns
// its error, one line, for main to print before exiting with status 1.
func (p Program) Run(args []string, stdout, stderr io.Writer) error {
	main, err := p.main()
	if err != nil {
		return err
	}
	var fs *flag.FlagSet
	if p.Flags != nil {
		fs = flag.NewFlagSet(p.Name, flag.ContinueOnError)
		fs.SetOutput(io.Discard) // flag's own report is several lines; ours is one
		p.Flags(fs)
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return p.help(fs, main, stdout, stderr)
			}
			return err
		}
		args = fs.Args()
	}
	if len(args) == 1 && isHelp(args[0]) {
		return p.help(fs, main, stdout, stderr)
	}

	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		if p.Default != nil {
			return p.call(p.Name, p.Default, args, stdout, p.logger(stderr, slog.LevelInfo))
		}
		if len(args) == 0 {
			p.list(stdout)
			fmt.Fprintf(stdout, "running %q:\n", main.Name)
		}
		return p.call(main.Name, main.Run, args, stdout, p.logger(stderr, slog.LevelWarn))
	}

	name, args := args[0], args[1:]
	if name == "demos" {
		if len(args) > 0 {
			return fmt.Errorf("demos: unexpected argument %q", args[0])
		}
		for _, d := range p.Demos {
			fmt.Fprintln(stdout, d.Name)
		}
		return nil
	}
	for _, d := range p.Demos {
		if d.Name == name {
			return p.call(d.Name, d.Run, args, stdout, p.logger(stderr, slog.LevelWarn))
		}
	}
	return fmt.Errorf("unknown demo %q; the demos are: %s", name, strings.Join(p.names(), ", "))
}

// call runs one demo. Its -h is a success (a flagless demo answers it with
// one line); a flagless demo's complaint about other arguments gets the
// demo's name.
func (p Program) call(name string, run Func, args []string, stdout io.Writer, log *slog.Logger) error {
	err := run(args, stdout, log)
	switch {
	case errors.Is(err, flag.ErrHelp):
		return nil
	case errors.Is(err, errNoFlags) && len(args) == 1 && isHelp(args[0]):
		fmt.Fprintf(stdout, "%s takes no flags\n", name)
		return nil
	case errors.Is(err, errNoFlags):
		return fmt.Errorf("%s: %w", name, err)
	}
	return err
}

// help answers -h: the listing, the program's flags, then the main demo's
// (or the server's) flags.
func (p Program) help(fs *flag.FlagSet, main Demo, stdout, stderr io.Writer) error {
	p.list(stdout)
	if fs != nil {
		fmt.Fprintf(stdout, "usage of %s:\n", fs.Name())
		fs.SetOutput(stdout)
		fs.PrintDefaults()
	}
	run, level := main.Run, slog.LevelWarn
	if p.Default != nil {
		run, level = p.Default, slog.LevelInfo
	}
	err := run([]string{"-h"}, stdout, p.logger(stderr, level))
	if errors.Is(err, errNoFlags) { // its line in the listing says it all
		return nil
	}
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	return err
}

// list prints the demos, one line each: name and what it shows.
func (p Program) list(w io.Writer) {
	usage := p.Usage
	if usage == "" {
		usage = "<demo>"
	}
	fmt.Fprintf(w, "demos (go run ./%s %s):\n", p.Name, usage)
	width := 0 // the name column: the longest name, and one space
	for _, d := range p.Demos {
		width = max(width, len(d.Name)+1)
	}
	for _, d := range p.Demos {
		fmt.Fprintf(w, "  %-*s %s\n", width, d.Name, d.What)
	}
}

// main returns the demo that runs when none is named.
func (p Program) main() (Demo, error) {
	if len(p.Demos) == 0 {
		return Demo{}, fmt.Errorf("demo: program %s has no demos", p.Name)
	}
	if p.Main == "" {
		return p.Demos[0], nil
	}
	for _, d := range p.Demos {
		if d.Name == p.Main {
			return d, nil
		}
	}
	return Demo{}, fmt.Errorf("demo: program %s: Main %q names no demo (the demos are: %s)", p.Name, p.Main, strings.Join(p.names(), ", "))
}

func (p Program) names() []string {
	names := make([]string, len(p.Demos))
	for i, d := range p.Demos {
		names[i] = d.Name
	}
	return names
}

func (p Program) logger(w io.Writer, def slog.Level) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: Level(def)}))
}

func isHelp(arg string) bool {
	return arg == "-h" || arg == "-help" || arg == "--help"
}

// ParseFlags parses a demo's args into fs. An error comes back as one line
// that starts with the flag set's name ("tcp: invalid value ..."), and so
// does an argument left over. -h prints the flags to stdout and returns
// [flag.ErrHelp], which [Program.Run] turns into success.
func ParseFlags(fs *flag.FlagSet, args []string, stdout io.Writer) error {
	fs.SetOutput(io.Discard) // flag's own report is several lines; ours is one
	err := fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprintf(stdout, "usage of %s:\n", fs.Name())
		fs.SetOutput(stdout)
		fs.PrintDefaults()
		return flag.ErrHelp
	case err != nil:
		return fmt.Errorf("%s: %v", fs.Name(), err)
	case fs.NArg() > 0:
		return fmt.Errorf("%s: unexpected argument %q", fs.Name(), fs.Arg(0))
	}
	return nil
}

// errNoFlags is what a NoFlags demo says to any argument, -h included.
var errNoFlags = errors.New("this demo takes no flags")

// NoFlags makes a [Func] of a demo that takes no arguments. Given any, it
// returns an error, which [Program.Run] prefixes with the demo's name:
// `fab: unexpected argument "x" (this demo takes no flags)`.
func NoFlags(run func(stdout io.Writer, log *slog.Logger) error) Func {
	return func(args []string, stdout io.Writer, log *slog.Logger) error {
		if len(args) > 0 {
			return fmt.Errorf("unexpected argument %q (%w)", args[0], errNoFlags)
		}
		return run(stdout, log)
	}
}

// NewLogger returns a text logger to w at the level LOG_LEVEL names (debug,
// info, warn or error, any case), or at defaultLevel when LOG_LEVEL is unset
// or names no level. The defaults: warn for demos, info for servers.
func NewLogger(w io.Writer, defaultLevel slog.Level) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: Level(defaultLevel)}))
}

// Level is the level LOG_LEVEL names, or defaultLevel.
func Level(defaultLevel slog.Level) slog.Level {
	level := defaultLevel
	if s := os.Getenv("LOG_LEVEL"); s != "" {
		if err := level.UnmarshalText([]byte(s)); err != nil {
			return defaultLevel
		}
	}
	return level
}
