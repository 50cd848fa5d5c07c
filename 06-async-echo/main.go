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
	"github.com/async-from-scratch/course/06-async-echo/echo"
	"github.com/async-from-scratch/course/06-async-echo/loadgen"
	"github.com/async-from-scratch/course/internal/demo"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "06-async-echo:", err)
		os.Exit(1)
	}
}

// run is the program. It installs the SIGINT/SIGTERM handler and the
// SIGUSR1 task dump, and stops both again before returning.
func run(args []string, stdout, stderr io.Writer) error {
	defer executor.DumpOnSignal(stderr)() // kill -USR1 PID prints every task (the stuck-task appendix)
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(sigs)
	return serve(args, stdout, stderr, sigs, readyHook)
}

// options are the executor options of the server: the log, and the
// lost-waker detector when DETECT_LOST_WAKERS is set (docs/stuck-task.md).
func options(log *slog.Logger) executor.Options {
	return executor.Options{Logger: log, DetectLostWakers: os.Getenv("DETECT_LOST_WAKERS") != ""}
}

// readyHook, when set by a test, learns the address the server listens on.
var readyHook func(addr string)

// serve is run with its seams exposed for tests: sigs delivers the stop
// signal, and ready (if not nil) is called with the listening address.
func serve(args []string, stdout, stderr io.Writer, sigs <-chan os.Signal, ready func(addr string)) error {
	return demo.Program{
		Name:  "06-async-echo",
		Usage: "[server flags] | <demo> [flags]",
		// No demo named (no argument, or only flags): the server itself,
		// which runs until a signal, so `demos` does not list it.
		Default: func(args []string, stdout io.Writer, log *slog.Logger) error {
			return server(args, stdout, log, sigs, ready)
		},
		Demos: []demo.Demo{
			{Name: "selftest", What: "start the server on 127.0.0.1:0, run a few clients against it, shut it down, exit 0", Run: demo.NoFlags(selftest)},
			{Name: "load", What: "drive an echo server for a second and print messages/s and latency (flags: -addr, -conns, -size, -duration)", Run: load},
		},
	}.Run(args, stdout, stderr)
}

// server parses the server's flags and serves until a signal.
func server(args []string, stdout io.Writer, log *slog.Logger, sigs <-chan os.Signal, ready func(addr string)) error {
	fs := flag.NewFlagSet("server", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:7878", "address to listen on")
	mode := fs.String("mode", "echo", "echo or file")
	rootDir := fs.String("root", "", "file mode: the folder to serve")
	style := fs.String("style", "machine", "echo connection handler: machine or coroutine")
	idle := fs.Duration("idle", 0, "close connections idle this long (0: never)")
	maxConns := fs.Int("max-conns", 0, "stop accepting while this many are open (0: no limit)")
	grace := fs.Duration("grace", 5*time.Second, "on SIGINT/SIGTERM, how long open connections may finish")
	loops := fs.Int("loops", 1, "event loops, one executor each, sharing the port with SO_REUSEPORT (one per core at most pays)")
	if err := demo.ParseFlags(fs, args, stdout); err != nil {
		return err
	}
	switch {
	case *loops < 1:
		return errors.New("-loops must be at least 1")
	case *idle < 0:
		return errors.New("-idle must not be negative (0: never)")
	case *maxConns < 0:
		return errors.New("-max-conns must not be negative (0: no limit)")
	case *grace <= 0:
		// Config reads a zero Grace as "the default", which is not what
		// someone typing -grace 0 means.
		return errors.New("-grace must be positive")
	}
	cfg := echo.Config{Addr: *addr, Mode: echo.Mode(*mode), Style: echo.Style(*style),
		Idle: *idle, MaxConns: *maxConns, Grace: *grace, Logger: log, Loops: *loops}
	if cfg.Mode == echo.ModeFile {
		if *rootDir == "" {
			return errors.New("-mode file needs -root DIR")
		}
		root, err := os.OpenRoot(*rootDir)
		if err != nil {
			// "-root: open /no/such/dir: no such file or directory":
			// name the flag, so the user knows which path is wrong.
			return fmt.Errorf("-root: %w", err)
		}
		defer root.Close()
		cfg.Root = root
	}
	return serveUntil(cfg, log, sigs, ready)
}

// serveUntil runs one executor with the server as its root future until a
// signal arrives on sigs.
func serveUntil(cfg echo.Config, log *slog.Logger, sigs <-chan os.Signal, ready func(string)) error {
	if cfg.Loops > 1 {
		return serveLoopsUntil(cfg, log, sigs, ready)
	}
	ex, err := executor.New(options(log))
	if err != nil {
		return err
	}
	srv, err := echo.Listen(ex, cfg)
	if err != nil {
		ex.Close()
		return err
	}
	// The signal handler is a goroutine of the Go world; stop.Notify hands the
	// signal to the event loop through the executor's custom event.
	var stop executor.Notify
	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case sig := <-sigs:
			log.Info("signal", "signal", sig.String())
			stop.Notify()
		case <-done:
		}
	}()
	if ready != nil {
		ready(srv.Addr().String())
	}
	result, err := executor.BlockOn(ex, srv.Serve(&stop))
	if err != nil {
		return err
	}
	return result
}

// serveLoopsUntil is serveUntil with cfg.Loops executors (echo.Group).
func serveLoopsUntil(cfg echo.Config, log *slog.Logger, sigs <-chan os.Signal, ready func(string)) error {
	g, err := echo.ListenGroup(cfg, options(log))
	if err != nil {
		return err
	}
	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case sig := <-sigs:
			log.Info("signal", "signal", sig.String())
			g.Stop() // notifies every loop
		case <-done:
		}
	}()
	if ready != nil {
		ready(g.Addr().String())
	}
	return g.Run()
}

// startServer starts the server on 127.0.0.1:0 and returns its address and
// how to stop it: the same path a signal takes.
func startServer(log *slog.Logger) (addr string, stop func() error, err error) {
	sigs := make(chan os.Signal, 1)
	addrc := make(chan string, 1)
	errc := make(chan error, 1)
	go func() {
		errc <- serveUntil(echo.Config{Addr: "127.0.0.1:0", Grace: time.Second, Logger: log},
			log, sigs, func(a string) { addrc <- a })
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
