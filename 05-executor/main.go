package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/async-from-scratch/course/02-mio-like-poll/tcp"
	"github.com/async-from-scratch/course/04-futures/future"
	"github.com/async-from-scratch/course/05-executor/executor"
	"github.com/async-from-scratch/course/internal/demo"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "05-executor:", err)
		os.Exit(1)
	}
}

// program lists the demos in the chapter's order; none takes flags.
var program = demo.Program{
	Name: "05-executor",
	Main: "tcp",
	Demos: []demo.Demo{
		{Name: "spawn", What: "spawn three tasks and join them; one panics, the others go on", Run: demo.NoFlags(runSpawn)},
		{Name: "timers", What: "Sleep and Timeout on the executor's timer heap", Run: demo.NoFlags(runTimers)},
		{Name: "file", What: "read a file on the worker pool; the worker wakes the loop through the user event", Run: demo.NoFlags(runFile)},
		{Name: "tcp", What: "a tiny TCP exchange: a server task and a client task on one loop", Run: demo.NoFlags(runTCP)},
	},
}

// options are the executor options of every demo: the log, and the
// lost-waker detector when DETECT_LOST_WAKERS is set (docs/stuck-task.md).
func options(log *slog.Logger) executor.Options {
	return executor.Options{Logger: log, DetectLostWakers: os.Getenv("DETECT_LOST_WAKERS") != ""}
}

func withWorkers(o executor.Options, n int) executor.Options {
	o.Workers = n
	return o
}

// run is the whole program; main only adds the exit status.
func run(args []string, stdout, stderr io.Writer) error {
	defer executor.DumpOnSignal(stderr)() // kill -USR1 PID prints every task (the stuck-task appendix)
	return program.Run(args, stdout, stderr)
}

// runSpawn spawns three tasks; the second panics. Its handle reports the
// panic, the others finish, and BlockOn returns the main future's value.
func runSpawn(out io.Writer, log *slog.Logger) error {
	ex, err := executor.New(options(log))
	if err != nil {
		return err
	}
	work := func(name string, yields int, panics bool) future.Future[string] {
		return future.Async(func(co *future.Co) string {
			for i := range yields {
				fmt.Fprintf(out, "  %s: step %d\n", name, i)
				future.Await(co, executor.YieldNow()) // to the back of the queue
			}
			if panics {
				panic(name + " gives up")
			}
			return name + " finished"
		})
	}
	total, err := executor.BlockOn(ex, future.Async(func(co *future.Co) int {
		hs := []*executor.JoinHandle[string]{
			executor.Spawn(ex, work("A", 2, false)),
			executor.Spawn(ex, work("B", 1, true)),
			executor.Spawn(ex, work("C", 3, false)),
		}
		ok := 0
		for i, h := range hs {
			r := future.Await(co, h)
			if r.Err != nil {
				fmt.Fprintf(out, "join %d: error: %v\n", i, r.Err)
				continue
			}
			fmt.Fprintf(out, "join %d: %s\n", i, r.Value)
			ok++
		}
		return ok
	}))
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "BlockOn returned %d: one task panicked, the loop went on\n", total)
	return nil
}

// runTimers sleeps, then races a slow sleep against a Timeout.
func runTimers(out io.Writer, log *slog.Logger) error {
	ex, err := executor.New(options(log))
	if err != nil {
		return err
	}
	_, err = executor.BlockOn(ex, future.Async(func(co *future.Co) struct{} {
		start := time.Now()
		future.Await(co, ex.Sleep(20*time.Millisecond))
		fmt.Fprintf(out, "Sleep(20ms) returned; at least 20ms later: %v\n", time.Since(start) >= 20*time.Millisecond)

		slow := future.Async(func(co *future.Co) string {
			future.Await(co, ex.Sleep(time.Hour))
			return "the slow one"
		})
		r := future.Await(co, executor.Timeout(ex, 30*time.Millisecond, slow))
		fmt.Fprintf(out, "Timeout(30ms, Sleep(1h)): %v (the slow future was dropped)\n", r.Err)

		fast := future.Await(co, executor.Timeout(ex, time.Hour, ex.Sleep(time.Millisecond)))
		fmt.Fprintf(out, "Timeout(1h, Sleep(1ms)): err=%v\n", fast.Err)
		return struct{}{}
	}))
	return err
}

// runFile reads a file on the worker pool, and a missing one.
func runFile(out io.Writer, log *slog.Logger) error {
	dir, err := os.MkdirTemp("", "05-executor-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	name := filepath.Join(dir, "hello.txt")
	if err := os.WriteFile(name, []byte("hello from a worker goroutine\n"), 0o600); err != nil {
		return err
	}
	ex, err := executor.New(withWorkers(options(log), 2))
	if err != nil {
		return err
	}
	_, err = executor.BlockOn(ex, future.Async(func(co *future.Co) struct{} {
		r := future.Await(co, ex.ReadFile(name))
		fmt.Fprintf(out, "ReadFile(hello.txt): %q, err=%v\n", r.Value, r.Err)
		r = future.Await(co, ex.ReadFile(filepath.Join(dir, "missing.txt")))
		fmt.Fprintf(out, "ReadFile(missing.txt): not exist: %v\n", errors.Is(r.Err, os.ErrNotExist))
		return struct{}{}
	}))
	return err
}

// runTCP is the blog's PING/PONG, as two tasks on one executor. It counts
// the process's descriptors before New and after BlockOn, and fails if
// BlockOn left any open.
func runTCP(out io.Writer, log *slog.Logger) error {
	// Start the Go runtime's own poller first (BlockOn would, and reading
	// the fd directory may): its descriptors are not the executor's.
	time.AfterFunc(time.Hour, func() {}).Stop()
	before := openFDs()
	ex, err := executor.New(options(log))
	if err != nil {
		return err
	}
	l, err := ex.Listen("127.0.0.1:0")
	if err != nil {
		ex.Close()
		return err
	}
	server := executor.Spawn(ex, future.Async(func(co *future.Co) error {
		r := future.Await(co, l.Accept())
		if r.Err != nil {
			return r.Err
		}
		s := r.Value
		defer s.Close()
		fmt.Fprintln(out, "server: accepted a connection")
		buf := make([]byte, 4)
		if r := future.Await(co, s.ReadFull(buf)); r.Err != nil {
			return r.Err
		}
		fmt.Fprintf(out, "server: got %s\n", buf)
		if r := future.Await(co, s.WriteAll([]byte("PONG"))); r.Err != nil {
			return r.Err
		}
		fmt.Fprintln(out, "server: sent PONG")
		return nil
	}))
	err = errors.Join(executor.BlockOn(ex, future.Async(func(co *future.Co) error {
		defer l.Close()
		r := future.Await(co, ex.Connect(l.Addr()))
		if r.Err != nil {
			return r.Err
		}
		c := r.Value
		defer c.Close()
		fmt.Fprintln(out, "client: connected")
		if r := future.Await(co, c.WriteAll([]byte("PING"))); r.Err != nil {
			return r.Err
		}
		fmt.Fprintln(out, "client: sent PING")
		buf := make([]byte, 4)
		if r := future.Await(co, c.ReadFull(buf)); r.Err != nil {
			return r.Err
		}
		fmt.Fprintf(out, "client: got %s\n", buf)
		if err := c.Shutdown(tcp.ShutWrite); err != nil {
			return err
		}
		return future.Await(co, server).Err
	})))
	if err != nil {
		return err
	}
	after := openFDs()
	switch {
	case before < 0:
		fmt.Fprintln(out, "BlockOn returned (this system has no fd directory to count descriptors)")
	case after != before:
		return fmt.Errorf("BlockOn left %d descriptors open (%d before New, %d after)", after-before, before, after)
	default:
		fmt.Fprintf(out, "BlockOn returned: every descriptor closed (%d open before New, %d after)\n", before, after)
	}
	return nil
}

// openFDs counts the process's open descriptors: the entries of
// /proc/self/fd (Linux) or /dev/fd (macOS, FreeBSD), or -1.
func openFDs() int {
	for _, dir := range []string{"/proc/self/fd", "/dev/fd"} {
		if ents, err := os.ReadDir(dir); err == nil {
			return len(ents)
		}
	}
	return -1
}
