package main

import (
	"fmt"
	"io"
	"iter"
	"log/slog"
)

// fab is the blog's Fibonacci generator as a Go iterator: it yields the first
// n Fibonacci numbers. Its local variables a and b live across every yield,
// exactly like the state a Rust generator keeps between resumes.
func fab(n int) iter.Seq[int] {
	return func(yield func(int) bool) {
		a, b := 0, 1
		for range n {
			if !yield(a) { // false: the consumer stopped (break, or stop())
				return
			}
			a, b = b, a+b
		}
	}
}

func runFab(out io.Writer, _ *slog.Logger) error {
	// The consumer drives the generator with range: the push form.
	fmt.Fprint(out, "for v := range fab(10):")
	for v := range fab(10) {
		fmt.Fprint(out, " ", v)
	}
	fmt.Fprintln(out)

	// The same generator resumed by hand: iter.Pull turns it into a
	// coroutine, and next() is Rust's Generator::resume.
	fmt.Fprintln(out, "next, stop := iter.Pull(fab(5)); resumed by hand:")
	next, stop := iter.Pull(fab(5))
	for {
		v, ok := next() // runs fab until its next yield, then comes back
		if !ok {
			fmt.Fprintln(out, "  next() -> Complete")
			break
		}
		fmt.Fprintf(out, "  next() -> Yielded(%d)\n", v)
	}
	stop()

	// A generator need not finish: stop() ends it where it is suspended
	// (its yield returns false) and frees its goroutine.
	next, stop = iter.Pull(fab(1_000_000))
	next()
	next()
	v, _ := next()
	stop()
	_, ok := next()
	fmt.Fprintf(out, "fab(1000000) stopped after 3 values (last %d); next() now says ok=%v\n", v, ok)
	return nil
}
