package benchserver

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"runtime"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/async-from-scratch/course/02-mio-like-poll/tcp"
	"github.com/async-from-scratch/course/05-executor/executor"
	"github.com/async-from-scratch/course/06-async-echo/callbackloop"
	"github.com/async-from-scratch/course/06-async-echo/echo"
)

// StartFunc starts the server named kind on 127.0.0.1, port 0. stop asks it
// to stop; wait returns when it has, with its error.
type StartFunc func(kind string) (addr string, stop func(), wait func() error, err error)

// Serve is the child side, called from TestMain when the child's variable is
// set: it raises RLIMIT_NOFILE to the hard limit, starts the server, prints
// its address, answers "gc" lines, and stops when stdin closes. It returns
// the process's exit code.
func Serve(kind string, start StartFunc) int {
	var lim syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim) == nil {
		lim.Cur = lim.Max
		_ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim)
	}
	addr, stop, wait, err := start(kind)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench child:", err)
		return 1
	}
	fmt.Println(addr)
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		if in.Text() == "gc" {
			runtime.GC()
			debug.FreeOSMemory()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			fmt.Println(ms.HeapAlloc)
		}
	}
	stop()
	if err := wait(); err != nil {
		fmt.Fprintln(os.Stderr, "bench child:", err)
		return 1
	}
	return 0
}

// StartKind is the StartFunc of stage 06's servers:
//
//	net              a goroutine per connection on Go's net package (NetEcho)
//	net1             the same; the parent runs it with GOMAXPROCS=1
//	callbackloop     the callback event loop of package callbackloop
//	callbackloop-sr  the same with ShortReadDrains
//	machine          package echo on the stage 05 executor, state-machine handler
//	machine-2        the same on two event loops (echo.Group)
//	coroutine        package echo, coroutine handler (future.Async)
func StartKind(kind string) (addr string, stop func(), wait func() error, err error) {
	done := make(chan error, 1)
	switch kind {
	case "net", "net1":
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return "", nil, nil, err
		}
		go func() { done <- NetEcho(ln) }()
		return ln.Addr().String(), func() { ln.Close() }, func() error { return <-done }, nil
	case "callbackloop", "callbackloop-sr":
		ln, err := tcp.Listen("127.0.0.1:0")
		if err != nil {
			return "", nil, nil, err
		}
		srv, err := callbackloop.New(ln, callbackloop.Options{ShortReadDrains: kind == "callbackloop-sr"})
		if err != nil {
			return "", nil, nil, err
		}
		addr := ln.Addr().String()
		go func() { done <- srv.Run() }()
		return addr, srv.Stop, func() error { return <-done }, nil
	case "machine", "coroutine":
		ex, err := executor.New(executor.Options{})
		if err != nil {
			return "", nil, nil, err
		}
		srv, err := echo.Listen(ex, echo.Config{Addr: "127.0.0.1:0", Style: echo.Style(kind), Grace: time.Millisecond})
		if err != nil {
			return "", nil, nil, err
		}
		var trig executor.Notify
		go func() {
			v, err := executor.BlockOn(ex, srv.Serve(&trig))
			done <- JoinResult(v, err)
		}()
		return srv.Addr().String(), trig.Notify, func() error { return <-done }, nil
	case "machine-2":
		g, err := echo.ListenGroup(echo.Config{Addr: "127.0.0.1:0", Grace: time.Millisecond, Loops: 2}, executor.Options{})
		if err != nil {
			return "", nil, nil, err
		}
		go func() { done <- g.Run() }()
		return g.Addr().String(), g.Stop, func() error { return <-done }, nil
	}
	return "", nil, nil, fmt.Errorf("unknown server kind %q", kind)
}

// JoinResult is the error of a server future run to completion: the
// runner's (err), or else the server's own (v).
func JoinResult(v, err error) error {
	if err != nil {
		return err
	}
	return v
}

// NetEcho is the baseline: what a Go programmer writes first. One goroutine
// per connection, blocking reads and writes; Go's runtime turns them into
// epoll underneath (runtime/netpoll_epoll.go). It returns nil once ln is
// closed. NOTE: the explicit 4 KiB buffer, not io.Copy: io.Copy between two
// TCPConns would splice(2) in the kernel, and we compare event loops, not
// zero-copy tricks.
func NetEcho(ln net.Listener) error {
	for {
		c, err := ln.Accept()
		if err != nil {
			return nil // closed by stop
		}
		go func() {
			defer c.Close()
			buf := make([]byte, 4096)
			for {
				n, err := c.Read(buf)
				if n > 0 {
					if _, werr := c.Write(buf[:n]); werr != nil {
						return
					}
				}
				if err != nil {
					return
				}
			}
		}()
	}
}
