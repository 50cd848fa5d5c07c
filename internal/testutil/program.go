package testutil

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"
)

// RunFunc is a stage program's run: func run(args []string, stdout, stderr io.Writer) error.
type RunFunc = func(args []string, stdout, stderr io.Writer) error

// ProgramTimeout bounds one call of a program's run in RunProgram. Every demo
// ends by itself in a second or two; the rest is margin for a loaded machine
// running -race.
const ProgramTimeout = 30 * time.Second

// RunProgram calls run(args) under a watchdog (see Within) and returns what
// it printed and its error.
func RunProgram(t testing.TB, run RunFunc, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut SyncBuffer
	Within(t, ProgramTimeout, fmt.Sprintf("run(%q)", args), func() {
		err = run(args, &out, &errOut)
	})
	return out.String(), errOut.String(), err
}

// RunDemo is RunProgram for a run that must succeed: an error fails the test
// (with what the program logged) and RunDemo returns stdout.
func RunDemo(t testing.TB, run RunFunc, args ...string) string {
	t.Helper()
	out, errOut, err := RunProgram(t, run, args...)
	if err != nil {
		t.Errorf("run(%q) = %v\nstderr:\n%s", args, err, errOut)
	}
	return out
}

// WantLines fails the test for each want that out does not contain (a line,
// several lines, or a part of one).
func WantLines(t testing.TB, out string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q; output:\n%s", w, out)
		}
	}
}

// WantOneLineError fails the test unless err is a one-line error that
// contains want. what names the call, as in "run([nope])".
func WantOneLineError(t testing.TB, what string, err error, want string) {
	t.Helper()
	switch {
	case err == nil:
		t.Errorf("%s = nil, want an error containing %q", what, want)
	case !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "\n"):
		t.Errorf("%s = %q, want one line containing %q", what, err, want)
	}
}

// DemoCase is one run of a program that must succeed, and what it must print.
type DemoCase struct {
	Args   []string // the command line after the program's name
	Want   []string // what stdout must contain (see WantLines)
	MayLog bool     // the run may write to stderr (a warning it logs on purpose)
}

// RunDemos runs each case as a subtest named after its arguments. A case
// passes when run returns nil within ProgramTimeout, prints every Want,
// writes nothing to stderr (unless MayLog) and leaves no descriptor open.
func RunDemos(t *testing.T, run RunFunc, cases []DemoCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(caseName(tc.Args), func(t *testing.T) {
			CheckNoFDLeak(t)
			out, errOut, err := RunProgram(t, run, tc.Args...)
			if err != nil || (errOut != "" && !tc.MayLog) {
				t.Fatalf("run(%q) = %v, stderr %q; want nil and no stderr", tc.Args, err, errOut)
			}
			WantLines(t, out, tc.Want...)
		})
	}
}

// ErrorCase is one run of a program that must fail.
type ErrorCase struct {
	Args []string // the command line after the program's name
	Want string   // the error is one line that contains this
	Is   error    // and, if not nil, errors.Is(err, Is)
}

// RunErrors runs each case as a subtest named after its arguments and checks
// that run fails with one clear line.
func RunErrors(t *testing.T, run RunFunc, cases []ErrorCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(caseName(tc.Args), func(t *testing.T) {
			_, _, err := RunProgram(t, run, tc.Args...)
			WantOneLineError(t, fmt.Sprintf("run(%q)", tc.Args), err, tc.Want)
			if tc.Is != nil && !errors.Is(err, tc.Is) {
				t.Errorf("run(%q) = %v; want errors.Is(err, %v)", tc.Args, err, tc.Is)
			}
		})
	}
}

func caseName(args []string) string {
	if len(args) == 0 {
		return "no arguments"
	}
	return strings.Join(args, " ")
}
