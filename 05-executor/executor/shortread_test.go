package executor

import (
	"io"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/async-from-scratch/course/02-mio-like-poll/tcp"
	"github.com/async-from-scratch/course/04-futures/future"
	"github.com/async-from-scratch/course/internal/testutil"
)

// "A short read drains" (Stream.PollRead) on real loopback sockets: what it
// saves, and the three cases where getting it wrong would lose data or hang.

// collector is a reader task's record: every read's byte count ("5") or
// "EOF", and the bytes. Loop-only, like everything a task touches.
type collector struct {
	reads []string
	data  []byte
}

// reader spawns a task that reads s with a buffer of size bufSize until EOF
// or an error, recording into c.
func reader(ex *Executor, s *Stream, bufSize int, c *collector) *JoinHandle[error] {
	return Spawn(ex, future.Async(func(co *future.Co) error {
		buf := make([]byte, bufSize)
		for {
			r := future.Await(co, s.Read(buf))
			switch {
			case r.Err == io.EOF:
				c.reads = append(c.reads, "EOF")
				return nil
			case r.Err != nil:
				return r.Err
			}
			c.reads = append(c.reads, strconv.Itoa(r.Value))
			c.data = append(c.data, buf[:r.Value]...)
		}
	}))
}

// yieldUntil lets the loop turn (each YieldNow is one turn: a poll of the
// OS with a zero timeout, events dispatched, tasks run) until cond holds or
// turns run out. It reports whether cond held.
func yieldUntil(co *future.Co, turns int, cond func() bool) bool {
	for range turns {
		if cond() {
			return true
		}
		future.Await(co, YieldNow())
	}
	return cond()
}

// The saving, counted. A pinger sends one byte and waits for its echo;
// the echoMachine handler reads it into a 512-byte buffer (a short read)
// and writes it back. Everything runs on the one loop goroutine, so the
// order of system calls is fixed. Per round trip: the pinger writes, reads
// (would-block: the echo is not there yet), reads its byte (a full read of
// its 1-byte buffer, so it must read again: that is its next would-block);
// the server reads and writes, and then either reads again until EAGAIN
// (rule off) or knows from the short read that it is drained (rule on).
func TestShortReadDrainsSavesARead(t *testing.T) {
	testutil.CheckNoFDLeak(t)
	const rounds = 500
	run := func(drains bool) Stats {
		defer func(old bool) { shortReadDrains = old }(shortReadDrains)
		shortReadDrains = drains
		ex := newExecutor(t, Options{})
		blockOn(t, ex, future.Async(func(co *future.Co) uint64 {
			c, s, l, err := pair(co, ex)
			if err != nil {
				t.Error(err)
				return 0
			}
			l.Close()
			Spawn(ex, &echoMachine{s: s, buf: make([]byte, 512)})
			return future.Await(co, Spawn(ex, &pinger{s: c, rounds: rounds})).Value
		}))
		return ex.Stats()
	}
	off, on := run(false), run(true)
	per := func(n uint64) float64 { return float64(n) / rounds }
	t.Logf("reads per round trip: %.2f without the rule, %.2f with it (short reads: %d, would-blocks %.2f -> %.2f, writes %.2f -> %.2f)",
		per(off.Reads), per(on.Reads), on.ShortReads, per(off.WouldBlocks), per(on.WouldBlocks), per(off.Writes), per(on.Writes))
	if on.ShortReads < rounds {
		t.Errorf("ShortReads = %d, want at least %d (one per echoed byte)", on.ShortReads, rounds)
	}
	if off.ShortReads != 0 {
		t.Errorf("ShortReads = %d with the rule off, want 0", off.ShortReads)
	}
	// Setup and teardown add a few reads (the first would-block, the EOF).
	if saved := int64(off.Reads) - int64(on.Reads); saved < rounds-10 {
		t.Errorf("the rule saved %d reads in %d round trips, want about one per round trip", saved, rounds)
	}
}

// Data and the peer's FIN arrive together, while the reader waits: one
// edge reports both (Readable and ReadClosed). The read that takes the data
// is short, but the reader must not wait for another edge: none will come.
// It must read again and see EOF. (Without the sticky hup flag the reader
// hangs until the timeout.)
func TestShortReadThenFINInOneEdgeGivesEOF(t *testing.T) {
	testutil.CheckNoFDLeak(t)
	ex := newExecutor(t, Options{})
	var got collector
	var shortReads uint64
	var hup bool
	err := blockOnWithin(t, 10*time.Second, ex, future.Async(func(co *future.Co) error {
		c, s, l, err := pair(co, ex)
		if err != nil {
			return err
		}
		l.Close()
		defer c.Close()
		defer s.Close()
		rd := reader(ex, s, 64, &got)
		future.Await(co, YieldNow())
		future.Await(co, YieldNow()) // the reader found nothing and waits for an edge
		before := ex.Stats().ShortReads
		// Data and FIN in one go: no turn of the loop, so no event, in between.
		if _, err := c.conn.Write([]byte("hello")); err != nil {
			return err
		}
		if err := c.conn.Shutdown(tcp.ShutWrite); err != nil {
			return err
		}
		r := future.Await(co, Timeout(ex, 3*time.Second, rd))
		shortReads, hup = ex.Stats().ShortReads-before, s.src.hup
		if r.Err != nil {
			return r.Err
		}
		return r.Value.Err
	}))
	if err != nil {
		t.Fatalf("reader: %v (reads so far %v): after a short read it waited for an edge that never came", err, got.reads)
	}
	if want := []string{"5", "EOF"}; strings.Join(got.reads, " ") != strings.Join(want, " ") {
		t.Errorf("reads %v, want %v", got.reads, want)
	}
	if !hup || shortReads != 0 {
		t.Errorf("hup=%v, short reads counted as drained=%d: data and FIN did not come in one edge, so the test missed its case", hup, shortReads)
	}
}

// After a short read the reader stores its waker without asking the socket
// again; new data makes a new edge that wakes it.
func TestShortReadThenNewDataWakes(t *testing.T) {
	testutil.CheckNoFDLeak(t)
	ex := newExecutor(t, Options{})
	var got collector
	msg := blockOnWithin(t, 10*time.Second, ex, future.Async(func(co *future.Co) string {
		c, s, l, err := pair(co, ex)
		if err != nil {
			return err.Error()
		}
		l.Close()
		defer s.Close()
		rd := reader(ex, s, 64, &got)
		if _, err := c.conn.Write([]byte("a")); err != nil {
			return err.Error()
		}
		if !yieldUntil(co, 1000, func() bool { return len(got.data) == 1 }) {
			return "the first byte never arrived"
		}
		st := ex.Stats()
		if st.ShortReads == 0 {
			return "reading 1 byte into 64 was not counted as a short read"
		}
		yieldUntil(co, 5, func() bool { return false }) // a few turns: the reader must not read again
		if n := ex.Stats().Reads - st.Reads; n != 0 {
			return "after the short read the reader read again " + strconv.Itoa(int(n)) + " times"
		}
		if _, err := c.conn.Write([]byte("bc")); err != nil {
			return err.Error()
		}
		if !yieldUntil(co, 1000, func() bool { return len(got.data) == 3 }) {
			return "new data after a short read did not wake the reader: got " + string(got.data)
		}
		c.Close()
		if r := future.Await(co, Timeout(ex, 3*time.Second, rd)); r.Err != nil || r.Value.Err != nil {
			return "reader did not end at EOF"
		}
		return string(got.data)
	}))
	if msg != "abc" {
		t.Errorf("%s", msg)
	}
	if want := "1 2 EOF"; strings.Join(got.reads, " ") != want {
		t.Errorf("reads %v, want %s", got.reads, want)
	}
}

// A read that fills the buffer exactly says nothing about what is left:
// the reader must read again (and learn from would-block). 16 bytes sent at
// once to a reader with an 8-byte buffer: if a full read were taken for a
// drained socket, the second 8 bytes would wait for an edge that never
// comes, since nothing more is sent.
func TestFullReadReadsAgain(t *testing.T) {
	testutil.CheckNoFDLeak(t)
	ex := newExecutor(t, Options{})
	var got collector
	msg := blockOnWithin(t, 10*time.Second, ex, future.Async(func(co *future.Co) string {
		c, s, l, err := pair(co, ex)
		if err != nil {
			return err.Error()
		}
		l.Close()
		defer s.Close()
		rd := reader(ex, s, 8, &got)
		future.Await(co, YieldNow())
		future.Await(co, YieldNow()) // the reader waits for an edge
		st := ex.Stats()
		if _, err := c.conn.Write([]byte("0123456789abcdef")); err != nil {
			return err.Error()
		}
		if !yieldUntil(co, 1000, func() bool { return len(got.data) == 16 }) {
			return "stuck at " + strconv.Itoa(len(got.data)) + " bytes after full reads: " + strings.Join(got.reads, " ")
		}
		yieldUntil(co, 3, func() bool { return false })
		now := ex.Stats()
		if now.ShortReads != st.ShortReads {
			return "a full read was counted as a short read"
		}
		if now.WouldBlocks == st.WouldBlocks {
			return "after two full reads the reader did not read until would-block"
		}
		c.Close()
		if r := future.Await(co, Timeout(ex, 3*time.Second, rd)); r.Err != nil || r.Value.Err != nil {
			return "reader did not end at EOF"
		}
		return string(got.data)
	}))
	if msg != "0123456789abcdef" {
		t.Errorf("%s", msg)
	}
	if want := "8 8 EOF"; strings.Join(got.reads, " ") != want {
		t.Errorf("reads %v, want %s", got.reads, want)
	}
}
