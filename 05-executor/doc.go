// 05-executor runs futures on a real executor: BlockOn, Spawn and JoinHandle
// on a single-threaded event loop, with TCP futures, timers and a pool of
// worker goroutines for blocking work.
//
// # Run it
//
//	go run ./05-executor                    # lists the demos, runs "tcp"
//	go run ./05-executor spawn              # spawn and join; a panicking task
//	LOG_LEVEL=debug go run ./05-executor tcp   # every poll, event and wake
//
// # Read in this order
//
// executor/executor.go (the loop), executor/task.go and executor/wake.go
// (tasks and wakers), executor/joinhandle.go and executor/detached.go,
// executor/reactor.go (tokens and events), executor/tcp.go, executor/timer.go,
// executor/blocking.go, then main.go.
//
// The chapter is docs/05-executor.md.
package main
