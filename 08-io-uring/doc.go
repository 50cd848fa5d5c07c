// 08-io-uring is the second epilogue beyond the blog: the echo server of
// stage 06 on completion I/O. Every stage before it waits for readiness
// ("you may read now") and then makes the system call; here the program hands
// the kernel whole operations (accept, recv, send, read, a timeout, a
// cancel) through io_uring's shared rings, and the kernel answers with their
// results. The futures and the executor ideas are stage 04's and 05's.
//
// # Run it
//
//	go run ./08-io-uring                          # echo server on 127.0.0.1:7880
//	nc -N 127.0.0.1 7880                          # talk to it (Ctrl-D half-closes)
//	go run ./08-io-uring -mode file -root ./docs  # the file server
//	go run ./08-io-uring selftest                 # server, clients, shutdown, exit 0
//	go run ./08-io-uring load -conns 500          # the load generator, for a second
//	go run ./08-io-uring demos                    # the demo names
//	kill -USR1 $(pgrep -n 08-io-uring)            # the loop's task dump on stderr; it goes on
//
// Flags: -addr, -mode echo|file, -root DIR, -idle DURATION, -max-conns N,
// -grace DURATION, -oneshot (an SQE per accept and per recv, not multishot).
//
// # Read in this order
//
// uring/ring_linux.go (setup and the mappings), uring/sqe_linux.go and
// uring/enter_linux.go (the head/tail protocol), uring/bufring_linux.go
// (provided buffers), loop/op_linux.go (user_data, completion, cancel),
// loop/futures_linux.go (one future per operation), echo/conn_linux.go (one
// connection), echo/server_linux.go, then main.go.
//
// Linux only, like stage 01: main_other.go says so elsewhere. Where the
// kernel refuses io_uring (too old, kernel.io_uring_disabled, a container's
// seccomp profile), the program says so in one line and exits 1.
//
// The chapter is docs/08-io-uring.md.
package main
