// 06-async-echo is the course's finale: the blog's echo server and its
// afterword's file server on the executor from stage 05, correct under real
// clients, stopped cleanly by a signal, and measured against Go's own net
// package.
//
// # Run it
//
//	go run ./06-async-echo                          # echo server on 127.0.0.1:7878
//	nc -N 127.0.0.1 7878                            # talk to it (Ctrl-D half-closes)
//	LOG_LEVEL=debug go run ./06-async-echo          # also every poll, event and wake
//	go run ./06-async-echo -mode file -root ./docs  # the file server
//	go run ./06-async-echo selftest                 # server, clients, shutdown, exit 0
//	go run ./06-async-echo load -conns 500          # the load generator, for a second
//	go run ./06-async-echo demos                    # the demo names
//
// Flags: -addr, -mode echo|file, -root DIR, -style machine|coroutine,
// -idle DURATION, -max-conns N, -grace DURATION, -loops N (event loops, one
// executor each, sharing the port with SO_REUSEPORT).
//
// # Read in this order
//
// echo/server.go (the accept loop and shutdown), echo/conn.go (one
// connection as a state machine), echo/coroutine.go (the same as a
// coroutine), echo/idlewrite.go (what -idle means for a write),
// echo/fileserve.go and filename/filename.go (the file server), main.go
// (flags, signals). callbackloop/callbackloop.go is the callback event loop
// without futures that the benchmark compares against, bench_test.go the
// benchmark.
//
// The chapter is docs/06-async-echo.md.
package main
