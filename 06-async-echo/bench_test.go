// go test -run '^$' -bench . -benchtime 2s ./06-async-echo
//
// One load, several servers, the same client (package loadgen), in one run:
//
//	net              a goroutine per connection on Go's net package (the baseline)
//	net1             the same with GOMAXPROCS=1: one core, like the event loops
//	callbackloop     the callback event loop of package callbackloop, on
//	                 stage 02's poll and tcp: no futures
//	callbackloop-sr  the same with ShortReadDrains: no read that returns EAGAIN
//	machine          this stage's server on the executor, state-machine handler
//	machine-2        the same on two event loops (echo.Group: one executor per
//	                 core, two SO_REUSEPORT listeners on one port)
//	coroutine        the same, coroutine handler (future.Async)
//
// Each server runs in a child process (this test binary, re-executed), so that
// its memory can be read from /proc/PID/status and the client's goroutines do
// not share its heap.
//
// Per message, each server's system calls and context switches are read from
// /proc around its rounds: reads/msg and writes/msg from /proc/PID/io (syscr,
// syscw: read(2)- and write(2)-family calls, epoll_wait not included) and
// ctxsw/msg from voluntary_ctxt_switches + nonvoluntary_ctxt_switches of every
// thread (/proc/PID/task/*/status). With ECHO06_PERF=1 and perf(1) allowed to
// trace the children (root, or perf_event_paranoid <= -1), `perf stat` also
// counts every system call, epoll_wait and futex per message:
//
//	ECHO06_PERF=1 go test -run '^$' -bench 'Echo/size=64/' -benchtime 3s ./06-async-echo
package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/async-from-scratch/course/02-mio-like-poll/tcp"
	"github.com/async-from-scratch/course/05-executor/executor"
	"github.com/async-from-scratch/course/06-async-echo/callbackloop"
	"github.com/async-from-scratch/course/06-async-echo/echo"
	"github.com/async-from-scratch/course/06-async-echo/loadgen"
)

// childEnv names the server a re-executed test binary runs (see TestMain).
const childEnv = "ECHO06_BENCH_CHILD"

var serverKinds = []string{"net", "net1", "callbackloop", "callbackloop-sr", "machine", "machine-2", "coroutine"}

// BenchmarkEcho reports messages per second and round-trip latency of every
// server kind at 1, 50 and 500 connections, 64 B and 4 KiB messages.
//
// The servers run side by side (a child process each) and each b.Loop
// iteration gives each of them one round of the same load, in rotating
// order. On a shared machine whose load drifts by the second, this keeps the
// ratios honest: every server sees the same drift. The ratios the issue sets
// targets for are reported directly (machine/callbackloop, machine/net).
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
				used := make([]counters, len(serverKinds))        // what each server spent during its rounds
				client := make([]time.Duration, len(serverKinds)) // the client's CPU time during them
				perf := make([]*perfStat, len(serverKinds))
				if os.Getenv("ECHO06_PERF") != "" {
					for i, c := range children {
						perf[i] = startPerf(b, c.cmd.Process.Pid)
					}
				}
				seed := uint64(0)
				for b.Loop() {
					seed++
					for j := range serverKinds {
						i := (j + int(seed)) % len(serverKinds) // rotate who goes first
						c0, cl0 := children[i].counters(), clientCPU()
						st, err := pools[i].Round(size, perConn, seed)
						if err != nil {
							b.Fatalf("%s: %v", serverKinds[i], err)
						}
						used[i].add(children[i].counters().sub(c0))
						client[i] += clientCPU() - cl0
						totals[i].Add(st)
					}
				}
				rate := map[string]float64{}
				for i, kind := range serverKinds {
					rate[kind] = totals[i].PerSecond()
					b.ReportMetric(rate[kind], kind+"-msgs/s")
					b.ReportMetric(float64(totals[i].Percentile(0.50).Nanoseconds())/1e3, kind+"-p50-µs")
					b.ReportMetric(float64(totals[i].Percentile(0.99).Nanoseconds())/1e3, kind+"-p99-µs")
					if m := float64(totals[i].Messages); m > 0 {
						u := used[i]
						b.ReportMetric(float64(u.cpu.Nanoseconds())/1e3/m, kind+"-cpu-µs/msg")
						b.ReportMetric(float64(u.sys.Nanoseconds())/1e3/m, kind+"-sys-µs/msg")
						b.ReportMetric(float64(client[i].Nanoseconds())/1e3/m, kind+"-client-cpu-µs/msg")
						b.ReportMetric(float64(u.syscr)/m, kind+"-reads/msg")
						b.ReportMetric(float64(u.syscw)/m, kind+"-writes/msg")
						b.ReportMetric(float64(u.ctxsw)/m, kind+"-ctxsw/msg")
						if perf[i] != nil {
							for _, ev := range perf[i].stop(b) {
								b.ReportMetric(float64(ev.count)/m, kind+"-"+ev.name+"/msg")
							}
						}
					}
				}
				b.ReportMetric(rate["machine"]/rate["callbackloop"], "machine/callbackloop")
				b.ReportMetric(rate["machine"]/rate["callbackloop-sr"], "machine/callbackloop-sr")
				b.ReportMetric(rate["machine"]/rate["net"], "machine/net")
				b.ReportMetric(rate["coroutine"]/rate["callbackloop"], "coroutine/callbackloop")
				b.ReportMetric(rate["machine-2"]/rate["net"], "machine-2/net")
				b.ReportMetric(rate["machine-2"]/rate["net1"], "machine-2/net1")
				b.ReportMetric(rate["machine"]/rate["net1"], "machine/net1")
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

// counters are what a child has spent so far, read from /proc. Unlike
// messages per second they hardly depend on how loaded the machine is:
// divided by the messages, they are what one message costs the server.
type counters struct {
	cpu   time.Duration // user + system, all threads (/proc/PID/stat, 10 ms ticks)
	sys   time.Duration // the system (kernel) part of cpu
	syscr int64         // read(2)-family system calls (/proc/PID/io)
	syscw int64         // write(2)-family system calls
	ctxsw int64         // context switches, voluntary and not, summed over the threads
}

func (a counters) sub(b counters) counters {
	return counters{a.cpu - b.cpu, a.sys - b.sys, a.syscr - b.syscr, a.syscw - b.syscw, a.ctxsw - b.ctxsw}
}

func (a *counters) add(b counters) {
	a.cpu += b.cpu
	a.sys += b.sys
	a.syscr += b.syscr
	a.syscw += b.syscw
	a.ctxsw += b.ctxsw
}

// counters reads the child's counters; on a system without /proc they are
// zero. A thread that exited takes its context switches with it (Go's
// runtime seldom ends threads).
func (c *child) counters() counters {
	var k counters
	dir := fmt.Sprintf("/proc/%d", c.cmd.Process.Pid)
	if st, err := os.ReadFile(dir + "/stat"); err == nil {
		f := strings.Fields(string(st[strings.LastIndexByte(string(st), ')')+1:]))
		utime, _ := strconv.Atoi(f[11])
		stime, _ := strconv.Atoi(f[12])
		k.cpu = time.Duration(utime+stime) * 10 * time.Millisecond // USER_HZ is 100 on Linux
		k.sys = time.Duration(stime) * 10 * time.Millisecond
	}
	if io, err := os.ReadFile(dir + "/io"); err == nil {
		k.syscr = procField(string(io), "syscr:")
		k.syscw = procField(string(io), "syscw:")
	}
	if tasks, err := os.ReadDir(dir + "/task"); err == nil {
		for _, t := range tasks {
			st, err := os.ReadFile(dir + "/task/" + t.Name() + "/status")
			if err != nil {
				continue // the thread just exited
			}
			k.ctxsw += procField(string(st), "voluntary_ctxt_switches:") +
				procField(string(st), "nonvoluntary_ctxt_switches:")
		}
	}
	return k
}

// procField returns the number after the line that starts with name.
func procField(text, name string) int64 {
	for line := range strings.Lines(text) {
		if rest, ok := strings.CutPrefix(line, name); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(rest), 10, 64)
			return n
		}
	}
	return 0
}

// perfStat is `perf stat` attached to a child (ECHO06_PERF=1).
type perfStat struct {
	cmd *exec.Cmd
	out string
}

// perfEvents are counted per message: every system call, the epoll waits
// (our poll package calls epoll_wait, Go's runtime epoll_pwait), and futex
// (how Go's runtime parks and wakes threads).
var perfEvents = []struct{ event, name string }{
	{"raw_syscalls:sys_enter", "syscalls"},
	{"syscalls:sys_enter_epoll_wait", "epoll"},
	{"syscalls:sys_enter_epoll_pwait", "epoll"},
	{"syscalls:sys_enter_futex", "futex"},
}

func startPerf(b *testing.B, pid int) *perfStat {
	out := filepath.Join(b.TempDir(), "perf.csv")
	events := make([]string, len(perfEvents))
	for i, e := range perfEvents {
		events[i] = e.event
	}
	cmd := exec.Command("perf", "stat", "-x", ",", "-o", out, "-e", strings.Join(events, ","), "-p", strconv.Itoa(pid))
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		b.Skipf("ECHO06_PERF: cannot run perf: %v", err)
	}
	time.Sleep(300 * time.Millisecond) // let it attach before the measured rounds
	return &perfStat{cmd: cmd, out: out}
}

type perfCount struct {
	name  string
	count int64
}

// stop ends perf (SIGINT makes it write its counts) and returns them.
func (p *perfStat) stop(b *testing.B) []perfCount {
	_ = p.cmd.Process.Signal(os.Interrupt)
	_ = p.cmd.Wait()
	data, err := os.ReadFile(p.out)
	if err != nil {
		b.Fatalf("perf: %v", err)
	}
	var counts []perfCount
	for line := range strings.Lines(string(data)) {
		f := strings.Split(line, ",")
		if len(f) < 3 || strings.HasPrefix(line, "#") {
			continue
		}
		n, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			continue // <not counted>, <not supported>
		}
		for _, e := range perfEvents {
			if f[2] != e.event {
				continue
			}
			if k := len(counts); k > 0 && counts[k-1].name == e.name {
				counts[k-1].count += n // the two epoll waits
			} else {
				counts = append(counts, perfCount{e.name, n})
			}
		}
	}
	return counts
}

// clientCPU is the CPU time of this process, where the client runs.
func clientCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
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
	case "callbackloop", "callbackloop-sr":
		ln, err := tcp.Listen("127.0.0.1:0")
		if err != nil {
			return "", nil, nil, err
		}
		srv, err := callbackloop.New(ln, callbackloop.Options{ShortReadDrains: kind == "callbackloop-sr"})
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
		var trig executor.Notify
		go func() {
			v, err := executor.BlockOn(ex, srv.Serve(&trig))
			if err == nil {
				err = v
			}
			done <- err
		}()
		return srv.Addr().String(), trig.Notify, func() error { return <-done }, nil
	case "machine-2":
		g, err := echo.ListenGroup(echo.Config{Addr: "127.0.0.1:0", Grace: time.Millisecond, Loops: 2}, executor.Options{})
		if err != nil {
			return "", nil, nil, err
		}
		go func() { done <- g.Run() }()
		return g.Addr().String(), g.Stop, func() error { return <-done }, nil
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
