package seqdiagram

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Diagram is one of the chapters' diagrams: which demo to run, how to drive
// it, which window of its log to draw, and the file under docs/diagrams.
type Diagram struct {
	File    string
	Program string   // the stage's folder, as in go build ./05-executor
	Args    []string // the demo's command line
	Window  Window
	// Drive, if set, talks to the running program (a server) and returns
	// when the run is complete; log delivers its log records as they come.
	// The program is then stopped with SIGTERM.
	Drive func(log *LogWatch) error
}

// Diagrams are the ones the chapters show. Each run is deterministic in
// what the diagram shows: one loop goroutine, and windows or drivers that
// leave no choice to the scheduler.
var Diagrams = []Diagram{
	{
		// The poll demo's socket exchange. The worker's wakeups are left
		// out: how many there are, and between which socket events they
		// come, depends on how fast the worker goroutine runs (the
		// spurious demo shows exactly that).
		File:    "03-poll.mmd",
		Program: "./03-custom-events",
		Args:    []string{"poll"},
		Window:  Window{Drop: `source="user event|running callbacks`},
	},
	{
		File:    "05-tcp.mmd",
		Program: "./05-executor",
		Args:    []string{"tcp"},
	},
	{
		// The server with one client that waits, through the log, for
		// the server to be idle before each step.
		File:    "06-echo.mmd",
		Program: "./06-async-echo",
		Args:    []string{"-addr", "127.0.0.1:0", "-grace", "100ms"},
		Window:  Window{To: `msg=stopped`},
		Drive:   driveEcho,
	},
}

// driveEcho connects one client once the server waits in Accept, sends one
// line once the connection's task waits for it, reads the echo, and closes
// once the task waits again.
func driveEcho(log *LogWatch) error {
	rec, err := log.Wait(`msg=listening`)
	if err != nil {
		return err
	}
	addr := parseAttrs(rec)["addr"]
	if _, err := log.Wait(`msg="task idle" task=1`); err != nil { // the server waits in Accept
		return err
	}
	c, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := log.Wait(`msg="task idle" task=2`); err != nil {
		return err
	}
	if _, err := c.Write([]byte("hello\n")); err != nil {
		return err
	}
	if _, err := io.ReadFull(c, make([]byte, 6)); err != nil {
		return err
	}
	if _, err := log.Wait(`msg="task idle" task=2`); err != nil {
		return err
	}
	c.Close()
	if _, err = log.Wait(`msg=closed`); err != nil {
		return err
	}
	// The log cannot say when the loop is asleep in epoll_wait again; give
	// it time to get there, so that SIGTERM's wake goes through the eventfd.
	// (Should it come sooner, the wake finds the loop awake and the
	// diagram differs: go test ./docs tries three runs.)
	time.Sleep(200 * time.Millisecond)
	return nil
}

// LogWatch hands a driver the program's log lines as they come.
type LogWatch struct {
	lines chan string
}

// Wait returns the next line that matches pattern, skipping others; it
// gives up after 10 seconds.
func (l *LogWatch) Wait(pattern string) (string, error) {
	re := regexp.MustCompile(pattern)
	timeout := time.After(10 * time.Second)
	for {
		select {
		case line, ok := <-l.lines:
			if !ok {
				return "", fmt.Errorf("the program ended before logging %q", pattern)
			}
			if re.MatchString(line) {
				return line, nil
			}
		case <-timeout:
			return "", fmt.Errorf("no log line %q within 10s", pattern)
		}
	}
}

// Generate builds d's program from the repository at root, runs it with
// LOG_LEVEL=debug (driving it if d says how), and returns the diagram.
func (d Diagram) Generate(root string) (string, error) {
	log, err := d.Run(root)
	if err != nil {
		return "", err
	}
	return Convert(strings.NewReader(log), d.Window)
}

// Run builds and runs d's program and returns its log (standard error).
func (d Diagram) Run(root string) (string, error) {
	dir, err := os.MkdirTemp("", "seqdiagram-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "demo")
	build := exec.Command("go", "build", "-o", bin, d.Program)
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build %s: %v\n%s", d.Program, err, out)
	}
	cmd := exec.Command(bin, d.Args...)
	cmd.Env = append(os.Environ(), "LOG_LEVEL=debug")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return "", err
	}
	if err := cmd.Start(); err != nil {
		return "", err
	}
	var log strings.Builder
	watch := &LogWatch{lines: make(chan string, 1024)}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(watch.lines)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			log.WriteString(sc.Text() + "\n")
			select {
			case watch.lines <- sc.Text():
			default: // nobody drives this run, or the driver is done
			}
		}
	}()
	var driveErr error
	if d.Drive != nil {
		driveErr = d.Drive(watch)
		_ = cmd.Process.Signal(syscall.SIGTERM)
		go func() {
			for range watch.lines { // let the reader finish
			}
		}()
	}
	done := make(chan error, 1)
	go func() { wg.Wait(); done <- cmd.Wait() }()
	var err2 error
	select {
	case err2 = <-done:
	case <-time.After(60 * time.Second):
		_ = cmd.Process.Kill()
		err2 = errors.Join(errors.New("the program did not end within 60s"), <-done)
	}
	if driveErr != nil {
		return log.String(), fmt.Errorf("driving %s: %w\nlog:\n%s", d.Program, driveErr, log.String())
	}
	if err2 != nil {
		return log.String(), fmt.Errorf("%s %q: %w\nlog:\n%s", d.Program, d.Args, err2, log.String())
	}
	return log.String(), nil
}
