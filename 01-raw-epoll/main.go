//go:build linux

package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/async-from-scratch/course/internal/demo"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "01-raw-epoll:", err)
		os.Exit(1)
	}
}

// program lists the demos in the order the chapter shows them; the first is
// the one that runs when no demo is named, and flags with no name are its.
var program = demo.Program{
	Name:  "01-raw-epoll",
	Usage: "<demo> [flags]",
	Demos: []demo.Demo{
		{Name: "exchange", What: "server and client trade PING/PONG over loopback, driven by epoll (flags: -addr -rounds -duration -v)", Run: exchangeDemo},
		{Name: "timeout", What: "epoll_wait on an empty interest list returns 0 events once its timeout passes (flag: -wait)", Run: timeoutDemo},
	},
}

// run is the whole program: main only adds the exit status.
func run(args []string, stdout, stderr io.Writer) error {
	return program.Run(args, stdout, stderr)
}

func exchangeDemo(args []string, stdout io.Writer, _ *slog.Logger) error {
	fs := flag.NewFlagSet("exchange", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:0", "loopback IPv4 `address` for the server (port 0: any free port)")
	rounds := fs.Int("rounds", 3, "PING/PONG round trips (0: as many as fit in -duration)")
	duration := fs.Duration("duration", time.Second, "time bound: the exchange stops after this long")
	verbose := fs.Bool("v", false, "print every event, read and write")
	if err := demo.ParseFlags(fs, args, stdout); err != nil {
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

func timeoutDemo(args []string, stdout io.Writer, _ *slog.Logger) error {
	fs := flag.NewFlagSet("timeout", flag.ContinueOnError)
	wait := fs.Duration("wait", 100*time.Millisecond, "epoll_wait's timeout")
	if err := demo.ParseFlags(fs, args, stdout); err != nil {
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
