package lab

// The chapter's cancel-safety table, one test per row: each drops a future
// halfway (a Timeout that fires first) and checks what was lost.
//
//	go test -run TestCancelSafety -v ./07-async-chat/lab

import (
	"errors"
	"io"
	"net"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/async-from-scratch/course/02-mio-like-poll/tcp"
	"github.com/async-from-scratch/course/04-futures/future"
	"github.com/async-from-scratch/course/05-executor/executor"
	"github.com/async-from-scratch/course/07-async-chat/channel"
	"github.com/async-from-scratch/course/07-async-chat/tasks"
)

const soon = 20 * time.Millisecond

// timedOut fails the test unless the future was dropped by its Timeout.
func timedOut[T any](t *testing.T, r executor.Result[T]) {
	t.Helper()
	if !errors.Is(r.Err, executor.ErrTimeout) {
		t.Fatalf("the Timeout did not fire (%v); the future was not dropped halfway", r.Err)
	}
}

func TestCancelSafetyRead(t *testing.T) {
	got := withConn(t, func(co *future.Co, ex *executor.Executor, st *executor.Stream, peer net.Conn) string {
		buf := make([]byte, 16)
		timedOut(t, future.Await(co, executor.Timeout(ex, soon, st.Read(buf)))) // waiting for data: dropped
		peer.Write([]byte("abc"))
		n, _ := future.Await(co, st.Read(buf)).Get()
		return string(buf[:n])
	})
	if got != "abc" {
		t.Errorf("safe: a Read dropped while waiting takes nothing; the next Read got %q, want abc", got)
	}
}

func TestCancelSafetyReadFull(t *testing.T) {
	got := withConn(t, func(co *future.Co, ex *executor.Executor, st *executor.Stream, peer net.Conn) string {
		peer.Write([]byte("abc"))
		buf := make([]byte, 6)
		timedOut(t, future.Await(co, executor.Timeout(ex, soon, st.ReadFull(buf)))) // took "abc", waits for 3 more
		peer.Write([]byte("def"))
		n, _ := future.Await(co, st.ReadFull(buf[:3])).Get()
		return string(buf[:n])
	})
	if got != "def" {
		t.Errorf("NOT safe: a ReadFull dropped halfway loses what it read; the next read got %q, want def (abc lost)", got)
	}
}

// fill writes into st until the socket's buffers are full (a Write that
// stays pending), and returns how many bytes the completed writes wrote.
func fill(co *future.Co, ex *executor.Executor, st *executor.Stream) (written int, dropped bool) {
	chunk := make([]byte, 64<<10)
	for {
		r := future.Await(co, executor.Timeout(ex, soon, st.Write(chunk)))
		if errors.Is(r.Err, executor.ErrTimeout) {
			return written, true // this Write was pending: dropped
		}
		written += r.Value.Value
	}
}

// drain reads everything the peer has until EOF.
func drain(peer net.Conn) int {
	peer.SetReadDeadline(time.Now().Add(10 * time.Second))
	n, _ := io.Copy(io.Discard, peer)
	return int(n)
}

func TestCancelSafetyWrite(t *testing.T) {
	var written, received int
	withConn(t, func(co *future.Co, ex *executor.Executor, st *executor.Stream, peer net.Conn) struct{} {
		var dropped bool
		written, dropped = fill(co, ex, st)
		if !dropped {
			t.Fatal("no Write was left pending")
		}
		done := make(chan int)
		go func() { done <- drain(peer) }()
		st.Shutdown(tcp.ShutWrite) // the peer reads EOF after the data
		for received == 0 {
			select {
			case received = <-done:
			default:
				future.Await(co, ex.Sleep(time.Millisecond)) // let the loop run while the peer drains
			}
		}
		return struct{}{}
	})
	if received != written {
		t.Errorf("safe: a dropped Write wrote nothing; the peer received %d bytes, the completed Writes reported %d", received, written)
	}
}

func TestCancelSafetyWriteAll(t *testing.T) {
	const size = 64 << 20
	var received int
	withConn(t, func(co *future.Co, ex *executor.Executor, st *executor.Stream, peer net.Conn) struct{} {
		timedOut(t, future.Await(co, executor.Timeout(ex, 50*time.Millisecond, st.WriteAll(make([]byte, size)))))
		st.Close()
		received = drain(peer)
		return struct{}{}
	})
	if received == 0 || received >= size {
		t.Fatalf("the peer received %d of %d bytes; the scenario needs a WriteAll dropped halfway", received, size)
	}
	t.Logf("NOT safe: a WriteAll dropped halfway had written %d of %d bytes, a count that was lost with it", received, size)
}

func TestCancelSafetyAccept(t *testing.T) {
	ex, err := executor.New(executor.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := ex.Listen("127.0.0.1:0")
	if err != nil {
		ex.Close()
		t.Fatal(err)
	}
	accepted, err := executor.BlockOn(ex, future.Async(func(co *future.Co) bool {
		timedOut(t, future.Await(co, executor.Timeout(ex, soon, ln.Accept())))
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Error(err)
			return false
		}
		defer c.Close()
		r := future.Await(co, executor.Timeout(ex, 10*time.Second, ln.Accept()))
		return r.Err == nil && r.Value.Err == nil
	}))
	if err != nil || !accepted {
		t.Errorf("safe: after a dropped Accept the next one must get the connection; got %v, %v", accepted, err)
	}
}

func onExecutor[T any](t *testing.T, body func(co *future.Co, ex *executor.Executor) T) T {
	t.Helper()
	ex, err := executor.New(executor.Options{})
	if err != nil {
		t.Fatal(err)
	}
	v, err := executor.BlockOn(ex, future.Async(func(co *future.Co) T { return body(co, ex) }))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestCancelSafetyRecv(t *testing.T) {
	got := onExecutor(t, func(co *future.Co, ex *executor.Executor) int {
		ch := channel.New[int](1)
		timedOut(t, future.Await(co, executor.Timeout(ex, soon, ch.Recv())))
		ch.TrySend(7)
		v, _ := future.Await(co, ch.Recv()).Get()
		return v
	})
	if got != 7 {
		t.Errorf("safe: a dropped Recv takes nothing; got %d, want 7", got)
	}
}

func TestCancelSafetySend(t *testing.T) {
	got := onExecutor(t, func(co *future.Co, ex *executor.Executor) []int {
		ch := channel.New[int](1)
		ch.TrySend(1)
		timedOut(t, future.Await(co, executor.Timeout(ex, soon, ch.Send(2)))) // full: dropped
		var got []int
		for {
			v, err := ch.TryRecv()
			if err != nil {
				return got
			}
			got = append(got, v)
		}
	})
	if len(got) != 1 || got[0] != 1 {
		t.Errorf("safe (the caller keeps the value; only its place in line is lost): a dropped Send sent nothing; the channel held %v, want [1]", got)
	}
	if order := sendAgainAfterADrop(t); order != [3]int{1, 3, 2} {
		t.Errorf("a Send of 2, dropped while first in line and made again, was received in the order %v, want [1 3 2]: the Send of 3 that queued behind it must now go first", order)
	}
}

// sendAgainAfterADrop queues Send(2), then Send(3), on a full channel,
// drops the first and sends 2 again, polling by hand: the order in which
// the values arrive shows that the dropped Send lost its place in line.
func sendAgainAfterADrop(t *testing.T) [3]int {
	return onExecutor(t, func(co *future.Co, ex *executor.Executor) [3]int {
		ch := channel.New[int](1)
		ch.TrySend(1)
		cx := future.NewContext(future.Noop())
		two, three := ch.Send(2), ch.Send(3)
		if two.Poll(cx).IsReady() || three.Poll(cx).IsReady() {
			t.Fatal("a Send into a full channel was ready")
		}
		future.Drop(two)
		two = ch.Send(2)
		pending := []future.Future[error]{two, three}
		var order [3]int
		for i := range order {
			pending = slices.DeleteFunc(pending, func(s future.Future[error]) bool {
				return s.Poll(cx).IsReady() // the head fills the slot a receive granted it
			})
			r, err := ch.TryRecv()
			if err != nil {
				t.Fatalf("value %d: %v: the slot a receive freed went to nobody (was the dropped Send left in line?)", i, err)
			}
			order[i] = r
		}
		return order
	})
}

func TestCancelSafetySleep(t *testing.T) {
	const d = 50 * time.Millisecond
	var first, again time.Duration
	onExecutor(t, func(co *future.Co, ex *executor.Executor) struct{} {
		start := time.Now()
		timedOut(t, future.Await(co, executor.Timeout(ex, soon, ex.Sleep(d)))) // waited soon, dropped
		restart := time.Now()
		future.Await(co, ex.Sleep(d))
		first, again = time.Since(start), time.Since(restart)
		return struct{}{}
	})
	// Only lower bounds: timers never fire early, however loaded the
	// machine. The time the dropped Sleep had waited was not credited.
	if again < d || first < d+soon {
		t.Errorf("a Sleep(%v) re-made after a drop fired %v after it was made and %v after the first one; want at least %v and %v: nothing carries over", d, again, first, d, d+soon)
	}
}

func TestCancelSafetyJoinHandle(t *testing.T) {
	got := onExecutor(t, func(co *future.Co, ex *executor.Executor) string {
		var release executor.Notify
		h := executor.Spawn(ex, future.Async(func(co *future.Co) string {
			future.Await(co, future.Future[struct{}](&release))
			return "result"
		}))
		timedOut(t, future.Await(co, executor.Timeout(ex, soon, future.Future[executor.Result[string]](h))))
		release.Notify()
		return future.Await(co, h).Value // the task ran on; the handle still has its result
	})
	if got != "result" {
		t.Errorf("safe: awaiting a JoinHandle again after a dropped await got %q, want result", got)
	}
}

func TestCancelSafetyNotify(t *testing.T) {
	ok := onExecutor(t, func(co *future.Co, ex *executor.Executor) bool {
		var n executor.Notify
		timedOut(t, future.Await(co, executor.Timeout(ex, soon, future.Future[struct{}](&n))))
		n.Notify()
		return future.Await(co, executor.Timeout(ex, 10*time.Second, future.Future[struct{}](&n))).Err == nil
	})
	if !ok {
		t.Error("safe: a Notify awaited after a dropped await must be ready once notified")
	}
}

func TestCancelSafetyGroupNext(t *testing.T) {
	got := onExecutor(t, func(co *future.Co, ex *executor.Executor) error {
		var release executor.Notify
		g := tasks.NewGroup(ex)
		g.Spawn(future.Async(func(co *future.Co) error {
			future.Await(co, future.Future[struct{}](&release))
			return errors.New("the result")
		}))
		timedOut(t, future.Await(co, executor.Timeout(ex, soon, g.Next())))
		release.Notify()
		return future.Await(co, g.Next()).Err
	})
	if got == nil || got.Error() != "the result" {
		t.Errorf("safe: a dropped Next takes nothing from the group; the next Next got %v", got)
	}
}

func TestCancelSafetySpawnBlocking(t *testing.T) {
	var ran atomic.Int32
	onExecutor(t, func(co *future.Co, ex *executor.Executor) struct{} {
		release := make(chan struct{})
		var started atomic.Bool
		work := executor.SpawnBlocking(ex, func() (int, error) {
			started.Store(true)
			<-release // until the future was dropped
			ran.Add(1)
			return 42, nil
		})
		for !started.Load() { // poll it (borrowed) until a worker runs it
			future.Await(co, future.Select(future.PollFn(work.Poll), ex.Sleep(time.Millisecond)))
		}
		timedOut(t, future.Await(co, executor.Timeout(ex, soon, work)))
		close(release)
		return struct{}{}
	}) // BlockOn waits for the running function
	if ran.Load() != 1 {
		t.Fatalf("the blocking function ran %d times, want 1", ran.Load())
	}
	t.Log("NOT safe: the function ran to its end, and its result (42) was lost with the future")
}

// holders are the futures that hold another one: Select, Timeout and Async.
// Each wraps the future it is given (Map only turns the result into a
// struct{}: it passes Drop through).
var holders = []struct {
	name string
	hold func(ex *executor.Executor, fut future.Future[executor.Result[int]]) future.Future[struct{}]
}{
	{"Select", func(_ *executor.Executor, fut future.Future[executor.Result[int]]) future.Future[struct{}] {
		return future.Map(tasks.Select(fut), func(tasks.Selected[executor.Result[int]]) struct{} { return struct{}{} })
	}},
	{"Timeout", func(ex *executor.Executor, fut future.Future[executor.Result[int]]) future.Future[struct{}] {
		return future.Map(executor.Timeout(ex, time.Hour, fut), func(executor.Result[executor.Result[int]]) struct{} { return struct{}{} })
	}},
	{"Async", func(_ *executor.Executor, fut future.Future[executor.Result[int]]) future.Future[struct{}] {
		return future.Async(func(co *future.Co) struct{} { future.Await(co, fut); return struct{}{} })
	}},
}

// A holder dropped halfway loses what the future it holds loses: nothing
// with a waiting Read in it, the bytes already read with a ReadFull.
func TestCancelSafetySelectTimeoutAsync(t *testing.T) {
	for _, h := range holders {
		t.Run(h.name, func(t *testing.T) {
			got := withConn(t, func(co *future.Co, ex *executor.Executor, st *executor.Stream, peer net.Conn) [2]string {
				buf := make([]byte, 16)
				timedOut(t, future.Await(co, executor.Timeout(ex, soon, h.hold(ex, st.Read(buf)))))
				peer.Write([]byte("abc"))
				n, _ := future.Await(co, st.Read(buf)).Get()
				afterRead := string(buf[:n])

				peer.Write([]byte("def"))
				full := make([]byte, 6)
				timedOut(t, future.Await(co, executor.Timeout(ex, soon, h.hold(ex, st.ReadFull(full))))) // took "def"
				peer.Write([]byte("ghi"))
				n, _ = future.Await(co, st.ReadFull(full[:3])).Get()
				return [2]string{afterRead, string(full[:n])}
			})
			if got[0] != "abc" {
				t.Errorf("safe: a %s dropped while it held a waiting Read loses nothing; the next Read got %q, want abc", h.name, got[0])
			}
			if got[1] != "ghi" {
				t.Errorf("NOT safe: a %s dropped while it held a ReadFull halfway loses what the ReadFull read; the next read got %q, want ghi (def lost)", h.name, got[1])
			}
		})
	}
}

type countingWaker struct{ n int }

func (w *countingWaker) Wake() { w.n++ }

// Safe only if the holder drops what it holds: a Recv that was woken and
// then dropped (inside its holder) must pass its wake on, or the other
// receiver sleeps while the value waits in the channel. Polled by hand,
// so that the test sees each wake.
func TestCancelSafetySelectTimeoutAsyncPassTheWakeOn(t *testing.T) {
	for _, h := range holders {
		t.Run(h.name, func(t *testing.T) {
			got := onExecutor(t, func(co *future.Co, ex *executor.Executor) executor.Result[int] {
				ch := channel.New[int](1)
				var heldWaker, otherWaker countingWaker
				held, other := h.hold(ex, ch.Recv()), ch.Recv()
				heldCx, otherCx := future.NewContext(&heldWaker), future.NewContext(&otherWaker)
				if held.Poll(heldCx).IsReady() || other.Poll(otherCx).IsReady() {
					t.Fatal("a Recv on an empty channel was ready")
				}
				ch.TrySend(7)
				if heldWaker.n != 1 || otherWaker.n != 0 {
					t.Fatalf("the send woke the held Recv %d times and the other %d times, want 1 and 0 (the held one was first in line)", heldWaker.n, otherWaker.n)
				}
				future.Drop(held) // dropped halfway: woken, never polled again
				if otherWaker.n != 1 {
					t.Fatalf("lost wakeup: dropping the %s did not drop the Recv it held, so its wake was not passed on; the other receiver sleeps with 7 in the channel", h.name)
				}
				p := other.Poll(otherCx)
				if !p.IsReady() {
					t.Fatal("the other receiver was woken but found nothing")
				}
				return p.Value()
			})
			if v, err := got.Get(); err != nil || v != 7 {
				t.Errorf("the other receiver got %v, %v; want 7: nothing is lost when the holder drops a Recv", v, err)
			}
		})
	}
}

// An Async is also a future that keeps progress across steps: its locals.
// Dropped while parked on a Read (safe), it loses what it had read before.
func TestCancelSafetyAsyncLocals(t *testing.T) {
	got := withConn(t, func(co *future.Co, ex *executor.Executor, st *executor.Stream, peer net.Conn) string {
		peer.Write([]byte("abc"))
		body := future.Async(func(co *future.Co) string {
			first := make([]byte, 3)
			future.Await(co, st.ReadFull(first)) // "abc", kept in a local
			rest := make([]byte, 16)
			n, _ := future.Await(co, st.Read(rest)).Get() // parked here, on a safe Read
			return string(first) + string(rest[:n])
		})
		timedOut(t, future.Await(co, executor.Timeout(ex, soon, body)))
		peer.Write([]byte("def"))
		buf := make([]byte, 16)
		n, _ := future.Await(co, st.Read(buf)).Get()
		return string(buf[:n])
	})
	if got != "def" {
		t.Errorf("NOT safe: an Async dropped while parked on a safe Read loses its locals; the next Read got %q, want def (abc lost with the local)", got)
	}
}
