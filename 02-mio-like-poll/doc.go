// 02-mio-like-poll runs the blog's mio examples on a portable poller of our
// own: package poll (epoll on Linux, kqueue on macOS and FreeBSD) and package
// tcp (non-blocking sockets that answer ErrWouldBlock). Then it makes visible
// what readers of every such tutorial trip over: spurious events, the
// difference between level-triggered, edge-triggered and oneshot readiness,
// draining, and a blocking call inside the loop.
//
// # Run it
//
//	go run ./02-mio-like-poll              # lists the demos, runs "tcp"
//	go run ./02-mio-like-poll level        # 8 bytes, 4 read per event: 2 events
//	go run ./02-mio-like-poll edge         # the same: 1 event, 4 bytes stranded
//	go run ./02-mio-like-poll oneshot      # 1 event, then Reregister re-arms
//	go run ./02-mio-like-poll still-block  # a slow println inline vs on a worker
//	go run ./02-mio-like-poll demos        # the demo names only
//	LOG_LEVEL=debug go run ./02-mio-like-poll tcp   # every event
//
// # Read in this order
//
// poll/doc.go, poll/poll.go, poll/poll_epoll.go (or poll/poll_kqueue.go),
// tcp/stream.go, tcp/listener.go, then tcpdemo.go, lab.go, spurious.go,
// drain.go, stillblock.go and main.go.
//
// The chapter is docs/02-mio-like-poll.md.
package main
