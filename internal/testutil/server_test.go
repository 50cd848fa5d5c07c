package testutil

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"testing"
)

// fakeReady is the fake server's readyHook, as a stage's main.go has one.
var fakeReady func(addr string)

// fakeServer listens, echoes one line per connection, logs "dump" on
// SIGUSR1 and returns on SIGTERM; with "fail" it returns an error at once.
func fakeServer(args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "fail" {
		return errors.New("cannot listen")
	}
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGUSR1)
	defer signal.Stop(sigs)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { io.Copy(c, c); c.Close() }()
		}
	}()
	fakeReady(ln.Addr().String())
	for sig := range sigs {
		fmt.Fprintf(stderr, "signal %v\n", sig)
		if sig == syscall.SIGTERM {
			return nil
		}
	}
	return nil
}

func TestServerRun(t *testing.T) {
	srv := StartServer(t, fakeServer, &fakeReady)
	c := srv.Dial(t)
	if _, err := c.Write([]byte("hi")); err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadFull(c, make([]byte, 2)); err != nil {
		t.Errorf("no echo from the server at srv.Addr: %v", err)
	}
	srv.Signal(t, syscall.SIGUSR1)
	if !srv.AwaitStderr(t, "signal user defined signal 1", 1) {
		return
	}
	if err := srv.Stop(t, syscall.SIGTERM); err != nil {
		t.Errorf("Stop = %v, want the fake server's nil", err)
	}
	if fakeReady != nil {
		t.Error("readyHook still set after run returned")
	}
	if !strings.HasSuffix(srv.Stderr.String(), "signal terminated\n") {
		t.Errorf("stderr = %q, want it to end with the SIGTERM", srv.Stderr.String())
	}
}

func TestBusyAddr(t *testing.T) {
	_, err := net.Listen("tcp", BusyAddr(t))
	if !errors.Is(err, syscall.EADDRINUSE) {
		t.Errorf("listening on BusyAddr: %v, want EADDRINUSE", err)
	}
}
