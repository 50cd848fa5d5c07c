// Package tcp is a non-blocking TCP Listener and Stream over raw file
// descriptors, made to be registered with package poll. It is what mio's
// net::TcpListener and net::TcpStream are to mio, and what package net hides
// under every net.Conn.
//
// Every descriptor is created non-blocking and close-on-exec, so no call ever
// parks the thread: when the kernel says "not now" (EAGAIN), the call returns
// ErrWouldBlock, and the caller waits for the next event from its Poll before
// trying again. That branch is normal control flow, not a failure, and it
// happens even right after an event (a spurious event).
//
// # Simplifications
//
//   - Addresses are numeric ("127.0.0.1:7878", "[::1]:0"); no DNS, which
//     would block (net resolves names on other threads or in cgo).
//   - IPv6 zones are dropped.
//   - One Stream is used by one goroutine at a time. internal/poll's FD
//     adds a reference-counted lock (fdMutex) so that Close from another
//     goroutine cannot race a Read; here Close simply swaps the descriptor
//     out so a second Close can never close a reused number.
//   - No deadlines: a caller bounds its waits with Poll's timeout. net keeps
//     deadlines in the runtime's pollDesc (runtime/netpoll.go).
package tcp
