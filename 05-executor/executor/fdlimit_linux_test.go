package executor

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/async-from-scratch/course/04-futures/future"
	"golang.org/x/sys/unix"
)

const emfileClients = 8

// runChild is the subprocess side of TestAcceptUnderEMFILE: a server at its
// descriptor limit with connections waiting in the backlog. It prints one
// result line and returns the exit code.
func runChild(mode string) int {
	if mode == "emfile-nowarm" {
		runtimeWarmup = false // show what BlockOn's warm-up prevents
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	ex, err := New(Options{Logger: log})
	if err != nil {
		fmt.Println("New:", err)
		return 1
	}
	l, err := ex.Listen("127.0.0.1:0")
	if err != nil {
		fmt.Println("Listen:", err)
		return 1
	}
	// Clients connect with plain blocking sockets: the kernel completes the
	// handshakes and queues them in the listen backlog.
	addr := &unix.SockaddrInet4{Port: int(l.Addr().Port()), Addr: [4]byte{127, 0, 0, 1}}
	for range emfileClients {
		fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM, 0)
		if err == nil {
			err = unix.Connect(fd, addr)
		}
		if err != nil {
			fmt.Println("client:", err)
			return 1
		}
	}
	var reserve []int // descriptors we free later, so accept can recover
	for range 2 * emfileClients {
		fd, err := unix.Open("/dev/null", unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			fmt.Println("open:", err)
			return 1
		}
		reserve = append(reserve, fd)
	}
	var n atomic.Int32 // connections accepted
	if mode == "emfile" {
		// A watchdog, armed before the limit (it is a Go timer: see
		// TestRuntimePollerTrapAtFDLimit): the parent then fails in
		// seconds, with a reason, instead of killing us after a minute.
		time.AfterFunc(10*time.Second, func() {
			fmt.Printf("lost wakeup: after 10s %d of %d connections were accepted; the accepter that backed off after EMFILE was never woken again\n", n.Load(), emfileClients)
			os.Exit(3)
		})
	}
	var cpu time.Duration
	accepted, err := BlockOn(ex, future.Async(func(co *future.Co) int {
		// Now (after BlockOn's setup) go to the limit: the lowest free
		// number becomes the limit, so every new descriptor fails.
		probe, err := unix.Open("/dev/null", unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			panic(err)
		}
		unix.Close(probe)
		var rl unix.Rlimit
		unix.Getrlimit(unix.RLIMIT_NOFILE, &rl)
		rl.Cur = uint64(probe)
		if err := unix.Setrlimit(unix.RLIMIT_NOFILE, &rl); err != nil {
			panic(err)
		}
		done := make(chan struct{})
		go func() {
			defer close(done)
			before := cpuTime()
			time.Sleep(time.Second) // a Go timer, at the limit
			cpu = cpuTime() - before
			for _, fd := range reserve {
				unix.Close(fd)
			}
		}()
		for n.Load() < emfileClients {
			r := future.Await(co, l.Accept())
			if r.Err != nil {
				fmt.Println("accept:", r.Err)
				break
			}
			n.Add(1) // keep the stream open: we must stay at the limit
		}
		<-done
		return int(n.Load())
	}))
	fmt.Printf("accepted=%d cpu=%v err=%v\n", accepted, cpu.Round(time.Millisecond), err)
	return 0
}

func cpuTime() time.Duration {
	var ru unix.Rusage
	unix.Getrusage(unix.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// startChild runs this test binary as a child in the given mode. Its output
// goes to a regular file, not a pipe: a non-blocking stdout would make the
// child's os package start the runtime's netpoller at init.
func startChild(t *testing.T, mode string) (string, error) {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("fd-limit scenario written for Linux")
	}
	out, err := os.Create(filepath.Join(t.TempDir(), "out"))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+mode)
	cmd.Stdout, cmd.Stderr = out, out
	runErr := cmd.Run()
	b, err := os.ReadFile(out.Name())
	if err != nil {
		t.Fatal(err)
	}
	return string(b), runErr
}

// Accept at the descriptor limit: EMFILE must neither end the server nor
// make it spin. The child sits at the limit for a second with connections
// waiting; it must use far less than a second of CPU in that time, and
// accept them all once descriptors are freed.
func TestAcceptUnderEMFILE(t *testing.T) {
	out, err := startChild(t, "emfile")
	t.Logf("child: %s", strings.TrimSpace(out))
	if err != nil {
		t.Fatalf("child failed: %v: %s", err, lastLine(out))
	}
	var accepted int
	var cpuText, errText string
	if _, err := fmt.Sscanf(lastLine(out), "accepted=%d cpu=%s err=%s", &accepted, &cpuText, &errText); err != nil {
		t.Fatalf("cannot parse the child's output: %v", err)
	}
	cpu, err := time.ParseDuration(cpuText)
	if err != nil {
		t.Fatal(err)
	}
	if accepted != emfileClients {
		t.Errorf("accepted %d connections, want %d (no recovery after EMFILE)", accepted, emfileClients)
	}
	// Spinning on EMFILE burns a whole second; back-off uses almost none.
	// The bound is generous because -race and a loaded machine inflate it.
	if cpu > 300*time.Millisecond {
		t.Errorf("CPU time while stuck at EMFILE for 1s: %v: the accept loop spins", cpu)
	}
}

// The trap BlockOn's warm-up avoids: without it, the first Go timer at the
// descriptor limit kills the process, because the runtime creates its own
// epoll instance only then.
func TestRuntimePollerTrapAtFDLimit(t *testing.T) {
	out, err := startChild(t, "emfile-nowarm")
	var exit *exec.ExitError
	if err == nil || !errors.As(err, &exit) {
		t.Skipf("the child survived (something started the runtime's poller early): %s", lastLine(out))
	}
	if !strings.Contains(out, "netpollinit failed") {
		t.Errorf("the child died, but not of the runtime poller trap: %v\n%s", err, out)
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}
