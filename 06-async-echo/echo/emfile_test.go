//go:build linux

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
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), emfileChildEnv+"=1")
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	must(t, err)
	stdout, err := cmd.StdoutPipe()
	must(t, err)
	must(t, cmd.Start())
	exited := make(chan error, 1)
	defer func() {
		stdin.Close()
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
			c, err := net.DialTimeout("tcp", addr, 5*time.Second) // the kernel's backlog accepts
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
		// The rest wait in the backlog while accept says EMFILE.
		before := cpuTicks(t, cmd.Process.Pid)
		if served(conns[emfileRoom], time.Second) {
			t.Errorf("client %d served beyond the fd limit: is the limit in place?", emfileRoom)
		}
		if used := cpuTicks(t, cmd.Process.Pid) - before; used > 50 {
			t.Errorf("server used %d clock ticks of CPU in 1s at the fd limit: spinning on accept", used)
		}
		// Free the descriptors; the waiting clients must be served.
		for _, c := range conns[:emfileRoom] {
			c.Close()
		}
		for i := emfileRoom; i < 2*emfileRoom; i++ {
			if !served(conns[i], closeStall) {
				t.Errorf("client %d not served within %v after %d clients closed: did the server close their connections and free the descriptors?", i, closeStall, emfileRoom)
				return
			}
		}
	})
}

// cpuTicks returns utime+stime of pid in clock ticks (usually 1/100 s).
func cpuTicks(t *testing.T, pid int) int {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		t.Fatal(err)
	}
	// Fields after the ")" that ends the command name: state is field 3,
	// utime 14 and stime 15 (proc(5)).
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	utime, _ := strconv.Atoi(f[11])
	stime, _ := strconv.Atoi(f[12])
	return utime + stime
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
			lim.Cur = fdLimitWithRoom(emfileRoom)
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

// fdLimitWithRoom returns the RLIMIT_NOFILE that leaves exactly room free
// descriptor numbers. The limit bounds descriptor numbers, not a count, and
// the kernel hands out the lowest free number, so: count free numbers from 0.
func fdLimitWithRoom(room int) uint64 {
	entries, _ := os.ReadDir("/proc/self/fd")
	open := map[int]bool{}
	for _, e := range entries {
		// The descriptor ReadDir used is closed again: Readlink fails on it.
		if _, err := os.Readlink("/proc/self/fd/" + e.Name()); err == nil {
			n, _ := strconv.Atoi(e.Name())
			open[n] = true
		}
	}
	free := 0
	for n := 0; ; n++ {
		if !open[n] {
			free++
			if free == room {
				return uint64(n + 1)
			}
		}
	}
}
