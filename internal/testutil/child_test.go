package testutil

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"testing"
)

const childEnv = "TESTUTIL_TEST_CHILD"

// TestMain lets this test binary be the child of TestStartChild: it prints
// "ready", upper-cases each line it reads, and exits when stdin closes.
func TestMain(m *testing.M) {
	if os.Getenv(childEnv) != "" {
		fmt.Println("ready")
		in := bufio.NewScanner(os.Stdin)
		for in.Scan() {
			fmt.Println(strings.ToUpper(in.Text()))
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func TestStartChild(t *testing.T) {
	c := StartChild(t, "upper-caser", childEnv+"=1")
	if c.Line != "ready" {
		t.Errorf("the child's first line = %q, want %q", c.Line, "ready")
	}
	if c.Pid <= 0 || c.Pid == os.Getpid() {
		t.Errorf("child pid %d: not another process", c.Pid)
	}
	if got, err := c.Ask("hello"); got != "HELLO" || err != nil {
		t.Errorf("Ask(hello) = %q, %v; want HELLO, nil", got, err)
	}
	if OpenFDs() < 0 {
		return // no /proc
	}
	if _, _, err := CPUTicks(c.Pid); err != nil {
		t.Errorf("CPUTicks(child): %v", err)
	}
	if _, _, err := CPUTicks(-1); err == nil {
		t.Error("CPUTicks(-1) = nil error, want one")
	}
}
