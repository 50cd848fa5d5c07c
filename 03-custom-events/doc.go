// 03-custom-events adds user-triggered readiness to the poller from stage 02:
// a Registration that any goroutine can make ready with SetReadiness, delivered
// by the same Poll call that reports sockets. Then it uses it the way the blog
// does: a file-I/O worker goroutine wakes the event loop, first through
// callbacks and a channel, then through Poll.
//
// # Run it
//
//	go run ./03-custom-events            # lists the demos, runs "spurious"
//	go run ./03-custom-events spurious   # many Sets, far fewer events
//	go run ./03-custom-events callback   # the callback file system, executor on a channel
//	go run ./03-custom-events poll       # the same, executor in Poll, plus a socket
//	LOG_LEVEL=debug go run ./03-custom-events poll   # every event the loop sees
//
// # Read in this order
//
// event/doc.go, event/event.go, event/ex_coalesce_solution.go,
// event/ex_lostwakeup_solution.go, event/event_linux.go (or
// event/event_pipe.go), then spurious.go, fs.go, callback.go, polldemo.go.
//
// The chapter is docs/03-custom-events.md.
package main
