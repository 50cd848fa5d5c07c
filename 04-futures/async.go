package main

import (
	"fmt"
	"io"
	"log/slog"

	"github.com/async-from-scratch/course/04-futures/future"
)

// addAsync is the same function as addFuture, written the way Rust's
// async fn is: straight-line code with an Await at each suspension point. The
// state machine is gone: x and the awaited future live in the coroutine's
// stack frame, which stays alive while the body is suspended.
func addAsync(a, b *source, trace func(string, ...any)) future.Future[int] {
	return future.Async(func(co *future.Co) int {
		trace("  body: awaiting a.Next()")
		x := future.Await(co, a.Next())
		trace("  body: x = %d, awaiting b.Next()", x)
		y := future.Await(co, b.Next())
		trace("  body: y = %d, returning", y)
		return x + y
	})
}

func runAsync(out io.Writer, _ *slog.Logger) error {
	fmt.Fprintln(out, "add(a, b) with Async and Await:")
	trace := func(format string, args ...any) { fmt.Fprintf(out, format+"\n", args...) }
	v, err := drive(out, addAsync(&source{20}, &source{22}, trace))
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "add = %d\n", v)
	return nil
}
