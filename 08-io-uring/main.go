//go:build linux

package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/async-from-scratch/course/05-executor/executor"
	"github.com/async-from-scratch/course/06-async-echo/loadgen"
	"github.com/async-from-scratch/course/08-io-uring/echo"
	"github.com/async-from-scratch/course/08-io-uring/loop"
	"github.com/async-from-scratch/course/internal/demo"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "08-io-uring:", err)
		os.Exit(1)
	}
}

// run is the program. It installs the SIGINT/SIGTERM handler and the
// SIGUSR1 task dump (as stage 05's DumpOnSignal does; docs/stuck-task.md),
// and stops them again before returning.
func run(args []string, stdout, stderr io.Writer) error {
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGUSR1)
	defer signal.Stop(sigs)
	return serve(args, stdout, stderr, sigs, readyHook)
}

// readyHook, when set by a test, learns the address the server listens on.
var readyHook func(addr string)

// serve is run with its seams exposed for tests: sigs delivers the stop
// signals and SIGUSR1, and ready (if not nil) is called with the listening address.
func serve(args []string, stdout, stderr io.Writer, sigs <-chan os.Signal, ready func(addr string)) error {
	return demo.Program{
		Name:  "08-io-uring",
		Usage: "[server flags] | <demo> [flags]",
		Default: func(args []string, stdout io.Writer, log *slog.Logger) error {
			return server(args, stdout, stderr, log, sigs, ready)
		},
		Demos: []demo.Demo{
			{Name: "selftest", What: "start the server on 127.0.0.1:0, run a few clients against it, shut it down, exit 0", Run: demo.NoFlags(selftest)},
			{Name: "load", What: "drive an echo server for a second and print messages/s and latency (flags: -addr, -conns, -size, -duration)", Run: load},
		},
	}.Run(args, stdout, stderr)
}

// server parses the server's flags and serves until a signal.
func server(args []string, stdout, stderr io.Writer, log *slog.Logger, sigs <-chan os.Signal, ready func(addr string)) error {
	fs := flag.NewFlagSet("server", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:7880", "address to listen on")
	mode := fs.String("mode", "echo", "echo or file")
	rootDir := fs.String("root", "", "file mode: the folder to serve")
	idle := fs.Duration("idle", 0, "close connections idle this long (0: never)")
	maxConns := fs.Int("max-conns", 0, "stop accepting while this many are open (0: no limit)")
	grace := fs.Duration("grace", 5*time.Second, "on SIGINT/SIGTERM, how long open connections may finish")
	oneShot := fs.Bool("oneshot", false, "one-shot accept and recv (an SQE each) instead of multishot")
	if err := demo.ParseFlags(fs, args, stdout); err != nil {
		return err
	}
	switch {
	case *idle < 0:
		return errors.New("-idle must not be negative (0: never)")
	case *maxConns < 0:
		return errors.New("-max-conns must not be negative (0: no limit)")
	case *grace <= 0:
		return errors.New("-grace must be positive")
	}
	cfg := echo.Config{Addr: *addr, Mode: echo.Mode(*mode), Idle: *idle, MaxConns: *maxConns, Grace: *grace, Logger: log, OneShot: *oneShot}
	if cfg.Mode == echo.ModeFile {
		if *rootDir == "" {
			return errors.New("-mode file needs -root DIR")
		}
		root, err := os.OpenRoot(*rootDir)
		if err != nil {
			return fmt.Errorf("-root: %w", err)
		}
		defer root.Close()
		cfg.Root = root
	}
	return serveUntil(cfg, log, stderr, sigs, ready)
}

// serveUntil runs one loop with the server as its root future until a stop
// signal arrives on sigs. SIGUSR1 on sigs writes the loop's task dump to
// dumpTo, and the server goes on.
func serveUntil(cfg echo.Config, log *slog.Logger, dumpTo io.Writer, sigs <-chan os.Signal, ready func(string)) error {
	l, err := loop.New(loop.Options{Logger: log})
	if err != nil {
		return err // "io_uring is not available: ..." where it is not
	}
	srv, err := echo.Listen(l, cfg)
	if err != nil {
		l.Close()
		return err
	}
	// The signal arrives on a Go channel; stop.Notify wakes the loop, asleep
	// in io_uring_enter, through the eventfd read it keeps in flight.
	var stop executor.Notify
	done := make(chan struct{})
	defer close(done)
	go func() {
		for {
			select {
			case sig := <-sigs:
				if sig == syscall.SIGUSR1 {
					dumpTasks(l, dumpTo, sig)
					continue
				}
				log.Info("signal", "signal", sig.String())
				stop.Notify()
			case <-done:
			}
			return
		}
	}()
	if ready != nil {
		ready(srv.Addr().String())
	}
	result, err := loop.Run(l, srv.Serve(&stop))
	if err != nil {
		return err
	}
	return result
}

// dumpTasks writes the loop's task dump between stage 05's header and footer.
func dumpTasks(l *loop.Loop, w io.Writer, sig os.Signal) {
	fmt.Fprintf(w, "--- task dump (%v): 1 loop ---\n", sig)
	_ = l.Dump(w, time.Second) // on error, it says why in w
	fmt.Fprintln(w, "--- end of task dump ---")
}

// startServer runs serveUntil on another goroutine with an ephemeral port and
// returns its address and a function that stops it and returns its error.
func startServer(log *slog.Logger) (addr string, stop func() error, err error) {
	sigs := make(chan os.Signal, 1)
	addrc := make(chan string, 1)
	errc := make(chan error, 1)
	go func() {
		errc <- serveUntil(echo.Config{Addr: "127.0.0.1:0", Grace: time.Second, Logger: log},
			log, io.Discard, sigs, func(a string) { addrc <- a })
	}()
	select {
	case addr = <-addrc:
	case err := <-errc:
		return "", nil, err
	}
	return addr, func() error { sigs <- syscall.SIGTERM; return <-errc }, nil
}

// selftest starts the server on an ephemeral port, runs a few echo clients
// against it, stops it through the path a signal takes, and checks it exits
// cleanly (see loadgen.Selftest).
func selftest(stdout io.Writer, log *slog.Logger) error {
	return loadgen.Selftest(stdout, func() (string, func() error, error) { return startServer(log) })
}

// load is the load generator as a demo (see loadgen.LoadDemo), driving its
// own server when -addr is empty.
func load(args []string, stdout io.Writer, log *slog.Logger) error {
	return loadgen.LoadDemo(args, stdout, func() (string, func() error, error) { return startServer(log) })
}
