package executor

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/async-from-scratch/course/02-mio-like-poll/poll"
	"github.com/async-from-scratch/course/02-mio-like-poll/tcp"
	"github.com/async-from-scratch/course/04-futures/future"
	"github.com/async-from-scratch/course/internal/testutil"
	"github.com/google/go-cmp/cmp"
	"go.uber.org/goleak"
	"golang.org/x/sys/unix"
)

// pair returns a connected client and server Stream on loopback.
func pair(co *future.Co, ex *Executor) (client, server *Stream, l *Listener, err error) {
	l, err = ex.Listen("127.0.0.1:0")
	if err != nil {
		return nil, nil, nil, err
	}
	acc := Spawn(ex, l.Accept())
	c := await(co, ex.Connect(l.Addr()))
	if c.Err != nil {
		return nil, nil, l, c.Err
	}
	s := await(co, acc)
	if s.Err != nil {
		return nil, nil, l, s.Err
	}
	return c.Value, s.Value.Value, l, s.Value.Err
}

func TestTCPExchange(t *testing.T) {
	testutil.CheckNoFDLeak(t)
	ex := newExecutor(t, Options{})
	got := blockOn(t, ex, async(func(co *future.Co) string {
		c, s, l, err := pair(co, ex)
		if err != nil {
			return err.Error()
		}
		defer l.Close()
		// server: echo until EOF, then close
		echo := Spawn(ex, async(func(co *future.Co) error {
			defer s.Close()
			buf := make([]byte, 3) // small on purpose: several reads per message
			for {
				r := await(co, s.Read(buf))
				if r.Err == io.EOF {
					return nil
				}
				if r.Err != nil {
					return r.Err
				}
				if w := await(co, s.WriteAll(buf[:r.Value])); w.Err != nil {
					return w.Err
				}
			}
		}))
		defer c.Close()
		if w := await(co, c.WriteAll([]byte("hello, executor"))); w.Err != nil {
			return w.Err.Error()
		}
		back := make([]byte, len("hello, executor"))
		if r := await(co, c.ReadFull(back)); r.Err != nil {
			return r.Err.Error()
		}
		if err := c.Shutdown(tcp.ShutWrite); err != nil {
			return err.Error()
		}
		if r := await(co, c.Read(make([]byte, 1))); r.Err != io.EOF {
			return "after shutdown: " + errString(r.Err)
		}
		if e := await(co, echo); e.Err != nil || e.Value != nil {
			return "echo task: " + errString(e.Err) + errString(e.Value)
		}
		return string(back)
	}))
	if got != "hello, executor" {
		t.Errorf("exchange = %q", got)
	}
}

func errString(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

func TestConnectRefused(t *testing.T) {
	testutil.CheckNoFDLeak(t)
	ex := newExecutor(t, Options{})
	err := blockOn(t, ex, async(func(co *future.Co) error {
		l, err := ex.Listen("127.0.0.1:0")
		if err != nil {
			return err
		}
		addr := l.Addr()
		l.Close() // nobody listens there now
		return await(co, ex.Connect(addr)).Err
	}))
	if !errors.Is(err, unix.ECONNREFUSED) {
		t.Errorf("Connect to a closed port: %v, want ECONNREFUSED", err)
	}
}

// Stale waker: a read future is polled by task A, then moves to task B.
// The data must wake B, the future's latest poller. The blog's executor
// kept A's waker, so B slept forever (here: until its timeout).
func TestStaleWaker(t *testing.T) {
	testutil.CheckNoFDLeak(t)
	ex := newExecutor(t, Options{})
	got := blockOn(t, ex, async(func(co *future.Co) string {
		c, s, l, err := pair(co, ex)
		if err != nil {
			return err.Error()
		}
		defer l.Close()
		defer c.Close()
		defer s.Close()
		buf := make([]byte, 8)
		rf := s.Read(buf)
		// Task A polls the read once (pending: no data yet) and gives up.
		a := Spawn(ex, future.PollFn(func(cx *future.Context) future.Poll[bool] {
			return future.PollReady(rf.Poll(cx).IsReady())
		}))
		if await(co, a).Value {
			return "read was ready before any data was sent"
		}
		// Task B now waits on the same future.
		b := Spawn(ex, rf)
		await(co, YieldNow())
		await(co, YieldNow()) // B has polled and is waiting
		await(co, c.WriteAll([]byte("wake B")))
		r := await(co, Timeout(ex, 2*time.Second, b))
		if r.Err != nil {
			return "task B was never woken: the read stored another task's waker"
		}
		return string(buf[:r.Value.Value.Value])
	}))
	if got != "wake B" {
		t.Errorf("got %q, want %q", got, "wake B")
	}
}

// Descriptor reuse within one batch: an event is fetched for a socket, the
// socket is closed before the event is handled, and a new socket gets the
// same descriptor number and the same slot. The old event must not reach
// the new owner.
func TestStaleEventAfterFdReuse(t *testing.T) {
	testutil.CheckNoFDLeak(t)
	ex := newExecutor(t, Options{})
	defer ex.Close()
	socketpair := func() (int, int) {
		fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
		if err != nil {
			t.Fatal(err)
		}
		unix.SetNonblock(fds[0], true)
		return fds[0], fds[1]
	}
	a, aPeer := socketpair()
	defer unix.Close(aPeer)
	srcA := &ioSource{}
	if err := ex.register(srcA, a); err != nil {
		t.Fatal(err)
	}
	unix.Write(aPeer, []byte("x")) // make a readable
	if _, err := ex.p.Poll(ex.events, time.Second); err != nil {
		t.Fatal(err)
	}
	batch := ex.events // holds the event for a's token

	// Before the batch is handled: close a, open a new socket.
	oldTok := srcA.tok
	if err := ex.deregister(srcA); err != nil {
		t.Fatal(err)
	}
	unix.Close(a)
	b, bPeer := socketpair()
	defer unix.Close(bPeer)
	defer unix.Close(b)
	if b != a {
		t.Logf("note: the new socket got fd %d, not %d", b, a)
	}
	srcB := &ioSource{}
	if err := ex.register(srcB, b); err != nil {
		t.Fatal(err)
	}
	defer ex.deregister(srcB)
	if uint32(srcB.tok) != uint32(oldTok) || srcB.tok == oldTok {
		t.Fatalf("new token %#x, old %#x: want the same slot, another generation", uint64(srcB.tok), uint64(oldTok))
	}
	var woken atomic.Int32
	srcB.readable = false
	srcB.readWaker = future.WakeFunc(func() { woken.Add(1) })

	for ev := range batch.All() {
		ex.dispatch(ev)
	}
	if n := woken.Load(); n != 0 || srcB.readable {
		t.Errorf("an event for the closed socket reached the new one: woken %d times, readable=%v", n, srcB.readable)
	}
	if got := ex.Stats().StaleEvents; got != 1 {
		t.Errorf("Stats().StaleEvents = %d, want 1", got)
	}
	// The new socket's own events still arrive.
	ex.dispatch(poll.Event{Token: srcB.tok, Readable: true})
	if woken.Load() != 1 {
		t.Errorf("the new socket's own event did not wake it: a token is the slot index (low 32 bits) and its generation (high 32)")
	}
}

// Partial writes: a slow reader makes the socket buffer fill up, so WriteAll
// sees short writes and would-block, waits for writability and goes on.
// Every byte arrives, in order.
func TestWriteAllSlowReader(t *testing.T) {
	testutil.CheckNoFDLeak(t)
	ex := newExecutor(t, Options{})
	data := make([]byte, 16<<20) // more than loopback's socket buffers hold
	for i := range data {
		data[i] = byte(i * 7)
	}
	l, err := ex.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var got []byte
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // the slow reader, an independent client
		defer wg.Done()
		conn, err := net.Dial("tcp", l.Addr().String())
		if err != nil {
			t.Error(err)
			return
		}
		defer conn.Close()
		conn.(*net.TCPConn).SetReadBuffer(64 << 10)
		buf := make([]byte, 256<<10)
		for {
			n, err := conn.Read(buf)
			got = append(got, buf[:n]...)
			if err != nil {
				return
			}
			time.Sleep(time.Millisecond)
		}
	}()
	n := blockOn(t, ex, async(func(co *future.Co) int {
		defer l.Close()
		r := await(co, l.Accept())
		if r.Err != nil {
			t.Error(r.Err)
			return 0
		}
		defer r.Value.Close()
		w := await(co, r.Value.WriteAll(data))
		if w.Err != nil {
			t.Error(w.Err)
		}
		return w.Value
	}))
	wg.Wait()
	if n != len(data) || !bytes.Equal(got, data) {
		t.Errorf("WriteAll wrote %d, reader got %d bytes (equal: %v), want %d", n, len(got), bytes.Equal(got, data), len(data))
	}
	if ex.Stats().WouldBlocks == 0 {
		t.Error("the writer never had to wait: the test did not exercise partial writes")
	}
}

// Fairness between connections: a connection that always has data to read
// does not starve a quiet one. The chatty client sends without pause and the
// chatty handler reads 16 bytes at a time, so under edge triggering it would
// read until would-block, which never comes: without the I/O budget the
// quiet connection would wait forever (here: until the watchdog).
func TestChattyConnectionBesideQuietOne(t *testing.T) {
	testutil.CheckNoFDLeak(t)
	ex := newExecutor(t, Options{IOBudget: 32})
	l, err := ex.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var chattyRead atomic.Int64
	var chattyEnd error
	var wg sync.WaitGroup
	chatty, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer chatty.Close()
	quiet, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer quiet.Close()
	wg.Add(1)
	go func() {
		defer wg.Done()
		chunk := make([]byte, 64<<10)
		for { // until the server closes the connection
			if _, err := chatty.Write(chunk); err != nil {
				return
			}
		}
	}()
	wg.Add(1)
	go func() {
		defer wg.Done()
		for chattyRead.Load() == 0 { // speak once the chatty one is being served
			time.Sleep(time.Millisecond)
		}
		quiet.Write([]byte("hi"))
	}()
	var chattyStalled bool
	var atQuiet int64
	body := async(func(co *future.Co) int64 {
		defer l.Close()
		first := await(co, l.Accept())
		second := await(co, l.Accept())
		if first.Err != nil || second.Err != nil {
			t.Error(first.Err, second.Err)
			return -1
		}
		cs, qs := first.Value, second.Value
		defer qs.Close()
		ch := Spawn(ex, async(func(co *future.Co) error {
			buf := make([]byte, 16)
			for {
				r := await(co, cs.Read(buf))
				if r.Err != nil {
					return r.Err
				}
				chattyRead.Add(int64(r.Value))
			}
		}))
		q := Spawn(ex, async(func(co *future.Co) int64 {
			buf := make([]byte, 2)
			await(co, qs.ReadFull(buf))
			return chattyRead.Load() // how much the chatty one got before us
		}))
		at := await(co, q).Value
		// The chatty task has yielded, maybe many times: it must still be
		// served, 64 KiB more, now that the quiet one is done.
		for deadline := time.Now().Add(5 * time.Second); chattyRead.Load() < at+64<<10; {
			if time.Now().After(deadline) {
				chattyStalled = true
				break
			}
			await(co, ex.Sleep(time.Millisecond))
		}
		cs.Close() // the chatty task is woken and finds its stream closed
		if !chattyStalled {
			chattyEnd = await(co, ch).Value // checked below: after a watchdog failure this goroutine must not touch t
		}
		return at
	})
	testutil.Within(t, 10*time.Second, "serving a quiet connection beside a chatty one (a chatty task that never yields starves it)", func() {
		var err error
		if atQuiet, err = BlockOn(ex, body); err != nil {
			t.Errorf("BlockOn: %v", err)
		}
	})
	if chattyStalled {
		t.Fatal("the chatty task was never polled again after it yielded: spend must wake the task before it says no (its caller returns pending without storing a waker)")
	}
	if !errors.Is(chattyEnd, ErrClosed) {
		t.Errorf("chatty task ended with %v, want ErrClosed", chattyEnd)
	}
	chatty.Close()
	wg.Wait()
	t.Logf("the quiet connection was served after %d chatty bytes, the chatty client still sending", atQuiet)
	if ex.Stats().Yields == 0 {
		t.Error("the I/O budget never made the chatty task yield")
	}
}

// BlockOn closes what it opened and stops what it started: listeners,
// streams, tasks stuck in Accept or Read, the worker pool.
func TestBlockOnLeavesNoFDAndNoGoroutine(t *testing.T) {
	testutil.CheckNoFDLeak(t)
	defer goleak.VerifyNone(t)
	ex := newExecutor(t, Options{})
	blockOn(t, ex, async(func(co *future.Co) int {
		c, s, l, err := pair(co, ex)
		if err != nil {
			t.Error(err)
			return 0
		}
		_ = c
		Spawn(ex, l.Accept())                             // waits forever
		Spawn(ex, s.Read(make([]byte, 8)))                // waits forever
		Spawn(ex, ex.Sleep(time.Hour))                    // a timer
		await(co, ex.ReadFile("doc.go"))                  // starts a worker
		Spawn(ex, SpawnBlocking(ex, func() (int, error) { // a job still running at the end
			time.Sleep(20 * time.Millisecond)
			return 0, nil
		}))
		await(co, YieldNow())
		await(co, YieldNow())
		return 0 // everything above is still open or pending
	}))
}

// TestAdoptListener: a listener made by stage 02 (here with SO_REUSEPORT)
// accepts through the executor, and BlockOn closes it when the caller did
// not (the fd-leak check); a failed adoption leaves it with the caller.
func TestAdoptListener(t *testing.T) {
	testutil.CheckNoFDLeak(t)
	ln, err := tcp.ListenConfig{ReusePort: true}.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ex := newExecutor(t, Options{})
	l, err := ex.AdoptListener(ln)
	if err != nil {
		ln.Close()
		t.Fatal(err)
	}
	if l.Addr() != ln.Addr() {
		t.Errorf("Addr() = %v, want %v", l.Addr(), ln.Addr())
	}
	got := blockOn(t, ex, async(func(co *future.Co) string {
		c := await(co, ex.Connect(l.Addr()))
		if c.Err != nil {
			return c.Err.Error()
		}
		defer c.Value.Close()
		s := await(co, l.Accept())
		if s.Err != nil {
			return s.Err.Error()
		}
		defer s.Value.Close()
		if s.Value.PeerAddr() != c.Value.LocalAddr() {
			return "accepted someone else"
		}
		return "ok" // l stays open: BlockOn closes it
	}))
	if got != "ok" {
		t.Errorf("accept through an adopted listener: %s", got)
	}

	// Adopting into a closed executor fails and closes nothing.
	ln2, err := tcp.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ex.AdoptListener(ln2); err == nil {
		t.Errorf("AdoptListener on a closed executor = nil error, want one")
	}
	if err := ln2.Close(); err != nil {
		t.Errorf("the caller's Close after a failed adoption = %v, want nil (still open)", err)
	}
}

// Accept's error classes, with errors injected in front of the real accept
// call: EINTR and ECONNABORTED are retried at once (the connection behind
// them is accepted in the same poll), any other error is returned to the
// caller, and the listener keeps working after it.
func TestAcceptClassifiesErrors(t *testing.T) {
	testutil.CheckNoFDLeak(t)
	var inject []error // errors to return before the real accept, in order
	var calls int
	acceptConn = func(ln *tcp.Listener) (*tcp.Stream, netip.AddrPort, error) {
		calls++
		if len(inject) > 0 {
			err := inject[0]
			inject = inject[1:]
			return nil, netip.AddrPort{}, err
		}
		return ln.Accept()
	}
	defer func() { acceptConn = (*tcp.Listener).Accept }()

	ex := newExecutor(t, Options{})
	got := blockOn(t, ex, async(func(co *future.Co) string {
		l, err := ex.Listen("127.0.0.1:0")
		if err != nil {
			return err.Error()
		}
		defer l.Close()
		// acceptOne connects a client, waits until its connection is in the
		// backlog, then makes one PollAccept with the given errors injected.
		acceptOne := func(errs ...error) (*Stream, error) {
			c := await(co, ex.Connect(l.Addr()))
			if c.Err != nil {
				return nil, c.Err
			}
			defer c.Value.Close()
			calls, inject = 0, errs
			var s *Stream
			err := await(co, future.PollFn(func(cx *future.Context) future.Poll[error] {
				var err error
				s, err = l.PollAccept(cx)
				if err == ErrPending {
					return future.Pending[error]()
				}
				return future.PollReady(err)
			}))
			return s, err
		}
		var out []string
		s, err := acceptOne(unix.EINTR, unix.ECONNABORTED, unix.EINTR)
		out = append(out, fmt.Sprintf("retried: stream=%v err=%v calls=%d", s != nil, err, calls))
		if s != nil {
			s.Close()
		}
		s, err = acceptOne(unix.EPERM)
		out = append(out, fmt.Sprintf("returned: stream=%v EPERM=%v calls=%d", s != nil, errors.Is(err, unix.EPERM), calls))
		s, err = acceptOne() // the connection left in the backlog by EPERM's call
		out = append(out, fmt.Sprintf("after: stream=%v err=%v", s != nil, err))
		if s != nil {
			s.Close()
		}
		return strings.Join(out, "\n")
	}))
	want := strings.Join([]string{
		"retried: stream=true err=<nil> calls=4",
		"returned: stream=false EPERM=true calls=1",
		"after: stream=true err=<nil>",
	}, "\n")
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("accept outcomes (-want +got):\n%s", diff)
	}
}

// Use after Close: a task waiting in Read or Accept is woken with
// ErrClosed, a second Close returns ErrClosed (and touches no descriptor),
// and every operation on a closed Stream or Listener returns ErrClosed.
func TestCloseWakesWaitersAndRefusesUse(t *testing.T) {
	testutil.CheckNoFDLeak(t)
	ex := newExecutor(t, Options{})
	got := blockOn(t, ex, async(func(co *future.Co) []string {
		c, s, l, err := pair(co, ex)
		if err != nil {
			return []string{err.Error()}
		}
		defer c.Close()
		reader := Spawn(ex, s.Read(make([]byte, 8)))
		accepter := Spawn(ex, l.Accept())
		await(co, YieldNow()) // both have polled and wait
		await(co, YieldNow())
		is := func(err error) string { return fmt.Sprint(errors.Is(err, ErrClosed)) }
		out := []string{
			"close stream: " + errString(s.Close()),
			"close listener: " + errString(l.Close()),
			"waiting read: " + is(await(co, reader).Value.Err),
			"waiting accept: " + is(await(co, accepter).Value.Err),
			"second close: " + is(s.Close()) + " " + is(l.Close()),
			"read: " + is(await(co, s.Read(make([]byte, 1))).Err),
			"write: " + is(await(co, s.WriteAll([]byte("x"))).Err),
			"shutdown: " + is(s.Shutdown(tcp.ShutWrite)),
			"accept: " + is(await(co, l.Accept()).Err),
		}
		return out
	}))
	want := []string{
		"close stream: <nil>", "close listener: <nil>",
		"waiting read: true", "waiting accept: true",
		"second close: true true",
		"read: true", "write: true", "shutdown: true", "accept: true",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
