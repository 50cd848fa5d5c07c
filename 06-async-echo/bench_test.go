// go test -run '^$' -bench . -benchtime 2s ./06-async-echo
//
// One load, three servers, the same client (package loadgen), in one run:
//
//	net        a goroutine per connection on Go's net package (the baseline)
//	net1       the same with GOMAXPROCS=1: one core, like the event loops
//	floor      the callback loop of package floor, on stage 02's poll and tcp
//	floor-sr   the same with ShortReadDrains: no read that returns EAGAIN
//	machine    this stage's server on the executor, state-machine handler
//	coroutine  the same, coroutine handler (future.Async)
//
// Each server runs in a child process (this test binary, re-executed), so that
// its memory can be read from /proc/PID/status and the client's goroutines do
// not share its heap.
package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/async-from-scratch/course/02-mio-like-poll/tcp"
	"github.com/async-from-scratch/course/05-executor/executor"
	"github.com/async-from-scratch/course/06-async-echo/echo"
	"github.com/async-from-scratch/course/06-async-echo/floor"
	"github.com/async-from-scratch/course/06-async-echo/loadgen"
)

// childEnv names the server a re-executed test binary runs (see TestMain).
const childEnv = "ECHO06_BENCH_CHILD"

var serverKinds = []string{"net", "net1", "floor", "floor-sr", "machine", "coroutine"}

// BenchmarkEcho reports messages per second and round-trip latency of every
// server kind at 1, 50 and 500 connections, 64 B and 4 KiB messages.
//
// The four servers run side by side (four child processes) and each b.Loop
// iteration gives each of them one round of the same load, in rotating
// order. On a shared machine whose load drifts by the second, this keeps the
// ratios honest: every server sees the same drift. The ratios the issue sets
// targets for are reported directly (machine/floor, machine/net).
func BenchmarkEcho(b *testing.B) {
	for _, size := range []int{64, 4096} {
		for _, conns := range []int{1, 50, 500} {
			b.Run(fmt.Sprintf("size=%d/conns=%d", size, conns), func(b *testing.B) {
				pools := make([]*loadgen.Pool, len(serverKinds))
				children := make([]*child, len(serverKinds))
				for i, kind := range serverKinds {
					child := startChild(b, kind)
					children[i] = child
					p, err := loadgen.Dial(netDial, child.addr, conns)
					if err != nil {
						b.Fatal(err)
					}
					defer p.Close()
					pools[i] = p
				}
				perConn := max(10, 4000/conns) // about 4,000 messages per round
				totals := make([]loadgen.Stats, len(serverKinds))
				cpu := make([]time.Duration, len(serverKinds)) // server CPU time during its rounds
				seed := uint64(0)
				for b.Loop() {
					seed++
					for j := range serverKinds {
						i := (j + int(seed)) % len(serverKinds) // rotate who goes first
						cpu0 := children[i].cpu(b)
						st, err := pools[i].Round(size, perConn, seed)
						if err != nil {
							b.Fatalf("%s: %v", serverKinds[i], err)
						}
						cpu[i] += children[i].cpu(b) - cpu0
						totals[i].Add(st)
					}
				}
				rate := map[string]float64{}
				for i, kind := range serverKinds {
					rate[kind] = totals[i].PerSecond()
					b.ReportMetric(rate[kind], kind+"-msgs/s")
					b.ReportMetric(float64(totals[i].Percentile(0.50).Nanoseconds())/1e3, kind+"-p50-µs")
					b.ReportMetric(float64(totals[i].Percentile(0.99).Nanoseconds())/1e3, kind+"-p99-µs")
					if totals[i].Messages > 0 {
						b.ReportMetric(float64(cpu[i].Nanoseconds())/1e3/float64(totals[i].Messages), kind+"-cpu-µs/msg")
					}
				}
				b.ReportMetric(rate["machine"]/rate["floor"], "machine/floor")
				b.ReportMetric(rate["machine"]/rate["net"], "machine/net")
				b.ReportMetric(rate["coroutine"]/rate["floor"], "coroutine/floor")
			})
		}
	}
}

// BenchmarkIdleMemory opens idleConns connections to each server, echoes one
// message on each (so every connection is accepted and has been served), and
// reports the server's RSS growth per connection, after a GC in the server.
// Run it once: -benchtime 1x.
func BenchmarkIdleMemory(b *testing.B) {
	raiseFDLimit(b)
	const idleConns = 10_000
	for _, kind := range serverKinds {
		b.Run(kind, func(b *testing.B) {
			child := startChild(b, kind)
			before, heapBefore := child.rss(b)
			pool, err := loadgen.Dial(netDial, child.addr, idleConns)
			if err != nil {
				b.Fatal(err)
			}
			defer pool.Close()
			if _, err := pool.Round(64, 1, 1); err != nil {
				b.Fatal(err)
			}
			after, heapAfter := child.rss(b)
			for b.Loop() {
				// The measurement is above; the loop only satisfies the
				// benchmark protocol (and b.Loop's first call would reset
				// metrics reported before it).
			}
			b.ReportMetric(float64(after-before)/idleConns, "B/conn")
			b.ReportMetric(float64(heapAfter-heapBefore)/idleConns, "heap-B/conn")
			b.ReportMetric(float64(after)/(1<<20), "MiB-rss")
		})
	}
}

func netDial(addr string) (loadgen.Conn, error) { return net.DialTimeout("tcp", addr, 10*time.Second) }

// raiseFDLimit sets the soft RLIMIT_NOFILE to the hard one. (Go already does
// this at startup since Go 1.19; it is repeated here so the benchmark says
// what it needs.)
func raiseFDLimit(b *testing.B) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		b.Fatal(err)
	}
	lim.Cur = lim.Max
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		b.Fatal(err)
	}
	if lim.Cur < 10_500 {
		b.Skipf("RLIMIT_NOFILE hard limit %d is too low for 10,000 connections", lim.Cur)
	}
}

// child is a server in another process.
type child struct {
	cmd   *exec.Cmd
	addr  string
	stdin io.WriteCloser
	out   *bufio.Reader
}

func startChild(b *testing.B, kind string) *child {
	b.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+kind)
	if kind == "net1" {
		cmd.Env = append(cmd.Env, "GOMAXPROCS=1")
	}
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	c := &child{cmd: cmd, stdin: stdin, out: bufio.NewReader(stdout)}
	b.Cleanup(func() {
		stdin.Close() // the child stops its server and exits
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				b.Errorf("server %s: %v", kind, err)
			}
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			<-done
			b.Errorf("server %s did not stop within 30s", kind)
		}
	})
	line, err := c.out.ReadString('\n')
	if err != nil {
		b.Fatalf("server %s did not start: %v", kind, err)
	}
	c.addr = strings.TrimSpace(line)
	return c
}

// rss asks the child to collect garbage and return freed memory to the OS,
// then reads its resident set size. heap is the child's live heap
// (runtime.MemStats.HeapAlloc) at that moment.
func (c *child) rss(b *testing.B) (rss, heap int64) {
	b.Helper()
	if _, err := io.WriteString(c.stdin, "gc\n"); err != nil {
		b.Fatal(err)
	}
	line, err := c.out.ReadString('\n')
	if err != nil {
		b.Fatal(err)
	}
	heap, err = strconv.ParseInt(strings.TrimSpace(line), 10, 64)
	if err != nil {
		b.Fatal(err)
	}
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", c.cmd.Process.Pid))
	if err != nil {
		b.Skipf("no /proc here: %v", err)
	}
	for line := range strings.Lines(string(status)) {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				b.Fatal(err)
			}
			return kb << 10, heap
		}
	}
	b.Fatal("no VmRSS in /proc/PID/status")
	return 0, 0
}

// cpu returns the child's CPU time so far (user + system, all threads),
// from /proc/PID/stat, in clock ticks of 10 ms: precise enough summed over
// a whole benchmark. Unlike messages per second it hardly depends on how
// loaded the machine is: it is what one message costs the server.
func (c *child) cpu(b *testing.B) time.Duration {
	st, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", c.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	f := strings.Fields(string(st[strings.LastIndexByte(string(st), ')')+1:]))
	utime, _ := strconv.Atoi(f[11])
	stime, _ := strconv.Atoi(f[12])
	return time.Duration(utime+stime) * 10 * time.Millisecond // USER_HZ is 100 on Linux
}

// benchChild is the child side: start the server, print its address, answer
// "gc" lines, and stop when stdin closes.
func benchChild(kind string) int {
	var lim syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim) == nil {
		lim.Cur = lim.Max
		_ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim)
	}
	addr, stop, wait, err := startServerKind(kind)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench child:", err)
		return 1
	}
	fmt.Println(addr)
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		if in.Text() == "gc" {
			runtime.GC()
			debug.FreeOSMemory()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			fmt.Println(ms.HeapAlloc)
		}
	}
	stop()
	if err := wait(); err != nil {
		fmt.Fprintln(os.Stderr, "bench child:", err)
		return 1
	}
	return 0
}

func startServerKind(kind string) (addr string, stop func(), wait func() error, err error) {
	done := make(chan error, 1)
	switch kind {
	case "net", "net1":
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return "", nil, nil, err
		}
		go func() { done <- netEchoServer(ln) }()
		return ln.Addr().String(), func() { ln.Close() }, func() error { <-done; return nil }, nil
	case "floor", "floor-sr":
		ln, err := tcp.Listen("127.0.0.1:0")
		if err != nil {
			return "", nil, nil, err
		}
		srv, err := floor.New(ln, floor.Options{ShortReadDrains: kind == "floor-sr"})
		if err != nil {
			return "", nil, nil, err
		}
		addr := ln.Addr().String()
		go func() { done <- srv.Run() }()
		return addr, srv.Stop, func() error { return <-done }, nil
	case "machine", "coroutine":
		ex, err := executor.New(executor.Options{})
		if err != nil {
			return "", nil, nil, err
		}
		srv, err := echo.Listen(ex, echo.Config{Addr: "127.0.0.1:0", Style: echo.Style(kind), Grace: time.Millisecond})
		if err != nil {
			return "", nil, nil, err
		}
		var trig echo.Trigger
		go func() {
			v, err := executor.BlockOn(ex, srv.Serve(trig.Wait()))
			if err == nil {
				err = v
			}
			done <- err
		}()
		return srv.Addr().String(), trig.Fire, func() error { return <-done }, nil
	}
	return "", nil, nil, fmt.Errorf("unknown server kind %q", kind)
}

// netEchoServer is the baseline: what a Go programmer writes first. One
// goroutine per connection, blocking reads and writes; Go's runtime turns
// them into epoll underneath (runtime/netpoll_epoll.go). NOTE: the explicit
// 4 KiB buffer, not io.Copy: io.Copy between two TCPConns would splice(2)
// in the kernel, and we compare event loops, not zero-copy tricks.
func netEchoServer(ln net.Listener) error {
	for {
		c, err := ln.Accept()
		if err != nil {
			return nil // closed by stop
		}
		go func() {
			defer c.Close()
			buf := make([]byte, 4096)
			for {
				n, err := c.Read(buf)
				if n > 0 {
					if _, werr := c.Write(buf[:n]); werr != nil {
						return
					}
				}
				if err != nil {
					return
				}
			}
		}()
	}
}
