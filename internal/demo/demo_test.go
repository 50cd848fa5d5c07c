package demo

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
)

// recorder is a demo that prints its name, its arguments and whether its
// logger shows info and debug lines.
func recorder(name string) Func {
	return func(args []string, stdout io.Writer, log *slog.Logger) error {
		fmt.Fprintf(stdout, "%s %q\n", name, args)
		log.Info("info line")
		log.Debug("debug line")
		return nil
	}
}

// withFlag is a demo with one flag, -n.
func withFlag(args []string, stdout io.Writer, _ *slog.Logger) error {
	fs := flag.NewFlagSet("flagged", flag.ContinueOnError)
	n := fs.Int("n", 1, "how many")
	if err := ParseFlags(fs, args, stdout); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "flagged n=%d\n", *n)
	return nil
}

func plain(stdout io.Writer, _ *slog.Logger) error {
	fmt.Fprintln(stdout, "plain ran")
	return nil
}

func testProgram() Program {
	return Program{
		Name: "00-test",
		Demos: []Demo{
			{Name: "flagged", What: "has a flag -n", Run: withFlag},
			{Name: "plain", What: "has no flags", Run: NoFlags(plain)},
			{Name: "rec", What: "records its arguments", Run: recorder("rec")},
		},
	}
}

func runP(t *testing.T, p Program, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err = p.Run(args, &out, &errOut)
	return out.String(), errOut.String(), err
}

func TestRun(t *testing.T) {
	t.Setenv("LOG_LEVEL", "")
	for _, tt := range []struct {
		name string
		p    func(*Program)
		args []string
		want string
	}{
		{"demos prints only the names", nil, []string{"demos"}, "flagged\nplain\nrec\n"},
		{"no argument lists the demos and runs the first", nil, nil,
			"demos (go run ./00-test <demo>):\n  flagged  has a flag -n\n  plain    has no flags\n  rec      records its arguments\nrunning \"flagged\":\nflagged n=1\n"},
		{"a name runs that demo with the rest", nil, []string{"rec", "a", "b"}, "rec [\"a\" \"b\"]\n"},
		{"flags without a name go to the main demo", nil, []string{"-n", "3"}, "flagged n=3\n"},
		{"Main picks the main demo", func(p *Program) { p.Main = "rec" }, []string{"-x"}, "rec [\"-x\"]\n"},
		{"a flagless demo's -h says so", nil, []string{"plain", "-h"}, "plain takes no flags\n"},
		{"a demo's -h prints its flags", nil, []string{"flagged", "-h"}, "usage of flagged:\n  -n int\n    \thow many (default 1)\n"},
		{"-h alone lists the demos and the main demo's flags", nil, []string{"-h"},
			"demos (go run ./00-test <demo>):\n  flagged  has a flag -n\n  plain    has no flags\n  rec      records its arguments\nusage of flagged:\n  -n int\n    \thow many (default 1)\n"},
		{"-h alone with a flagless main demo is the listing", func(p *Program) { p.Main = "plain" }, []string{"-h"},
			"demos (go run ./00-test <demo>):\n  flagged  has a flag -n\n  plain    has no flags\n  rec      records its arguments\n"},
		{"Usage shapes the listing, and the main demo runs after it", func(p *Program) { p.Usage, p.Main = "<demo> [flags]", "plain" }, nil,
			"demos (go run ./00-test <demo> [flags]):\n  flagged  has a flag -n\n  plain    has no flags\n  rec      records its arguments\nrunning \"plain\":\nplain ran\n"},
		{"Default runs instead of the listing", func(p *Program) { p.Default = recorder("server") }, nil, "server []\n"},
		{"Default gets the flags", func(p *Program) { p.Default = recorder("server") }, []string{"-addr", "x"}, "server [\"-addr\" \"x\"]\n"},
		{"Default leaves the demos to their names", func(p *Program) { p.Default = recorder("server") }, []string{"rec"}, "rec []\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := testProgram()
			if tt.p != nil {
				tt.p(&p)
			}
			out, errOut, err := runP(t, p, tt.args...)
			if err != nil || out != tt.want {
				t.Errorf("Run(%q) = %v, printed:\n%s\nwant nil and:\n%s\nstderr: %s", tt.args, err, out, tt.want, errOut)
			}
		})
	}
}

func TestProgramFlagsComeBeforeTheName(t *testing.T) {
	var sets int
	p := testProgram()
	p.Flags = func(fs *flag.FlagSet) { fs.IntVar(&sets, "sets", 10, "how many sets") }
	out, _, err := runP(t, p, "-sets", "100", "rec")
	if err != nil || out != "rec []\n" || sets != 100 {
		t.Errorf("Run(-sets 100 rec) = %v, printed %q, sets %d; want nil, %q, 100", err, out, sets, "rec []\n")
	}
	out, _, err = runP(t, p, "-sets", "5", "demos")
	if err != nil || out != "flagged\nplain\nrec\n" {
		t.Errorf("Run(-sets 5 demos) = %v, printed %q", err, out)
	}
	out, _, err = runP(t, p, "-h")
	if err != nil || !strings.Contains(out, "  rec      records its arguments\nusage of 00-test:\n  -sets int\n") || !strings.Contains(out, "usage of flagged:") {
		t.Errorf("Run(-h) = %v, printed:\n%s", err, out)
	}
	_, _, err = runP(t, p, "-bogus")
	if err == nil || err.Error() != "flag provided but not defined: -bogus" {
		t.Errorf("Run(-bogus) = %v", err)
	}
}

func TestErrorsAreOneClearLine(t *testing.T) {
	for _, tt := range []struct {
		p    func(*Program)
		args []string
		want string
	}{
		{nil, []string{"nope"}, `unknown demo "nope"; the demos are: flagged, plain, rec`},
		{nil, []string{"demos", "extra"}, `demos: unexpected argument "extra"`},
		{nil, []string{"flagged", "-n", "x"}, `flagged: invalid value "x" for flag -n: parse error`},
		{nil, []string{"flagged", "extra"}, `flagged: unexpected argument "extra"`},
		{nil, []string{"-bogus"}, "flagged: flag provided but not defined: -bogus"},
		{nil, []string{"plain", "-x"}, `plain: unexpected argument "-x" (this demo takes no flags)`},
		{nil, []string{"plain", "-h", "x"}, `plain: unexpected argument "-h" (this demo takes no flags)`},
		{func(p *Program) { p.Main = "missing" }, nil, `demo: program 00-test: Main "missing" names no demo`},
		{func(p *Program) { p.Demos = nil }, nil, "demo: program 00-test has no demos"},
	} {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			p := testProgram()
			if tt.p != nil {
				tt.p(&p)
			}
			_, _, err := runP(t, p, tt.args...)
			if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("Run(%q) = %v, want one line containing %q", tt.args, err, tt.want)
			}
		})
	}
}

func TestADemosErrorComesBackAsItIs(t *testing.T) {
	sentinel := errors.New("bind 127.0.0.1:7878: address already in use")
	p := testProgram()
	p.Demos = append(p.Demos, Demo{Name: "fails", Run: func([]string, io.Writer, *slog.Logger) error { return sentinel }})
	if _, _, err := runP(t, p, "fails"); err != sentinel {
		t.Errorf("Run(fails) = %v, want %v unwrapped", err, sentinel)
	}
}

func TestLogLevel(t *testing.T) {
	for _, tt := range []struct {
		env         string
		server      bool
		info, debug bool
	}{
		{env: "", info: false},
		{env: "", server: true, info: true},
		{env: "debug", info: true, debug: true},
		{env: "DEBUG", info: true, debug: true},
		{env: "error", server: true},
		{env: "loud", info: false},
		{env: "loud", server: true, info: true},
	} {
		t.Run(fmt.Sprintf("LOG_LEVEL=%s server=%v", tt.env, tt.server), func(t *testing.T) {
			t.Setenv("LOG_LEVEL", tt.env)
			p := testProgram()
			args := []string{"rec"}
			if tt.server {
				p.Default, args = recorder("server"), nil
			}
			_, log, err := runP(t, p, args...)
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Contains(log, "info line"); got != tt.info {
				t.Errorf("info line logged: %v, want %v; log:\n%s", got, tt.info, log)
			}
			if got := strings.Contains(log, "debug line"); got != tt.debug {
				t.Errorf("debug line logged: %v, want %v; log:\n%s", got, tt.debug, log)
			}
			if log != "" && !strings.Contains(log, "time=") {
				t.Errorf("log lines carry no time=; log:\n%s", log)
			}
		})
	}
}

func TestNewLogger(t *testing.T) {
	t.Setenv("LOG_LEVEL", "info")
	var b bytes.Buffer
	NewLogger(&b, slog.LevelError).Info("shown")
	t.Setenv("LOG_LEVEL", "")
	NewLogger(&b, slog.LevelWarn).Info("hidden")
	NewLogger(&b, slog.LevelWarn).Warn("warned")
	if s := b.String(); !strings.Contains(s, "msg=shown") || strings.Contains(s, "hidden") || !strings.Contains(s, "level=WARN msg=warned") {
		t.Errorf("log:\n%s", s)
	}
}
