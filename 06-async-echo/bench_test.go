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
// Each server runs in a child process (this test binary, re-executed; package
// benchserver), so that its memory can be read from /proc/PID/status and the
// client's goroutines do not share its heap.
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
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/async-from-scratch/course/06-async-echo/benchserver"
	"github.com/async-from-scratch/course/06-async-echo/loadgen"
)

// childEnv names the server a re-executed test binary runs (see TestMain and
// package benchserver).
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
				children := make([]*benchserver.Child, len(serverKinds))
				for i, kind := range serverKinds {
					child := startChild(b, kind)
					children[i] = child
					p, err := loadgen.Dial(netDial, child.Addr, conns)
					if err != nil {
						b.Fatal(err)
					}
					defer p.Close()
					pools[i] = p
				}
				perConn := max(10, 4000/conns) // about 4,000 messages per round
				totals := make([]loadgen.Stats, len(serverKinds))
				used := make([]benchserver.Counters, len(serverKinds)) // what each server spent during its rounds
				client := make([]time.Duration, len(serverKinds))      // the client's CPU time during them
				perf := make([]*perfStat, len(serverKinds))
				if os.Getenv("ECHO06_PERF") != "" {
					for i, c := range children {
						perf[i] = startPerf(b, c.Pid())
					}
				}
				seed := uint64(0)
				for b.Loop() {
					seed++
					for j := range serverKinds {
						i := (j + int(seed)) % len(serverKinds) // rotate who goes first
						c0, cl0 := children[i].Counters(), benchserver.ClientCPU()
						st, err := pools[i].Round(size, perConn, seed)
						if err != nil {
							b.Fatalf("%s: %v", serverKinds[i], err)
						}
						used[i].Add(children[i].Counters().Sub(c0))
						client[i] += benchserver.ClientCPU() - cl0
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
						b.ReportMetric(float64(u.CPU.Nanoseconds())/1e3/m, kind+"-cpu-µs/msg")
						b.ReportMetric(float64(u.Sys.Nanoseconds())/1e3/m, kind+"-sys-µs/msg")
						b.ReportMetric(float64(client[i].Nanoseconds())/1e3/m, kind+"-client-cpu-µs/msg")
						b.ReportMetric(float64(u.ReadCalls)/m, kind+"-reads/msg")
						b.ReportMetric(float64(u.WriteCalls)/m, kind+"-writes/msg")
						b.ReportMetric(float64(u.CtxSwitches)/m, kind+"-ctxsw/msg")
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
			m := child.HoldIdle(b, netDial, idleConns)
			for b.Loop() {
				// The measurement is above; the loop only satisfies the
				// benchmark protocol (and b.Loop's first call would reset
				// metrics reported before it).
			}
			b.ReportMetric(float64(m.RSSAfter-m.RSSBefore)/idleConns, "B/conn")
			b.ReportMetric(float64(m.HeapAfter-m.HeapBefore)/idleConns, "heap-B/conn")
			b.ReportMetric(float64(m.RSSAfter)/(1<<20), "MiB-rss")
		})
	}
}

// startChild starts a server kind in a child process (see package
// benchserver); net1 gets one core.
func startChild(b *testing.B, kind string) *benchserver.Child {
	b.Helper()
	if kind == "net1" {
		return benchserver.Start(b, childEnv, kind, "GOMAXPROCS=1")
	}
	return benchserver.Start(b, childEnv, kind)
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
