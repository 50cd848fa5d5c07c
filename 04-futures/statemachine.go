package main

import (
	"fmt"
	"io"
	"log/slog"
	"unsafe"

	"github.com/async-from-scratch/course/04-futures/future"
)

// addFuture is what a Rust compiler makes of
//
//	async fn add(a: &Source, b: &Source) -> i64 {
//	    let x = a.next().await;
//	    let y = b.next().await;
//	    x + y
//	}
//
// an enum with one variant per place where the function can be suspended,
// each variant holding only what the rest of the function still needs. Go has
// no enums with data, so the variants are struct types behind an interface.
type addFuture struct {
	state addState
	trace func(format string, args ...any) // narrates transitions for the demo
}

// addState is one of addStart, addAwaitingX, addAwaitingY, addDone.
type addState interface{ isAddState() }

type addStart struct { // not polled yet: only the arguments
	a, b *source
}

type addAwaitingX struct { // suspended in a.next().await: a is not needed any more
	fx *soon
	b  *source
}

type addAwaitingY struct { // suspended in b.next().await: x, and b's future
	x  int
	fy *soon
}

type addDone struct{} // returned: nothing left

func (addStart) isAddState()     {}
func (addAwaitingX) isAddState() {}
func (addAwaitingY) isAddState() {}
func (addDone) isAddState()      {}

func newAdd(a, b *source, trace func(string, ...any)) *addFuture {
	return &addFuture{state: addStart{a, b}, trace: trace}
}

// Poll runs the function from where it was suspended to the next suspension
// point or to its end. Each case is the code between two awaits.
func (f *addFuture) Poll(cx *future.Context) future.Poll[int] {
	for {
		switch s := f.state.(type) {
		case addStart:
			f.state = addAwaitingX{fx: s.a.Next(), b: s.b}
			f.trace("  Start -> AwaitingX{fx, b}")
		case addAwaitingX:
			r := s.fx.Poll(cx)
			if !r.IsReady() {
				return future.Pending[int]() // fx arranged the wake-up
			}
			f.state = addAwaitingY{x: r.Value(), fy: s.b.Next()}
			f.trace("  AwaitingX -> AwaitingY{x: %d, fy}", r.Value())
		case addAwaitingY:
			r := s.fy.Poll(cx)
			if !r.IsReady() {
				return future.Pending[int]()
			}
			f.state = addDone{}
			f.trace("  AwaitingY -> Done")
			return future.PollReady(s.x + r.Value())
		case addDone:
			panic("add: polled after completion")
		}
	}
}

func runStateMachine(out io.Writer, _ *slog.Logger) error {
	fmt.Fprintln(out, "add(a, b) as a hand-written state machine:")
	trace := func(format string, args ...any) { fmt.Fprintf(out, format+"\n", args...) }
	v, err := drive(out, newAdd(&source{20}, &source{22}, trace))
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "add = %d\n", v)
	fmt.Fprintf(out, "bytes per state: Start %d, AwaitingX %d, AwaitingY %d, Done %d (+16 for the interface)\n",
		unsafe.Sizeof(addStart{}), unsafe.Sizeof(addAwaitingX{}), unsafe.Sizeof(addAwaitingY{}), unsafe.Sizeof(addDone{}))
	return nil
}
