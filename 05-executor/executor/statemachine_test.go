package executor

import (
	"io"
	"runtime"
	"testing"

	"github.com/async-from-scratch/course/04-futures/future"
	"github.com/async-from-scratch/course/internal/testutil"
	"golang.org/x/sys/unix"
)

// echoMachine is a connection handler written as a state machine (what a Rust
// compiler makes of an async fn): no coroutine, so an idle connection holds
// no goroutine stack, only this struct. Stage 06 builds on this shape.
type echoMachine struct {
	s        *Stream
	buf      []byte
	off, end int // buf[off:end] is read but not yet written back
}

func (e *echoMachine) Poll(cx *future.Context) future.Poll[error] {
	for {
		if e.off < e.end { // write back what we read, however short the writes
			n, err := e.s.PollWrite(cx, e.buf[e.off:e.end])
			if err == ErrPending {
				return future.Pending[error]() // the write waker is stored
			}
			if err != nil {
				return future.PollReady(err)
			}
			e.off += n
			continue
		}
		n, err := e.s.PollRead(cx, e.buf)
		switch {
		case err == ErrPending:
			return future.Pending[error]() // the read waker is stored
		case err == io.EOF:
			return future.PollReady[error](nil)
		case err != nil:
			return future.PollReady(err)
		}
		e.off, e.end = 0, n
	}
}

// pinger sends one byte and waits for it to come back, rounds times. At
// round warm it records the allocation count, at the end the difference.
type pinger struct {
	s             *Stream
	b             [1]byte
	rounds, round int
	sent          bool
	warm          int
	mallocs       uint64
}

func (p *pinger) Poll(cx *future.Context) future.Poll[uint64] {
	for p.round < p.rounds {
		if p.round == p.warm && !p.sent {
			p.mallocs = mallocs()
		}
		if !p.sent {
			if _, err := p.s.PollWrite(cx, p.b[:]); err == ErrPending {
				return future.Pending[uint64]()
			} else if err != nil {
				panic(err)
			}
			p.sent = true
		}
		if _, err := p.s.PollRead(cx, p.b[:]); err == ErrPending {
			return future.Pending[uint64]()
		} else if err != nil {
			panic(err)
		}
		p.sent = false
		p.round++
	}
	p.s.Close()
	return future.PollReady(mallocs() - p.mallocs)
}

func mallocs() uint64 {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.Mallocs
}

// In steady state the loop allocates nothing per poll, wake or event: a
// round trip through two state-machine tasks, the reactor and epoll costs
// no allocation.
func TestNoAllocationPerRoundTrip(t *testing.T) {
	testutil.CheckNoFDLeak(t)
	ex := newExecutor(t, Options{})
	const rounds, warm = 2000, 200
	allocs := blockOn(t, ex, future.Async(func(co *future.Co) uint64 {
		c, s, l, err := pair(co, ex)
		if err != nil {
			t.Error(err)
			return 0
		}
		l.Close()
		Spawn(ex, &echoMachine{s: s, buf: make([]byte, 512)})
		return future.Await(co, Spawn(ex, &pinger{s: c, rounds: rounds, warm: warm})).Value
	}))
	perRound := float64(allocs) / (rounds - warm)
	t.Logf("%d allocations in %d round trips", allocs, rounds-warm)
	if perRound > 0.1 {
		t.Errorf("%.2f allocations per round trip, want 0", perRound)
	}
}

// What an idle connection costs on the Go heap: the Stream (with its
// tcp.Stream), the task (JoinHandle and Context) and the handler. The
// handlers share one scratch buffer, which a single-threaded executor
// allows as long as a handler copies out what it cannot write at once.
func TestMemoryPerIdleConnection(t *testing.T) {
	testutil.CheckNoFDLeak(t)
	const conns = 500
	ex := newExecutor(t, Options{})
	l, err := ex.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var clients []int
	defer func() {
		for _, fd := range clients {
			unix.Close(fd)
		}
	}()
	addr := &unix.SockaddrInet4{Port: int(l.Addr().Port()), Addr: [4]byte{127, 0, 0, 1}}
	for range conns {
		fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM, 0)
		if err != nil {
			t.Fatal(err)
		}
		clients = append(clients, fd)
		if err := unix.Connect(fd, addr); err != nil {
			t.Fatal(err)
		}
	}
	scratch := make([]byte, 512)
	perConn := blockOn(t, ex, future.Async(func(co *future.Co) float64 {
		defer l.Close()
		var handlers []*JoinHandle[error] // kept, so that the measurement counts them
		before := heapInUse()
		for range conns {
			r := future.Await(co, l.Accept())
			if r.Err != nil {
				t.Error(r.Err)
				return 0
			}
			handlers = append(handlers, Spawn(ex, &echoMachine{s: r.Value, buf: scratch}))
		}
		future.Await(co, YieldNow())
		future.Await(co, YieldNow()) // every handler has polled once and waits
		after := heapInUse()
		runtime.KeepAlive(handlers)
		return float64(after-before) / conns
	}))
	t.Logf("Go heap per idle connection: %.0f bytes (Stream, tcp.Stream, task, Context, handler)", perConn)
	if perConn > 512 {
		t.Errorf("%.0f bytes per idle connection, want < 512", perConn)
	}
}

func heapInUse() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}
