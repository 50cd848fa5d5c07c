package testutil

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Child is this test binary re-executed as another program: a server that a
// test measures from outside or pushes to a limit its own process must not
// share. The child's TestMain sees one of env's variables and runs the
// program instead of the tests; the program prints one line (its address)
// when ready, may answer lines on its stdin, and exits when stdin closes.
type Child struct {
	Line  string // the first line the child printed, without its newline
	Pid   int
	stdin io.WriteCloser
	out   *bufio.Reader
}

// ChildStopTimeout bounds how long a child may take to exit once its stdin
// is closed.
const ChildStopTimeout = 30 * time.Second

// StartChild starts the child with env ("NAME=value") added to this
// process's environment and waits for its first line. name is what failures
// call it ("server machine"). When the test ends, StartChild closes the
// child's stdin and fails the test if the child exits with an error or not
// within ChildStopTimeout (it is killed then).
func StartChild(t testing.TB, name string, env ...string) *Child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), env...)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &Child{Pid: cmd.Process.Pid, stdin: stdin, out: bufio.NewReader(stdout)}
	t.Cleanup(func() {
		stdin.Close() // the child stops and exits
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("%s: %v", name, err)
			}
		case <-time.After(ChildStopTimeout):
			cmd.Process.Kill()
			<-done
			t.Errorf("%s did not stop within %v", name, ChildStopTimeout)
		}
	})
	line, err := c.out.ReadString('\n')
	if err != nil {
		t.Fatalf("%s did not start: %v", name, err)
	}
	c.Line = strings.TrimSpace(line)
	return c
}

// Ask writes line to the child's stdin and returns the line it answers,
// without its newline.
func (c *Child) Ask(line string) (string, error) {
	if _, err := io.WriteString(c.stdin, line+"\n"); err != nil {
		return "", err
	}
	answer, err := c.out.ReadString('\n')
	return strings.TrimSpace(answer), err
}

// CPUTicks returns the user and system CPU time of process pid so far, in
// clock ticks (USER_HZ, 100 a second on Linux), from /proc/PID/stat.
func CPUTicks(pid int) (user, system int, err error) {
	st, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, 0, err
	}
	// Fields after the ")" that ends the command name: state is field 3,
	// utime 14 and stime 15 (proc(5)).
	f := strings.Fields(string(st[strings.LastIndexByte(string(st), ')')+1:]))
	if len(f) < 13 {
		return 0, 0, fmt.Errorf("/proc/%d/stat: %d fields after the command name, want at least 13", pid, len(f))
	}
	user, _ = strconv.Atoi(f[11])
	system, _ = strconv.Atoi(f[12])
	return user, system, nil
}
