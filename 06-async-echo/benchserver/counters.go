package benchserver

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/async-from-scratch/course/internal/testutil"
)

// Counters are what a child has spent so far, read from /proc. Unlike
// messages per second they hardly depend on how loaded the machine is:
// divided by the messages, they are what one message costs the server.
type Counters struct {
	CPU         time.Duration // user + system, all threads (/proc/PID/stat, 10 ms ticks)
	Sys         time.Duration // the system (kernel) part of CPU
	ReadCalls   int64         // read(2)-family system calls (/proc/PID/io syscr)
	WriteCalls  int64         // write(2)-family system calls (syscw)
	CtxSwitches int64         // context switches, voluntary and not, summed over the threads
}

// Sub returns a - b.
func (a Counters) Sub(b Counters) Counters {
	return Counters{a.CPU - b.CPU, a.Sys - b.Sys, a.ReadCalls - b.ReadCalls, a.WriteCalls - b.WriteCalls, a.CtxSwitches - b.CtxSwitches}
}

// Add adds b to a.
func (a *Counters) Add(b Counters) {
	a.CPU += b.CPU
	a.Sys += b.Sys
	a.ReadCalls += b.ReadCalls
	a.WriteCalls += b.WriteCalls
	a.CtxSwitches += b.CtxSwitches
}

// Counters reads the child's counters; on a system without /proc they are
// zero. A thread that exited takes its context switches with it (Go's
// runtime seldom ends threads).
func (c *Child) Counters() Counters {
	var k Counters
	dir := fmt.Sprintf("/proc/%d", c.Pid())
	if user, system, err := testutil.CPUTicks(c.Pid()); err == nil {
		k.CPU = time.Duration(user+system) * 10 * time.Millisecond // USER_HZ is 100 on Linux
		k.Sys = time.Duration(system) * 10 * time.Millisecond
	}
	if io, err := os.ReadFile(dir + "/io"); err == nil {
		k.ReadCalls, _ = procField(string(io), "syscr:")
		k.WriteCalls, _ = procField(string(io), "syscw:")
	}
	if tasks, err := os.ReadDir(dir + "/task"); err == nil {
		for _, t := range tasks {
			st, err := os.ReadFile(dir + "/task/" + t.Name() + "/status")
			if err != nil {
				continue // the thread just exited
			}
			vol, _ := procField(string(st), "voluntary_ctxt_switches:")
			nonvol, _ := procField(string(st), "nonvoluntary_ctxt_switches:")
			k.CtxSwitches += vol + nonvol
		}
	}
	return k
}

// procField returns the number after the line that starts with name (and
// before a " kB" unit, if any).
func procField(text, name string) (int64, bool) {
	for line := range strings.Lines(text) {
		if rest, ok := strings.CutPrefix(line, name); ok {
			n, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return n, err == nil
		}
	}
	return 0, false
}

// ClientCPU is the CPU time of this process, where the client runs.
func ClientCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
