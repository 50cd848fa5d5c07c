package testutil

import (
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

// ServerRun is a stage program serving in the background, started with its
// run as a user starts it; the test talks to it over TCP and stops it with a
// real signal.
type ServerRun struct {
	Addr           string      // where it listens
	Stdout, Stderr *SyncBuffer // what it has printed and logged so far
	errc           chan error
}

// StartServer calls run(args) on a goroutine with *readyHook set (the
// program calls it with its address once it listens; readyHook is reset
// when run returns) and returns once the program is ready. It fails the test
// if run returns first, or is not ready within ProgramTimeout.
func StartServer(t testing.TB, run RunFunc, readyHook *func(addr string), args ...string) *ServerRun {
	t.Helper()
	s := &ServerRun{Stdout: new(SyncBuffer), Stderr: new(SyncBuffer), errc: make(chan error, 1)}
	addrc := make(chan string, 1)
	*readyHook = func(a string) { addrc <- a }
	go func() {
		err := run(args, s.Stdout, s.Stderr)
		*readyHook = nil // before the send: the next test may set it once run has returned
		s.errc <- err
	}()
	timeout := time.NewTimer(ProgramTimeout)
	defer timeout.Stop()
	select {
	case s.Addr = <-addrc:
	case err := <-s.errc:
		t.Fatalf("run(%q) returned before it listened: %v\nstderr:\n%s", args, err, s.Stderr.String())
	case <-timeout.C:
		t.Fatalf("run(%q) did not listen within %v\nstderr:\n%s", args, ProgramTimeout, s.Stderr.String())
	}
	return s
}

// Dial connects to the server, with a deadline of 10 s on everything the
// test then does with the connection, which closes when the test ends.
func (s *ServerRun) Dial(t testing.TB) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", s.Addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(10 * time.Second))
	return c
}

// Signal sends sig to this test process, where the program's own handler
// catches it: run calls signal.Notify, so the signal never reaches Go's
// default handler, which would end the test binary.
func (s *ServerRun) Signal(t testing.TB, sig syscall.Signal) {
	t.Helper()
	if err := syscall.Kill(os.Getpid(), sig); err != nil {
		t.Fatal(err)
	}
}

// Stop sends sig (see Signal) and returns run's error once run returns. It
// fails the test if run does not return within ProgramTimeout.
func (s *ServerRun) Stop(t testing.TB, sig syscall.Signal) error {
	t.Helper()
	s.Signal(t, sig)
	timeout := time.NewTimer(ProgramTimeout)
	defer timeout.Stop()
	select {
	case err := <-s.errc:
		return err
	case <-timeout.C:
		t.Fatalf("run did not return within %v of %v\nstderr:\n%s", ProgramTimeout, sig, s.Stderr.String())
		return nil
	}
}

// AwaitStderr waits up to 10 s until the program has logged want at least
// n times, and fails the test (naming want and what was logged) if it has
// not.
func (s *ServerRun) AwaitStderr(t testing.TB, want string, n int) bool {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); strings.Count(s.Stderr.String(), want) < n; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Errorf("no %q (%d times) on stderr within 10s; stderr:\n%s", want, n, s.Stderr.String())
			return false
		}
	}
	return true
}

// BusyAddr returns an address on 127.0.0.1 that a listener holds until the
// test ends: a program told to listen there must fail with EADDRINUSE.
func BusyAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln.Addr().String()
}
