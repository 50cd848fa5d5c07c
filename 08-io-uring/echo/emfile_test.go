//go:build linux

// go test -run TestAcceptAtTheFDLimit -v ./08-io-uring/echo
package echo

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
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
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%v", emfileChildEnv, oneShot))
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	must(t, err)
	stdout, err := cmd.StdoutPipe()
	must(t, err)
	must(t, cmd.Start())
	exited := make(chan error, 1)
	defer func() {
		stdin.Close() // the child stops its server and exits
		select {
		case err := <-exited:
			if err != nil {
				t.Errorf("server child: %v", err)
			}
		case <-time.After(20 * time.Second):
			cmd.Process.Kill()
			t.Error("server child did not exit within 20s")
		}
	}()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	go func() { exited <- cmd.Wait() }()
	if err != nil {
		t.Fatalf("server child did not start: %v", err)
	}
	addr := strings.TrimSpace(line)

	testutil.Within(t, 60*time.Second, "accept at the fd limit", func() {
		var conns []net.Conn
		defer func() {
			for _, c := range conns {
				c.Close()
			}
		}()
		for range 8 {
			c, err := net.DialTimeout("tcp", addr, 5*time.Second) // the backlog takes it
			if err != nil {
				t.Error(err)
				return
			}
			c.Write([]byte("x"))
			conns = append(conns, c)
		}
		served := func(c net.Conn, wait time.Duration) bool {
			c.SetReadDeadline(time.Now().Add(wait))
			_, err := io.ReadFull(c, make([]byte, 1))
			return err == nil
		}
		for i := range emfileRoom {
			if !served(conns[i], 10*time.Second) {
				t.Errorf("client %d not served although the server had room", i)
				return
			}
		}
		before := cpuTicks(t, cmd.Process.Pid)
		if served(conns[emfileRoom], time.Second) {
			t.Errorf("client %d served beyond the fd limit: is the limit in place?", emfileRoom)
		}
		// A back-off of 50 ms costs a few ticks a second; a loop that
		// retries at once spins, which on this shared machine measured
		// 38 to 59 ticks (of 100 in a second).
		if used := cpuTicks(t, cmd.Process.Pid) - before; used > 20 {
			t.Errorf("server used %d clock ticks of CPU in 1s at the fd limit: spinning on accept", used)
		}
		for _, c := range conns[:emfileRoom] {
			c.Close()
		}
		for i := emfileRoom; i < 2*emfileRoom; i++ {
			if !served(conns[i], 10*time.Second) {
				t.Errorf("client %d not served after descriptors were freed", i)
			}
		}
	})
}

// cpuTicks returns utime+stime of pid in clock ticks.
func cpuTicks(t *testing.T, pid int) int {
	t.Helper()
	st, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		t.Fatal(err)
	}
	f := strings.Fields(string(st[strings.LastIndexByte(string(st), ')')+1:]))
	utime, _ := strconv.Atoi(f[11])
	stime, _ := strconv.Atoi(f[12])
	return utime + stime
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
			lim.Cur = limitWithRoom(emfileRoom)
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

// limitWithRoom returns the RLIMIT_NOFILE that leaves room free descriptor
// numbers: the limit bounds numbers, and the kernel hands out the lowest
// free one, so count the free numbers from 0.
func limitWithRoom(room int) uint64 {
	entries, _ := os.ReadDir("/proc/self/fd")
	open := map[int]bool{}
	for _, e := range entries {
		if _, err := os.Readlink("/proc/self/fd/" + e.Name()); err == nil { // not ReadDir's own
			n, _ := strconv.Atoi(e.Name())
			open[n] = true
		}
	}
	for n, free := 0, 0; ; n++ {
		if !open[n] {
			if free++; free == room {
				return uint64(n + 1)
			}
		}
	}
}
