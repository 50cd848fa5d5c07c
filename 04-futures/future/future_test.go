package future

import (
	"strings"
	"testing"
)

func TestPoll(t *testing.T) {
	var zero Poll[int]
	if zero.IsReady() || zero.Value() != 0 || zero.String() != "Pending" {
		t.Errorf("zero Poll = %v (ready %v), want Pending", zero, zero.IsReady())
	}
	if p := Pending[string](); p.IsReady() || p.String() != "Pending" {
		t.Errorf("Pending() = %v, want Pending", p)
	}
	p := PollReady(42)
	if !p.IsReady() || p.Value() != 42 || p.String() != "Ready(42)" {
		t.Errorf("PollReady(42) = %v, want Ready(42)", p)
	}
}

func TestNewContextRejectsNilWaker(t *testing.T) {
	r := mustPanic(t, "NewContext(nil)", func() { NewContext(nil) })
	if s, _ := r.(string); !strings.Contains(s, "nil Waker") {
		t.Errorf("NewContext(nil) panicked with %v, want a message about a nil Waker", r)
	}
}

func TestWakersCompareByIdentity(t *testing.T) {
	f := func() {}
	a, b := WakeFunc(f), WakeFunc(f)
	if a == b {
		t.Error("two WakeFunc wakers compare equal; want distinct")
	}
	if c := a; c != a || Noop() != Noop() {
		t.Error("a waker does not equal itself")
	}
	cx := NewContext(a)
	if cx.Waker() != a {
		t.Error("cx.Waker() is not the waker passed to NewContext")
	}
}

func TestDropCallsDropperOnly(t *testing.T) {
	g := newGate(1)
	Drop(g)
	if !g.dropped {
		t.Error("Drop(g) did not call g.Drop")
	}
	Drop(Ready(1)) // not a Dropper: nothing happens
	Drop(nil)
}

func TestReady(t *testing.T) {
	cx := NewContext(Noop())
	f := Ready("hi")
	if got := f.Poll(cx); got != PollReady("hi") {
		t.Errorf("Ready(hi).Poll = %v, want Ready(hi)", got)
	}
	mustPanic(t, "second Poll of Ready", func() { f.Poll(cx) })
}

func TestPollFn(t *testing.T) {
	w := &countWaker{}
	cx := NewContext(w)
	n := 0
	f := PollFn(func(cx *Context) Poll[int] {
		n++
		if n < 3 {
			cx.Waker().Wake() // like Tokio's yield_now: poll me again at once
			return Pending[int]()
		}
		return PollReady(n)
	})
	var got Poll[int]
	polls := 0
	for !got.IsReady() {
		got = f.Poll(cx)
		polls++
	}
	if got.Value() != 3 || polls != 3 || w.count() != 2 {
		t.Errorf("PollFn: value %d after %d polls and %d wakes, want 3 after 3 polls and 2 wakes", got.Value(), polls, w.count())
	}
}

func TestMap(t *testing.T) {
	cx := NewContext(Noop())
	g := newGate(20)
	f := Map(g, func(v int) string { return strings.Repeat("x", v/10) })
	if got := f.Poll(cx); got.IsReady() {
		t.Fatalf("Map(pending).Poll = %v, want Pending", got)
	}
	g.open()
	if got := f.Poll(cx); got != PollReady("xx") {
		t.Fatalf("Map.Poll = %v, want Ready(xx)", got)
	}
	mustPanic(t, "Poll after completion", func() { f.Poll(cx) })
	Drop(f) // finished: must not drop the inner future
	if g.dropped {
		t.Error("dropping a finished Map dropped its inner future")
	}

	g2 := newGate(1)
	f2 := Map(g2, func(v int) int { return v })
	f2.Poll(cx)
	Drop(f2)
	if !g2.dropped {
		t.Error("dropping an unfinished Map did not drop its inner future")
	}
}

func TestJoin(t *testing.T) {
	w := &countWaker{}
	cx := NewContext(w)
	a, b := newGate(1), newGate(2)
	f := Join[int, int](a, b)
	if got := f.Poll(cx); got.IsReady() {
		t.Fatalf("Join.Poll with both pending = %v, want Pending", got)
	}
	b.open()
	if w.count() != 1 {
		t.Errorf("opening b woke %d times, want 1 (both sides store the waker)", w.count())
	}
	if got := f.Poll(cx); got.IsReady() {
		t.Fatalf("Join.Poll with a pending = %v, want Pending", got)
	}
	a.open()
	got := f.Poll(cx)
	if want := PollReady(Pair[int, int]{1, 2}); got != want {
		t.Fatalf("Join.Poll = %v, want %v", got, want)
	}
	if got.Value().String() != "(1, 2)" {
		t.Errorf("Pair.String() = %q, want (1, 2)", got.Value().String())
	}
	if b.polls != 2 {
		t.Errorf("b polled %d times, want 2 (never again after it was ready)", b.polls)
	}
}

func TestJoinDropDropsUnfinishedSides(t *testing.T) {
	cx := NewContext(Noop())
	a, b := newGate(1), newGate(2)
	f := Join[int, int](a, b)
	a.open()
	f.Poll(cx)
	Drop(f)
	if a.dropped || !b.dropped {
		t.Errorf("after Drop: a dropped %v, b dropped %v; want only the unfinished b dropped", a.dropped, b.dropped)
	}
}
