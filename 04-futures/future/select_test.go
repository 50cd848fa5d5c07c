package future

import "testing"

func TestSelectReturnsFirstReady(t *testing.T) {
	cx := NewContext(Noop())
	a, b := newGate(1), newGate(2)
	f := Select[int, int](a, b)
	if got := f.Poll(cx); got.IsReady() {
		t.Fatalf("Select.Poll with both pending = %v, want Pending", got)
	}
	b.open()
	got := f.Poll(cx)
	if want := PollReady(Either[int, int]{Right: 2}); got != want {
		t.Fatalf("Select.Poll = %v, want %v", got, want)
	}
	mustPanic(t, "Poll after completion", func() { f.Poll(cx) })
}

func TestSelectFirstWinsATie(t *testing.T) {
	cx := NewContext(Noop())
	got := Select(Ready("a"), Ready(2)).Poll(cx)
	if !got.IsReady() || !got.Value().IsLeft || got.Value().String() != "Left(a)" {
		t.Errorf("Select(Ready(a), Ready(2)).Poll = %v, want Ready(Left(a))", got)
	}
}

// The loser of a Select is abandoned unfinished: it must be dropped, or
// whatever it holds (a coroutine, a registration, a worker) leaks.
func TestSelectDropsLoser(t *testing.T) {
	for _, tc := range []struct {
		name         string
		openA, openB bool
	}{
		{"first wins, second dropped", true, false},
		{"second wins, first dropped", false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cx := NewContext(Noop())
			a, b := newGate(1), newGate(2)
			f := Select[int, int](a, b)
			f.Poll(cx)
			if tc.openA {
				a.open()
			}
			if tc.openB {
				b.open()
			}
			if got := f.Poll(cx); !got.IsReady() {
				t.Fatalf("Select.Poll = %v, want ready", got)
			}
			winner, loser := a, b
			if tc.openB {
				winner, loser = b, a
			}
			if !loser.dropped {
				t.Error("the loser was not dropped")
			}
			if winner.dropped {
				t.Error("the winner was dropped; it finished, there is nothing to release")
			}
		})
	}
}

// A real loser: an Async future parked in an Await. Dropping it ends its
// coroutine; goleak (TestMain) would catch the goroutine otherwise.
func TestSelectDropsLosingAsyncCoroutine(t *testing.T) {
	cx := NewContext(Noop())
	cleaned := false
	slow := Async(func(co *Co) int {
		defer func() { cleaned = true }()
		return Await(co, newGate(1))
	})
	fast := newGate(2)
	f := Select[int, int](slow, fast)
	f.Poll(cx)
	fast.open()
	if got := f.Poll(cx); got != PollReady(Either[int, int]{Right: 2}) {
		t.Fatalf("Select.Poll = %v, want Ready(Right(2))", got)
	}
	if !cleaned {
		t.Error("the losing Async body was not unwound (its defer did not run)")
	}
}

func TestSelectDropDropsBoth(t *testing.T) {
	cx := NewContext(Noop())
	a, b := newGate(1), newGate(2)
	f := Select[int, int](a, b)
	f.Poll(cx)
	Drop(f)
	if !a.dropped || !b.dropped {
		t.Errorf("after Drop: a dropped %v, b dropped %v; want both", a.dropped, b.dropped)
	}
}
