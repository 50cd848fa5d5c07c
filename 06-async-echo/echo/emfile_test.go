//go:build linux

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
	"github.com/async-from-scratch/course/internal/testutil"
)

// emfileChildEnv makes the test binary a server whose fd limit leaves room
// for only a few connections (TestMain).
const emfileChildEnv = "ECHO06_EMFILE_CHILD"

func init() { childMains[emfileChildEnv] = emfileChild }

// emfileRoom is how many connections the child can hold at once.
const emfileRoom = 3

// TestAcceptAtTheFDLimit runs the server in a child process whose
// RLIMIT_NOFILE leaves room for three connections, connects eight clients,
// and checks that (1) the first three are served, (2) the server does not
// spin while accept fails with EMFILE (its CPU time stays low), and (3) the
// others are served once descriptors free up. A child process, so that this
// test's own fd limit is never touched.
func TestAcceptAtTheFDLimit(t *testing.T) {
	if testutil.OpenFDs() < 0 {
		t.Skip("needs /proc")
	}
	testutil.CheckAcceptAtFDLimit(t, testutil.FDLimitCase{
		Server:   testutil.StartChild(t, "server child", emfileChildEnv+"=1"),
		Room:     emfileRoom,
		MaxTicks: 50,
		Refill:   closeStall,
	})
}

// emfileChild serves on 127.0.0.1:0 with a descriptor limit that leaves room
// for emfileRoom connections, until stdin closes.
func emfileChild() int {
	ex, err := executor.New(executor.Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	srv, err := Listen(ex, Config{Addr: "127.0.0.1:0", Grace: time.Millisecond})
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
	// Lower the limit from a task: it runs after BlockOn has started, so
	// every descriptor the process needs is open by then, including the Go
	// runtime's own poller, which BlockOn wakes up first (the trap chapter 05
	// explains: created lazily at the limit, it would fail).
	limitErr := make(chan error, 1)
	executor.Spawn(ex, future.PollFn(func(*future.Context) future.Poll[struct{}] {
		var lim syscall.Rlimit
		err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim)
		if err == nil {
			lim.Cur = testutil.FDLimitWithRoom(emfileRoom)
			err = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim)
		}
		limitErr <- err
		return future.PollReady(struct{}{})
	})).Drop()
	v, err := executor.BlockOn(ex, srv.Serve(&stop))
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
