package testutil

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

var errBad = errors.New("bad thing")

// fakeRun is a program: "hello" prints, "warn" also logs, "bad" fails.
func fakeRun(args []string, stdout, stderr io.Writer) error {
	switch strings.Join(args, " ") {
	case "":
		fmt.Fprintln(stdout, "listing")
	case "hello":
		fmt.Fprintln(stdout, "hello, world")
	case "warn":
		fmt.Fprintln(stdout, "done")
		fmt.Fprintln(stderr, "level=WARN msg=careful")
	case "bad":
		return fmt.Errorf("bad: %w", errBad)
	}
	return nil
}

func TestRunProgram(t *testing.T) {
	out, errOut, err := RunProgram(t, fakeRun, "warn")
	if out != "done\n" || errOut != "level=WARN msg=careful\n" || err != nil {
		t.Errorf("RunProgram(warn) = %q, %q, %v", out, errOut, err)
	}
	if _, _, err := RunProgram(t, fakeRun, "bad"); !errors.Is(err, errBad) {
		t.Errorf("RunProgram(bad) = %v, want errBad", err)
	}
}

func TestRunDemosAndErrors(t *testing.T) {
	RunDemos(t, fakeRun, []DemoCase{
		{Args: nil, Want: []string{"listing"}},
		{Args: []string{"hello"}, Want: []string{"hello, ", "world\n"}},
		{Args: []string{"warn"}, Want: []string{"done"}, MayLog: true},
	})
	RunErrors(t, fakeRun, []ErrorCase{
		{Args: []string{"bad"}, Want: "bad: bad thing", Is: errBad},
	})
	WantOneLineError(t, "fakeRun", errBad, "bad")
	WantLines(t, RunDemo(t, fakeRun, "hello"), "hello")
}
