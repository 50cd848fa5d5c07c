package channel

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/async-from-scratch/course/04-futures/future"
	"github.com/async-from-scratch/course/05-executor/executor"
)

func TestTrySendTryRecvKeepOrderAndBounds(t *testing.T) {
	ch := New[int](3)
	for i := range 3 {
		if err := ch.TrySend(i); err != nil {
			t.Fatalf("TrySend(%d) = %v", i, err)
		}
	}
	if err := ch.TrySend(3); !errors.Is(err, ErrFull) {
		t.Fatalf("TrySend on a full channel = %v, want ErrFull", err)
	}
	if got := ch.Len(); got != 3 {
		t.Errorf("Len() = %d, want 3", got)
	}
	for i := range 3 {
		if v, err := ch.TryRecv(); v != i || err != nil {
			t.Fatalf("TryRecv() = %d, %v, want %d, nil", v, err, i)
		}
	}
	if _, err := ch.TryRecv(); !errors.Is(err, ErrEmpty) {
		t.Fatalf("TryRecv on an empty channel = %v, want ErrEmpty", err)
	}
}

func TestNewRejectsCapacityZero(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("New(0) did not panic")
		}
	}()
	New[int](0)
}

func TestRecvWaitsAndTheSendWakesIt(t *testing.T) {
	ch := New[string](1)
	cx, wk := newCx()
	var w Waiter
	_, err := ch.PollRecv(cx, &w)
	pending(t, "PollRecv on an empty channel", err)
	if err := ch.TrySend("hi"); err != nil {
		t.Fatal(err)
	}
	if wk.wakes() != 1 {
		t.Fatalf("the waiting receiver was woken %d times by one send, want 1", wk.wakes())
	}
	if v, err := ch.PollRecv(cx, &w); v != "hi" || err != nil {
		t.Fatalf("PollRecv after the wake = %q, %v, want hi, nil", v, err)
	}
}

// The waker of the latest pending poll is the one woken (pitfall 1 of the
// course, stale wakers): a future polled by a new Select, or moved to
// another task, must not wake its old driver.
func TestOnlyTheLatestWakerIsWoken(t *testing.T) {
	for _, side := range []string{"receiver", "sender"} {
		t.Run(side, func(t *testing.T) {
			ch := New[int](1)
			old, oldW := newCx()
			latest, latestW := newCx()
			var w Waiter
			poll := func(cx *future.Context) error {
				if side == "receiver" {
					_, err := ch.PollRecv(cx, &w)
					return err
				}
				return ch.PollSend(cx, &w, 2)
			}
			if side == "sender" {
				ch.TrySend(1) // full
			}
			pending(t, "first poll", poll(old))
			pending(t, "second poll", poll(latest))
			if side == "receiver" {
				ch.TrySend(1)
			} else {
				ch.TryRecv()
			}
			if oldW.wakes() != 0 || latestW.wakes() != 1 {
				t.Fatalf("wakes: first poll's waker %d, latest %d; want 0 and 1 (a stale waker was kept)", oldW.wakes(), latestW.wakes())
			}
		})
	}
}

func TestSendersAreServedInOrder(t *testing.T) {
	ch := New[string](1)
	ch.TrySend("first")
	names := []string{"A", "B", "C"}
	wakers := make([]*countWaker, 3)
	waiters := make([]Waiter, 3)
	cxs := make([]*future.Context, 3)
	for i, name := range names {
		cxs[i], wakers[i] = newCx()
		pending(t, "PollSend("+name+") on a full channel", ch.PollSend(cxs[i], &waiters[i], name))
	}
	// No barging: a slot freed for A is A's, even if someone else tries.
	var got []string
	for i, name := range names {
		v, err := ch.TryRecv()
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, v)
		for j := range names {
			want := 0
			if j == i {
				want = 1
			}
			if n := wakers[j].reset(); n != want {
				t.Fatalf("after receive %d: sender %s woken %d times, want %d (FIFO: the head sender gets the slot)", i, names[j], n, want)
			}
		}
		if err := ch.TrySend("barging"); !errors.Is(err, ErrFull) {
			t.Fatalf("TrySend while %s holds the freed slot = %v, want ErrFull", name, err)
		}
		if err := ch.PollSend(cxs[i], &waiters[i], name); err != nil {
			t.Fatalf("PollSend(%s) after its wake = %v, want nil", name, err)
		}
	}
	v, _ := ch.TryRecv()
	got = append(got, v)
	if fmt.Sprint(got) != "[first A B C]" {
		t.Errorf("received %v, want [first A B C]", got)
	}
}

func TestCloseDrainsThenReportsClosed(t *testing.T) {
	ch := New[int](2)
	ch.TrySend(1)
	ch.TrySend(2)
	cx, _ := newCx()
	var sw Waiter
	pending(t, "PollSend on a full channel", ch.PollSend(cx, &sw, 3))
	if err := ch.Close(); err != nil {
		t.Fatal(err)
	}
	if err := ch.Close(); !errors.Is(err, ErrClosed) {
		t.Errorf("second Close = %v, want ErrClosed", err)
	}
	if err := ch.PollSend(cx, &sw, 3); !errors.Is(err, ErrClosed) {
		t.Errorf("waiting sender after Close = %v, want ErrClosed", err)
	}
	if err := ch.TrySend(4); !errors.Is(err, ErrClosed) {
		t.Errorf("TrySend after Close = %v, want ErrClosed", err)
	}
	for want := 1; want <= 2; want++ {
		if v, err := ch.TryRecv(); v != want || err != nil {
			t.Fatalf("TryRecv after Close = %d, %v, want %d, nil (receivers drain first)", v, err, want)
		}
	}
	var rw Waiter
	if _, err := ch.PollRecv(cx, &rw); !errors.Is(err, ErrClosed) {
		t.Errorf("PollRecv on a closed, drained channel = %v, want ErrClosed", err)
	}
}

func TestCloseWakesEveryWaiter(t *testing.T) {
	empty, full := New[int](1), New[int](1)
	full.TrySend(0)
	var wakers []*countWaker
	for range 3 {
		cx, wk := newCx()
		pending(t, "PollRecv", func() error { _, err := empty.PollRecv(cx, new(Waiter)); return err }())
		wakers = append(wakers, wk)
		cx, wk = newCx()
		pending(t, "PollSend", full.PollSend(cx, new(Waiter), 1))
		wakers = append(wakers, wk)
	}
	empty.Close()
	full.Close()
	for i, wk := range wakers {
		if wk.wakes() != 1 {
			t.Errorf("waiter %d woken %d times by Close, want 1", i, wk.wakes())
		}
	}
}

// A sender holding a reserved slot when the channel closes gets ErrClosed,
// and the slot is not leaked: receivers still drain exactly what was sent.
func TestCloseWithAReservedSlot(t *testing.T) {
	ch := New[int](1)
	ch.TrySend(1)
	cx, _ := newCx()
	var w Waiter
	pending(t, "PollSend", ch.PollSend(cx, &w, 2))
	ch.TryRecv() // grants the slot to w
	ch.Close()
	if err := ch.PollSend(cx, &w, 2); !errors.Is(err, ErrClosed) {
		t.Fatalf("PollSend with a reserved slot after Close = %v, want ErrClosed", err)
	}
	if ch.reserved != 0 {
		t.Errorf("reserved = %d after the sender gave up, want 0", ch.reserved)
	}
}

// Tasks and goroutines at once: eight workers send with SendWait into a
// channel read by a task on the loop; every message arrives once, in order
// per sender.
func TestWorkersSendIntoTheLoop(t *testing.T) {
	const workers, each = 8, 2000
	ch := New[[2]int](16)
	var wg sync.WaitGroup
	for id := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				if err := ch.SendWait([2]int{id, i}); err != nil {
					t.Errorf("SendWait: %v", err)
					return
				}
			}
		}()
	}
	go func() { wg.Wait(); ch.Close() }()
	next := make([]int, workers)
	got := blockOn(t, future.Async(func(co *future.Co) int {
		n := 0
		for {
			m, err := future.Await(co, ch.Recv()).Get()
			if err != nil {
				return n
			}
			if m[1] != next[m[0]] {
				t.Errorf("from worker %d: got message %d, want %d (order per sender)", m[0], m[1], next[m[0]])
			}
			next[m[0]] = m[1] + 1
			n++
		}
	}))
	if got != workers*each {
		t.Errorf("received %d messages, want %d", got, workers*each)
	}
}

// Many producer and consumer tasks on one executor, with small capacity so
// they wait all the time: every value is received exactly once.
func TestTasksManyToMany(t *testing.T) {
	const producers, consumers, each = 10, 5, 500
	ex, err := executor.New(executor.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ch := New[int](2)
	seen := make([]int, producers*each)
	var handles []*executor.JoinHandle[struct{}]
	for p := range producers {
		handles = append(handles, executor.Spawn(ex, future.Async(func(co *future.Co) struct{} {
			for i := range each {
				if err := future.Await(co, ch.Send(p*each+i)); err != nil {
					t.Errorf("Send: %v", err)
				}
				if i%7 == 0 {
					future.Await(co, executor.YieldNow())
				}
			}
			return struct{}{}
		})))
	}
	for range consumers {
		handles = append(handles, executor.Spawn(ex, future.Async(func(co *future.Co) struct{} {
			for {
				v, err := future.Await(co, ch.Recv()).Get()
				if err != nil {
					return struct{}{}
				}
				seen[v]++
			}
		})))
	}
	blockOnEx(t, ex, future.Async(func(co *future.Co) struct{} {
		for _, h := range handles[:producers] {
			future.Await(co, h)
		}
		ch.Close()
		for _, h := range handles[producers:] {
			future.Await(co, h)
		}
		return struct{}{}
	}))
	for v, n := range seen {
		if n != 1 {
			t.Fatalf("value %d received %d times, want exactly once", v, n)
		}
	}
}
