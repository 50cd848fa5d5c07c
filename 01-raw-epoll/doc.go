// 01-raw-epoll is the course's first program: a server and a client in one
// process, one goroutine, talking PING/PONG over loopback TCP, written
// straight on the Linux system calls (socket, bind, listen, accept4, connect,
// epoll_create1, epoll_ctl, epoll_wait) through golang.org/x/sys/unix.
//
// Nothing here blocks in read, write, accept or connect: every socket is
// non-blocking, and the one place the program waits is epoll_wait, which
// reports which sockets are ready. EAGAIN means "not now, wait for the next
// event", never failure.
//
// # Run it
//
//	go run ./01-raw-epoll                       # lists the demos, runs "exchange"
//	go run ./01-raw-epoll exchange -v -rounds 2 # every event, read and write
//	go run ./01-raw-epoll timeout               # epoll_wait returns 0 events
//	go run ./01-raw-epoll demos                 # the demo names only
//
// # Read in this order
//
// eintr.go (the one EINTR loop), socket.go and addr.go (non-blocking sockets),
// epoll.go (the three epoll calls), conn.go (one side of the conversation),
// exchange.go (the event loop), then main.go. timeout.go is the second demo.
//
// This stage is Linux-only (epoll is a Linux interface); main_other.go says
// so on other systems. Stage 02 wraps epoll and kqueue behind one API.
//
// The chapter is docs/01-raw-epoll.md.
package main
