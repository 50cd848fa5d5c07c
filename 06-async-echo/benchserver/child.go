package benchserver

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// Child is a server in another process.
type Child struct {
	Addr  string // the server's address, as the child printed it
	cmd   *exec.Cmd
	stdin io.WriteCloser
	out   *bufio.Reader
}

// Start re-executes the test binary with envVar=kind (and env, extra
// "NAME=value" entries) and waits for the child to print its server's
// address. The child stops when tb's test ends; tb fails if it does not stop
// cleanly within 30 s.
func Start(tb testing.TB, envVar, kind string, env ...string) *Child {
	tb.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(append(os.Environ(), envVar+"="+kind), env...)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		tb.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	c := &Child{cmd: cmd, stdin: stdin, out: bufio.NewReader(stdout)}
	tb.Cleanup(func() {
		stdin.Close() // the child stops its server and exits
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				tb.Errorf("server %s: %v", kind, err)
			}
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			<-done
			tb.Errorf("server %s did not stop within 30s", kind)
		}
	})
	line, err := c.out.ReadString('\n')
	if err != nil {
		tb.Fatalf("server %s did not start: %v", kind, err)
	}
	c.Addr = strings.TrimSpace(line)
	return c
}

// Pid is the child's process id (for perf -p).
func (c *Child) Pid() int { return c.cmd.Process.Pid }

// RSS asks the child to collect garbage and return freed memory to the OS,
// then reads its resident set size. heap is the child's live heap
// (runtime.MemStats.HeapAlloc) at that moment. Without /proc it skips tb.
func (c *Child) RSS(tb testing.TB) (rss, heap int64) {
	tb.Helper()
	if _, err := io.WriteString(c.stdin, "gc\n"); err != nil {
		tb.Fatal(err)
	}
	line, err := c.out.ReadString('\n')
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := fmt.Sscan(line, &heap); err != nil {
		tb.Fatalf("server's heap: %v", err)
	}
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", c.Pid()))
	if err != nil {
		tb.Skipf("no /proc here: %v", err)
	}
	kb, ok := procField(string(status), "VmRSS:")
	if !ok {
		tb.Fatal("no VmRSS in /proc/PID/status")
	}
	return kb << 10, heap
}
