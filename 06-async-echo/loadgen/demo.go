package loadgen

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/async-from-scratch/course/internal/demo"
)

// StartFunc starts a stage program's echo server on 127.0.0.1:0 and returns
// its address and how to stop it (the path a signal takes).
type StartFunc = func() (addr string, stop func() error, err error)

// Selftest is the selftest demo of an echo server: it starts the server,
// runs eight DialFile clients (a plain socket, no net package) echoing ten
// 1000-byte messages each, stops the server, and checks it exits cleanly.
func Selftest(stdout io.Writer, start StartFunc) error {
	addr, stop, err := start()
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, "server listening")
	pool, err := Dial(DialFile, addr, 8)
	if err != nil {
		return errors.Join(err, stop())
	}
	pool.Timeout = 10 * time.Second
	st, rerr := pool.Round(1000, 10, 1)
	fmt.Fprintf(stdout, "%d clients: %d messages of 1000 bytes echoed and verified\n", pool.Len(), st.Messages)
	pool.Close()
	if err := errors.Join(rerr, stop()); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "server stopped cleanly")
	return nil
}

// LoadDemo is the load demo of a stage program: it parses its flags (-addr,
// -conns, -size, -duration; see demo.ParseFlags) and Drives the server at
// -addr through DialFile. With -addr empty it drives its own: start starts
// a server on 127.0.0.1:0, and LoadDemo stops it at the end.
func LoadDemo(args []string, stdout io.Writer, start StartFunc) error {
	fs := flag.NewFlagSet("load", flag.ContinueOnError)
	addr := fs.String("addr", "", "echo server to drive (empty: start one on 127.0.0.1:0)")
	conns := fs.Int("conns", 50, "connections")
	size := fs.Int("size", 64, "message size in bytes")
	duration := fs.Duration("duration", time.Second, "how long to drive it")
	if err := demo.ParseFlags(fs, args, stdout); err != nil {
		return err
	}
	if *conns < 1 || *size < 1 {
		return errors.New("-conns and -size must be at least 1")
	}
	stop := func() error { return nil }
	if *addr == "" {
		a, stopServer, err := start()
		if err != nil {
			return err
		}
		*addr, stop = a, stopServer
	}
	err := Drive(stdout, DialFile, *addr, *conns, *size, *duration)
	return errors.Join(err, stop())
}
