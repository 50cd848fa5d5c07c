package docs

// # Transcripts are checked, like excerpts
//
// A transcript is a fenced block in a docs/*.md file with a `$ go run ...` or
// `$ go test ...` line and the output that follows it. Every transcript
// carries one of two HTML comments on the line just above its fence (GitHub
// does not render them):
//
//	<!-- transcript: NAME -->
//
// NAME is a key of the table [transcripts] below. TestTranscripts runs the
// block's `$` lines as one bash script from the repository root (stdout and
// stderr together, as a terminal shows them; so `go run` adds its own "exit
// status 1"), normalises the output and the block the same way, and fails when
// they differ. The default normalisation, stated once for readers in
// docs/README.md, replaces what varies from run to run with a placeholder:
// durations (`390µs`, `0.625s`, go test's `(cached)`) become <dur>, ports after
// a loopback address become <port>, slog's `time=...` becomes <time>, and runs
// of blanks become one space. An entry may add rewrites of its own (fd
// numbers, counts), drop lines that appear in some runs only, declare the
// block a trimmed subset of the output, or say that it needs io_uring (then
// it is skipped, with the reason, where io_uring is missing). Whatever an entry adds, the chapter
// says in words next to the block ("fd numbers vary", "trimmed to the first
// round").
//
//	<!-- one run -->
//
// marks a transcript that cannot be checked: it needs a second terminal, its
// interleaving depends on timing, or it is a measurement (benchmark output).
// The prose just before it must say "one run" (for example "One run looked
// like this; the numbers vary with the machine") so the reader knows.
//
// The test also fails on a transcript with neither comment, on a NAME that
// the table lacks, and on a table entry that no chapter uses. A block of
// commands with no output ("$ go test ./..." alone) is not a transcript.
//
// Adding a transcript to a chapter: paste a real run, put
// `<!-- transcript: 07-chat-run -->` above it (the chapter's number first),
// add `"07-chat-run": {}` to the table, and run `go test -run Transcripts
// ./docs`. Each block runs within transcriptTimeout, so a demo must end by
// itself; `go run` reuses the binaries it caches, so only the first run of a
// stage pays for its build. Check a new entry a few times (go test -count=5
// -run 'Transcripts/NAME' ./docs): what differs between runs needs a Rewrite
// or a Drop, or the block is "one run". A block may show shell around the
// command when the reader can run it as shown: `| grep _test.go` to keep only
// a test's log lines, `| sed 's/^time=[^ ]* //'` for shorter log lines, and
// `go run ./internal/cmd/holdport COMMAND` to show COMMAND failing on a port
// in use (holdport holds a free port for as long as COMMAND runs, and ADDR
// in COMMAND's arguments becomes its address: no fixed port, no sleep). What
// a block starts in the background (`&`, its output sent to /dev/null) is
// killed with the script's process group when the script ends.

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// check says how one transcript is compared with a fresh run of its commands,
// beyond the default normalisation.
type check struct {
	// Rewrite replaces what else varies, in the block and the output alike:
	// regexp -> replacement (regexp.ReplaceAllString syntax).
	Rewrite map[string]string
	// Drop removes the lines matching any of these regexps from the output
	// and the block: lines that appear in some runs and not in others.
	Drop []string
	// Subset: the block is trimmed, so its lines must appear in the output
	// in the same order, with other lines allowed between them.
	Subset bool
	// NeedsIOUring: the commands run stage 08. Where io_uring is not
	// available the check is skipped with the reason, except under CI=true,
	// where it fails, as stage 08's own tests do.
	NeedsIOUring bool
}

// transcripts is every checked transcript in docs/*.md, by the name its
// `<!-- transcript: NAME -->` comment gives.
var transcripts = map[string]check{
	"01-run":                         {},
	"01-run-verbose":                 {},
	"01-test-pkg":                    {},
	"01-bad-addr":                    {},
	"01-test-connectrefused":         {},
	"01-run-timeout":                 {},
	"02-run":                         {},
	"02-run-tcp":                     {},
	"02-test-errors":                 {},
	"02-run-timeout":                 {},
	"02-run-spurious":                {},
	"02-run-level":                   {},
	"02-run-edge":                    {},
	"02-run-oneshot":                 {},
	"02-run-drain":                   {},
	"02-run-still-block":             {},
	"03-run-spurious":                {Rewrite: map[string]string{`\b\d+ (wakeup syscalls|events|polls)\b`: "N $1"}},
	"03-run-callback":                {},
	"03-run-poll":                    {Rewrite: map[string]string{`\d+ polls, \d+ wakeups`: "N polls, N wakeups"}},
	"04-run":                         {},
	"04-run-fab":                     {},
	"04-run-statemachine":            {},
	"04-test-blockonbusyloop":        {},
	"04-run-blockon":                 {},
	"05-run-spawn":                   {},
	"workshop-wrong-answer":          {Rewrite: map[string]string{`read \d+ bytes, want`: "read N bytes, want"}},
	"05-test-spawndetachedissmaller": {Rewrite: map[string]string{`\d+ bytes with a JoinHandle, \d+ detached`: "N bytes with a JoinHandle, N detached"}},
	"05-test-shortread":              {},
	"05-test-emfile":                 {},
	"05-test-chatty":                 {Rewrite: map[string]string{`after \d+ chatty bytes`: "after N chatty bytes"}},
	"05-run-file":                    {Drop: []string{`msg=wake `, `msg=poll timeout=`, `msg=event source=wakeup`, `msg="task idle"`, `msg="task requeued"`}},
	"05-test-noalloc":                {Rewrite: map[string]string{`\d+ bytes \(Stream`: "N bytes (Stream", `\b\d+ allocations in`: "N allocations in"}},
	"06-bad-flags":                   {},
	"06-run-selftest":                {Subset: true},
	"07-run-selftest":                {},
	"07-run-cancel":                  {},
	"07-run-deadlock":                {},
	"08-run-selftest":                {NeedsIOUring: true},
	"08-test-releasenow":             {NeedsIOUring: true},
}

// transcriptTimeout bounds one block's commands (all of them together).
const transcriptTimeout = 2 * time.Minute

func TestTranscripts(t *testing.T) {
	files, err := filepath.Glob("*.md")
	if err != nil {
		t.Fatal(err)
	}
	used := map[string]bool{}
	for _, name := range files {
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range findTranscripts(string(src)) {
			where := fmt.Sprintf("%s:%d", name, b.line)
			switch {
			case b.marker == "":
				t.Errorf("%s: transcript %q is neither checked (<!-- transcript: NAME -->) nor marked <!-- one run --> on the line above its fence", where, b.commands[0])
			case b.marker == oneRun:
				if !b.saysOneRun {
					t.Errorf("%s: transcript %q is marked <!-- one run --> but the prose before it does not say \"one run\"", where, b.commands[0])
				}
			default:
				c, ok := transcripts[b.marker]
				if !ok {
					t.Errorf("%s: transcript %q is not in the table in docs/transcripts_test.go", where, b.marker)
					continue
				}
				if used[b.marker] {
					t.Errorf("%s: transcript name %q is used twice", where, b.marker)
				}
				used[b.marker] = true
				t.Run(b.marker, func(t *testing.T) {
					if c.NeedsIOUring {
						requireIOUring(t)
					}
					out, err := runTranscript(b.commands)
					if err != nil {
						t.Fatalf("%s: %v\noutput:\n%s", where, err, out)
					}
					if diff := c.compare(b.output, out); diff != "" {
						t.Errorf("%s: transcript %q no longer matches a run of its commands (after normalisation):\n%s", where, b.marker, diff)
					}
				})
			}
		}
	}
	for name := range transcripts {
		if !used[name] {
			t.Errorf("the table in transcripts_test.go has %q, which no chapter uses", name)
		}
	}
}

// TestTranscriptCheckCanFail proves the checks above can fail: a transcript
// that differs from its command's output, one with no marker, and a "one run"
// the prose does not announce are each reported; the matching ones are not.
func TestTranscriptCheckCanFail(t *testing.T) {
	const chapter = "Run it:\n\n" +
		"<!-- transcript: ok -->\n```\n$ go test -run '^$' ./internal/demo; echo 4.2ms\n" +
		"ok  \tgithub.com/async-from-scratch/course/internal/dmeo\t0.011s [no tests to run]\n<dur>\n```\n\n" +
		"Unmarked:\n\n```\n$ go run ./x\nhello\n```\n\n" +
		"Quietly varying:\n\n<!-- one run -->\n```\n$ go test -bench . ./x\nBenchmarkX 1 ns/op\n```\n"
	blocks := findTranscripts(chapter)
	if len(blocks) != 3 {
		t.Fatalf("findTranscripts found %d transcripts, want 3: %+v", len(blocks), blocks)
	}
	ok, unmarked, quiet := blocks[0], blocks[1], blocks[2]
	if ok.marker != "ok" || unmarked.marker != "" || quiet.marker != oneRun || quiet.saysOneRun {
		t.Errorf("markers = %q, %q, %q (saysOneRun %v); want \"ok\", \"\", %q (false)", ok.marker, unmarked.marker, quiet.marker, quiet.saysOneRun, oneRun)
	}

	out, err := runTranscript(ok.commands)
	if err != nil {
		t.Fatal(err)
	}
	const okLine = "ok  \tgithub.com/async-from-scratch/course/internal/demo\t(cached) [no tests to run]\n"
	if diff := (check{}).compare(ok.output, out); diff == "" {
		t.Errorf("compare(%q, %q) found no difference; want internal/dmeo against internal/demo", ok.output, out)
	}
	if diff := (check{}).compare(okLine+"3ms\n", out); diff != "" {
		t.Errorf("compare(matching output) = %s; want no difference (durations normalised)", diff)
	}
	if diff := (check{Subset: true}).compare("<dur>\n", out); diff != "" {
		t.Errorf("compare(subset) = %s; want no difference", diff)
	}
	if diff := (check{Subset: true}).compare("<dur>\n"+okLine, out); diff == "" {
		t.Errorf("compare(subset out of order) found no difference")
	}
	if diff := (check{Drop: []string{`^ok `}}).compare("<dur>\n", out); diff != "" {
		t.Errorf("compare(dropped line) = %s; want no difference", diff)
	}
	if diff := (check{Rewrite: map[string]string{`\bdemo\b`: "dmeo"}}).compare(ok.output, out); diff != "" {
		t.Errorf("compare(rewritten) = %s; want no difference", diff)
	}
}

// oneRun is the marker value of a transcript that is shown, not checked.
const oneRun = "one run"

// transcript is one fenced block with commands and output.
type transcript struct {
	line       int      // of the opening fence, 1-based
	marker     string   // the NAME in <!-- transcript: NAME -->, oneRun, or ""
	saysOneRun bool     // the prose before the block says "one run"
	commands   []string // the `$ ` lines, without "$ "
	output     string   // every other line of the block
}

var (
	commandLine  = regexp.MustCompile(`^\s*\$ (.*)$`)
	goCommand    = regexp.MustCompile(`\bgo (run|test)\b`)
	markerLine   = regexp.MustCompile(`^<!-- (?:transcript: (\S+)|(one run)) -->$`)
	oneRunInText = regexp.MustCompile(`(?i)\bone run\b`)
)

// findTranscripts returns the transcripts of a Markdown text: fenced blocks
// with a `$ go run` or `$ go test` line and at least one line of output.
func findTranscripts(md string) []transcript {
	lines := strings.Split(md, "\n")
	var found []transcript
	proseStart := 0 // the first line after the previous block
	for i := 0; i < len(lines); i++ {
		if !strings.HasPrefix(strings.TrimSpace(lines[i]), "```") {
			continue
		}
		open := i
		var body []string
		for i++; i < len(lines) && !strings.HasPrefix(strings.TrimSpace(lines[i]), "```"); i++ {
			body = append(body, lines[i])
		}
		b := transcript{line: open + 1}
		var output []string
		for _, l := range body {
			if m := commandLine.FindStringSubmatch(l); m != nil {
				b.commands = append(b.commands, m[1])
			} else {
				output = append(output, l)
			}
		}
		b.output = strings.Join(output, "\n")
		isGo := false
		for _, c := range b.commands {
			isGo = isGo || goCommand.MatchString(c)
		}
		if isGo && strings.TrimSpace(b.output) != "" {
			if open > 0 {
				if m := markerLine.FindStringSubmatch(strings.TrimSpace(lines[open-1])); m != nil {
					b.marker = m[1] + m[2]
				}
			}
			prose := lines[proseStart:open]
			if b.marker != "" {
				prose = prose[:len(prose)-1] // the marker itself says nothing to a reader
			}
			b.saysOneRun = oneRunInText.MatchString(strings.Join(prose, "\n"))
			found = append(found, b)
		}
		proseStart = i + 1
	}
	return found
}

// runTranscript runs commands as one bash script from the repository root and
// returns what it printed, stdout and stderr together. A command that fails
// is part of the transcript (its "exit status 1" is output); only a script
// that cannot run or runs too long is an error.
func runTranscript(commands []string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), transcriptTimeout)
	defer cancel()
	script := "exec 2>&1\n" + strings.Join(commands, "\n") + "\n"
	cmd := exec.CommandContext(ctx, "bash", "-c", script)
	cmd.Dir = ".."
	cmd.Env = transcriptEnv()
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // so a timeout ends the demos too
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	err := cmd.Run()
	// End what the block left running in the background (a server holding a
	// port, say): the script's process group goes with it.
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	if ctx.Err() != nil {
		return out.String(), fmt.Errorf("the commands did not finish within %v", transcriptTimeout)
	}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		err = nil // the last command failed: its message is in the output
	}
	return out.String(), err
}

// transcriptEnv is the test's environment without the variables that change
// what the demos print; a transcript sets those itself ("$ LOG_LEVEL=debug go run ...").
func transcriptEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "LOG_LEVEL=") || strings.HasPrefix(kv, "ECHO06_") {
			continue
		}
		env = append(env, kv)
	}
	return env
}

// The default normalisation, applied to every transcript (see the top of
// this file and docs/README.md).
var defaultRewrites = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`time=\S+`), "time=<time>"},
	{regexp.MustCompile(`\((cached)\)|\b\d+(\.\d+)?(ns|µs|us|ms|s|m|h)\b`), "<dur>"},
	{regexp.MustCompile(`\b(127\.0\.0\.1|localhost|\[::1\]):\d+`), "$1:<port>"},
	{regexp.MustCompile(`[ \t]+`), " "},
}

// normalise rewrites text line by line and drops the lines c drops.
func (c check) normalise(text string) []string {
	var lines []string
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(nil, 1<<20)
lines:
	for sc.Scan() {
		l := sc.Text()
		for _, r := range defaultRewrites {
			l = r.re.ReplaceAllString(l, r.with)
		}
		for re, with := range c.Rewrite {
			l = regexp.MustCompile(re).ReplaceAllString(l, with)
		}
		l = strings.TrimSpace(l)
		for _, d := range c.Drop {
			if regexp.MustCompile(d).MatchString(l) {
				continue lines
			}
		}
		lines = append(lines, l)
	}
	for len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// compare returns "" when the block matches the output after normalisation,
// or a readable account of the first difference.
func (c check) compare(block, output string) string {
	want, got := c.normalise(block), c.normalise(output)
	if c.Subset {
		j := 0
		for _, g := range got {
			if j < len(want) && g == want[j] {
				j++
			}
		}
		if j == len(want) {
			return ""
		}
		return fmt.Sprintf("line %q of the block is not in the output (in order); normalised output:\n%s", want[j], strings.Join(got, "\n"))
	}
	for i := range max(len(want), len(got)) {
		var w, g string
		if i < len(want) {
			w = want[i]
		}
		if i < len(got) {
			g = got[i]
		}
		if w != g {
			return fmt.Sprintf("line %d: block has %q, a run printed %q\nnormalised block:\n%s\nnormalised output:\n%s", i+1, w, g, strings.Join(want, "\n"), strings.Join(got, "\n"))
		}
	}
	return ""
}
