//go:build linux

// go test -run TestAcceptAtTheFDLimit -v ./08-io-uring/echo
package echo

import (
	"fmt"
	"io"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/async-from-scratch/course/04-futures/future"
	"github.com/async-from-scratch/course/05-executor/executor"
	"github.com/async-from-scratch/course/08-io-uring/internal/ringtest"
	"github.com/async-from-scratch/course/08-io-uring/loop"
	"github.com/async-from-scratch/course/08-io-uring/uring"
	"github.com/async-from-scratch/course/internal/testutil"
	"go.uber.org/goleak"
)

// emfileChildEnv makes the test binary a server whose descriptor limit
// leaves room for only a few connections (see TestMain).
const emfileChildEnv = "ECHO08_EMFILE_CHILD"

const emfileRoom = 3 // connections the child can hold at once

func TestMain(m *testing.M) {
	if os.Getenv(emfileChildEnv) != "" {
		os.Exit(emfileChild())
	}
	goleak.VerifyTestMain(m)
}

// TestAcceptAtTheFDLimit runs the server in a child process whose
// RLIMIT_NOFILE leaves room for three connections and connects eight
// clients: the first three are served; while accept completes with EMFILE
// the server backs off instead of spinning (its CPU time stays low); once
// clients leave, the waiting ones are served. Both accept forms.
func TestAcceptAtTheFDLimit(t *testing.T) {
	ringtest.Require(t, uring.Available())
	for _, oneShot := range []bool{false, true} {
		t.Run(fmt.Sprintf("OneShot=%v", oneShot), func(t *testing.T) { testAcceptAtTheFDLimit(t, oneShot) })
	}
}

func testAcceptAtTheFDLimit(t *testing.T, oneShot bool) {
	testutil.CheckAcceptAtFDLimit(t, testutil.FDLimitCase{
		Server: testutil.StartChild(t, "server child", fmt.Sprintf("%s=%v", emfileChildEnv, oneShot)),
		Room:   emfileRoom,
		// A back-off of 50 ms costs a few ticks a second; a loop that
		// retries at once spins, which on this shared machine measured
		// 38 to 59 ticks (of 100 in a second).
		MaxTicks: 20,
		Refill:   10 * time.Second,
	})
}

// emfileChild serves on 127.0.0.1:0 with a descriptor limit that leaves room
// for emfileRoom connections, until stdin closes.
func emfileChild() int {
	l, err := loop.New(loop.Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	srv, err := Listen(l, Config{Addr: "127.0.0.1:0", Grace: time.Millisecond, OneShot: os.Getenv(emfileChildEnv) == "true"})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println(srv.Addr())
	var stop executor.Notify
	go func() {
		io.Copy(io.Discard, os.Stdin)
		stop.Notify()
	}()
	// Lower the limit from a task, once Run has opened everything the
	// process needs (the Go runtime's own poller included).
	limitErr := make(chan error, 1)
	loop.Spawn(l, future.PollFn(func(*future.Context) future.Poll[struct{}] {
		var lim syscall.Rlimit
		err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim)
		if err == nil {
			lim.Cur = testutil.FDLimitWithRoom(emfileRoom)
			err = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim)
		}
		limitErr <- err
		return future.PollReady(struct{}{})
	}))
	v, err := loop.Run(l, srv.Serve(&stop))
	if err == nil {
		err = v
	}
	if err == nil {
		err = <-limitErr
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}
