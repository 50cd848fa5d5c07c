// 04-futures rebuilds Rust's answer to callbacks in Go: a Future that is
// polled, a Waker that says "poll me again", generators, a state machine
// written by hand the way a Rust compiler writes one for an async fn, the same
// logic as a Go coroutine with Async/Await (iter.Pull), and driver.BlockOn,
// which sleeps in stage 02's Poll on a stage 03 user event until a waker
// fires.
//
// # Run it
//
//	go run ./04-futures                # lists the demos, runs "async"
//	go run ./04-futures fab            # a Fibonacci generator, then resumed by hand
//	go run ./04-futures statemachine   # an async fn compiled by hand: an enum of states
//	go run ./04-futures async          # the same function with Async and Await
//	go run ./04-futures blockon        # a file read on a worker, awaited with BlockOn
//	LOG_LEVEL=debug go run ./04-futures blockon   # every poll BlockOn makes
//	go test -run '^$' -bench . ./04-futures       # state machine vs coroutine vs goroutine
//
// # Read in this order
//
// future/doc.go, future/future.go, future/poll.go, future/waker.go,
// future/wakerslot.go, future/select.go, future/async.go,
// future/ex_await_solution.go, driver/blockon.go; then fab.go,
// statemachine.go, async.go, blockon.go and compare_test.go.
//
// The chapter is docs/04-futures.md.
package main
