package lab

// The chapter's cancel-safety table, one test per row: each drops a future
// halfway (a Timeout that fires first) and checks what was lost.
//
//	go test -run TestCancelSafety -v ./07-async-chat/lab

import (
	"errors"
	"io"
	"net"
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
