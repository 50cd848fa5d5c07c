//go:build linux

package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "01-raw-epoll:", err)
		os.Exit(1)
	}
}

// demos lists the demos in the order the chapter shows them; the first is
// the one that runs when no demo is named.
var demos = []struct {
	name, what string
	run        func(args []string, stdout, stderr io.Writer) error
}{
	{"exchange", "server and client trade PING/PONG over loopback, driven by epoll (flags: -addr -rounds -duration -v)", exchangeDemo},
	{"timeout", "epoll_wait on an empty interest list returns 0 events once its timeout passes (flag: -wait)", timeoutDemo},
}

// run is the whole program: main only adds the exit status. The first
// argument names a demo unless it is a flag; "demos" lists the names.
func run(args []string, stdout, stderr io.Writer) error {
	if len(args) == 1 && args[0] == "demos" {
		for _, d := range demos {
			fmt.Fprintln(stdout, d.name)
		}
		return nil
	}
	if len(args) == 0 {
		fmt.Fprintln(stdout, "demos (go run ./01-raw-epoll <demo> [flags]):")
		for _, d := range demos {
			fmt.Fprintf(stdout, "  %-9s %s\n", d.name, d.what)
		}
		fmt.Fprintf(stdout, "running %q:\n", demos[0].name)
	}
	name := demos[0].name
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, args = args[0], args[1:]
	}
	for _, d := range demos {
		if d.name == name {
			return d.run(args, stdout, stderr)
		}
	}
	names := make([]string, len(demos))
	for i, d := range demos {
		names[i] = d.name
	}
	return fmt.Errorf("unknown demo %q; the demos are: %s", name, strings.Join(names, ", "))
}

// parseFlags parses args into fs. Errors come back as one line; -h prints
// the flags to stdout and returns errHelp, which the demos turn into success.
func parseFlags(fs *flag.FlagSet, args []string, stdout io.Writer) error {
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

func exchangeDemo(args []string, stdout, _ io.Writer) error {
	fs := flag.NewFlagSet("exchange", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:0", "loopback IPv4 `address` for the server (port 0: any free port)")
	rounds := fs.Int("rounds", 3, "PING/PONG round trips (0: as many as fit in -duration)")
	duration := fs.Duration("duration", time.Second, "time bound: the exchange stops after this long")
	verbose := fs.Bool("v", false, "print every event, read and write")
	if err := parseFlags(fs, args, stdout); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	cfg := config{rounds: *rounds, duration: *duration, chunk: 512}
	var err error
	if cfg.addr, err = parseAddr(*addr); err != nil {
		return fmt.Errorf("-addr: %w", err)
	}
	if cfg.rounds < 0 {
		return fmt.Errorf("-rounds %d: want 0 or more", cfg.rounds)
	}
	if cfg.duration <= 0 {
		return fmt.Errorf("-duration %v: want a positive time bound, such as 1s", cfg.duration)
	}
	if *verbose {
		cfg.trace = stdout
	}
	st, err := runExchange(cfg)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "rounds:  %d PING/PONG round trips in %v\n", st.rounds, st.elapsed.Round(time.Microsecond))
	fmt.Fprintf(stdout, "events:  %d from %d epoll_wait calls\n", st.events, st.waits)
	fmt.Fprintf(stdout, "bytes:   server->client %d written, %d read; client->server %d written, %d read\n",
		st.toPeer[0], st.fromNet[1], st.toPeer[1], st.fromNet[0])
	return nil
}

func timeoutDemo(args []string, stdout, _ io.Writer) error {
	fs := flag.NewFlagSet("timeout", flag.ContinueOnError)
	wait := fs.Duration("wait", 100*time.Millisecond, "epoll_wait's timeout")
	if err := parseFlags(fs, args, stdout); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if *wait < 0 || *wait > 10*time.Second {
		return fmt.Errorf("-wait %v: want 0 to 10s", *wait)
	}
	n, elapsed, err := waitEmpty(*wait)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "epoll_wait(timeout %v) on an empty interest list: %d events after %v\n",
		*wait, n, elapsed.Round(10*time.Microsecond))
	return nil
}
