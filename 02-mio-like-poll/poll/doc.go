// Package poll is a small, portable readiness poller in the shape of mio's
// Poll: register a file descriptor with a Token, an Interest and a Mode, then
// call Poll to learn which registered sources became ready.
//
// It is the package every later stage stands on. Sockets from package tcp
// register through it, and so do stage 03's user events (an eventfd on Linux,
// a pipe on macOS and FreeBSD): anything with a descriptor is a Source. The
// API is the same on every system.
//
//	p, _ := poll.New()
//	p.Register(stream, poll.Token(1), poll.Readable, poll.Edge)
//	events := poll.NewEvents(64)
//	n, err := p.Poll(events, 100*time.Millisecond)
//	for ev := range events.All() { ... ev.Token ... }
//
// Readiness is a hint, not a promise: after an event a read or accept may
// still report would-block (a "spurious" event). Treat would-block as "wait
// for the next event", never as a failure.
//
// # Modes
//
//   - Level: reported on every Poll while the condition holds (unread data).
//   - Edge: reported when the condition starts; read until would-block
//     ("drain"), or the next report only comes with new data.
//   - Oneshot: reported once, then silenced until Reregister re-arms it:
//     once per source, even one registered for reading and writing.
//
// Whatever the mode, one Poll reports a source at most once: an Event
// carries both directions.
//
// # Contract for backends
//
// poll.go holds the portable part: argument checks, the registry of
// descriptors (fd -> token, interest, mode) under Poll.mu, ErrClosed, and the
// timeout and EINTR handling. Each backend file (poll_epoll.go for linux,
// poll_kqueue.go for darwin and freebsd) provides:
//
//   - type backend struct: the per-Poll kernel state, embedded in Poll;
//   - type rawEvent: the kernel's event record, the buffer inside Events;
//   - func openPoller() (int, error): the poller's descriptor, close-on-exec;
//   - func (p *Poll) ctlAdd / ctlMod / ctlDel: called with p.mu held, after
//     the portable checks, with the old registration for Mod and Del; errors
//     wrapped with os.NewSyscallError and the kernel's errno kept, EEXIST for a
//     second Register and ENOENT for a Reregister or Deregister of an unknown
//     descriptor (emulated when the kernel does not say so itself);
//   - func (p *Poll) wait(raw []rawEvent, ms int) (int, error): one blocking
//     call, ms < 0 meaning forever; EINTR is returned, the caller retries;
//   - func (p *Poll) translate(raw []rawEvent, out []Event) int: kernel records
//     to Events, one per descriptor, each with the token its source had when
//     the kernel made the record, never a later owner's. epoll carries the
//     token inside the record, so it keeps every record. kqueue looks the
//     token up afterwards, so it drops the records it cannot attribute
//     safely (poll_kqueue.go says which); when it drops them all, Poll waits
//     again.
//
// One difference between backends a caller can see, allowed by the
// contract: a record already on its way when its source was deregistered
// reaches the caller on epoll, with the old token (whose generation tells
// the caller it is stale, pitfall 9), and is dropped on kqueue.
//
// # States
//
// A descriptor's registration moves through:
//
//	unregistered --Register--> armed --event (Oneshot only)--> disarmed
//	armed/disarmed --Reregister--> armed
//	armed/disarmed --Deregister--> unregistered
//
// Deregister before you close a descriptor. The kernel forgets a closed
// descriptor on its own, and Register of the reused number works on both
// backends (the kqueue backend asks the kernel whether its registry entry is
// stale), but an event for the old descriptor may still be on its way.
//
// # Simplifications
//
//   - No Windows backend. mio drives IOCP with AFD polling to fake
//     readiness; Go's runtime uses completion ports directly
//     (runtime/netpoll_windows.go).
//   - No waker of its own. Stage 03 adds one as an ordinary registered source,
//     which is exactly how runtime/netpoll_epoll.go wakes a sleeping
//     epoll_wait (an eventfd) and runtime/netpoll_kqueue.go does (EVFILT_USER
//     or a pipe).
//   - Registration state lives in a map under one mutex. Go's runtime stores
//     a *pollDesc pointer in the kernel's event data instead and guards each
//     descriptor with its own lock (runtime/netpoll.go,
//     internal/poll/fd_unix.go), so it needs no map lookup per event.
//   - Poll blocks in the kernel through an ordinary system call, so the Go
//     runtime hands its processor to another thread while it waits.
package poll
