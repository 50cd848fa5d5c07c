package executor

import (
	"errors"
	"io"
	"net/netip"
	"time"

	"github.com/async-from-scratch/course/02-mio-like-poll/tcp"
	"github.com/async-from-scratch/course/04-futures/future"
	"golang.org/x/sys/unix"
)

// acceptBackoff is how long PollAccept waits after EMFILE or ENFILE before
// it tries again. Long enough not to burn a core, short enough to recover
// soon after descriptors are freed.
var acceptBackoff = 50 * time.Millisecond

// acceptConn is the accept system call (through stage 02's tcp package).
// Tests replace it to inject errors the kernel seldom returns on loopback:
// EINTR, ECONNABORTED, and errors PollAccept must hand to its caller.
var acceptConn = (*tcp.Listener).Accept

// Listener is a listening TCP socket registered with an executor. Its
// methods belong to the loop goroutine.
type Listener struct {
	src     ioSource
	ln      *tcp.Listener
	backoff *Timer // armed while accept is failing with EMFILE/ENFILE
}

// Stream is a connected TCP socket registered with an executor. It holds no
// buffer: a Stream waiting for data costs only its own few words. One task
// may read while another writes; two readers (or two writers) at once are
// not supported (there is one waker per direction). Its methods belong to
// the loop goroutine.
type Stream struct {
	src        ioSource
	conn       *tcp.Stream
	connecting bool // StartConnect began a connect that PollConnect has not seen finish
}

// Listen binds and listens on addr ("127.0.0.1:0" for an ephemeral port)
// and registers the socket with ex. BlockOn closes it if you do not.
func (ex *Executor) Listen(addr string) (*Listener, error) {
	ln, err := tcp.Listen(addr)
	if err != nil {
		return nil, err
	}
	l, err := ex.AdoptListener(ln)
	if err != nil {
		ln.Close()
		return nil, err
	}
	return l, nil
}

// AdoptListener registers a listening socket made by stage 02's tcp package
// (for example with tcp.ListenConfig's options) with ex, which owns it from
// then on: Listener.Close, or BlockOn's end, closes it. On error, ln is
// left open and stays the caller's. (Added for stage 06: one executor per
// core, each with its own SO_REUSEPORT listener on the same port.)
func (ex *Executor) AdoptListener(ln *tcp.Listener) (*Listener, error) {
	l := &Listener{ln: ln}
	l.src.owner, l.src.readable = l, true
	if err := ex.register(&l.src, ln.Fd()); err != nil {
		return nil, err
	}
	return l, nil
}

// Addr returns the address the listener is bound to.
func (l *Listener) Addr() netip.AddrPort { return l.ln.Addr() }

// PollAccept accepts one connection, registered with the listener's
// executor. It returns ErrPending (after storing cx's waker) when no
// connection is waiting, and while it backs off after EMFILE/ENFILE.
//
// How accept errors are handled, one branch each:
//   - would-block: nothing queued; wait for the next readable edge.
//   - EINTR: a signal interrupted the call; try again at once.
//   - ECONNABORTED: the client gave up while it sat in the backlog; that one
//     is gone, the next may be fine: try again at once.
//   - EMFILE, ENFILE (and ENOBUFS, ENOMEM): out of descriptors or memory.
//     The connection stays in the backlog, and no new edge will come for it,
//     so retrying on the next event would hang, and retrying at once would
//     spin at 100% CPU. Instead a timer retries after acceptBackoff.
//   - anything else is returned: the caller decides.
func (l *Listener) PollAccept(cx *future.Context) (*Stream, error) {
	ex := l.src.ex
	if l.src.closed {
		return nil, ErrClosed
	}
	if l.backoff != nil {
		if !l.backoff.Poll(cx).IsReady() {
			return nil, ErrPending // the timer holds cx's waker
		}
		l.backoff = nil
	}
	if !ex.spend(cx) {
		return nil, ErrPending
	}
	if !l.src.readable {
		storeWaker(&l.src.readWaker, cx.Waker())
		return nil, ErrPending
	}
	for {
		conn, _, err := acceptConn(l.ln)
		switch {
		case err == nil:
			return ex.newStream(conn, false)
		case errors.Is(err, tcp.ErrWouldBlock):
			l.src.readable = false
			ex.stats.WouldBlocks++
			storeWaker(&l.src.readWaker, cx.Waker())
			return nil, ErrPending
		case errors.Is(err, unix.EINTR), errors.Is(err, unix.ECONNABORTED):
			if ex.debug {
				ex.log.Debug("accept: retrying", "err", err)
			}
			continue
		case errors.Is(err, unix.EMFILE), errors.Is(err, unix.ENFILE),
			errors.Is(err, unix.ENOBUFS), errors.Is(err, unix.ENOMEM):
			ex.log.Warn("accept: backing off", "err", err, "retry_in", acceptBackoff)
			l.backoff = ex.NewTimer(acceptBackoff)
			l.backoff.Poll(cx) // stores cx's waker: woken when the back-off ends
			return nil, ErrPending
		default:
			return nil, err
		}
	}
}

// Accept returns a future of the next connection.
func (l *Listener) Accept() future.Future[Result[*Stream]] { return &acceptFuture{l: l} }

type acceptFuture struct{ l *Listener }

func (f *acceptFuture) Poll(cx *future.Context) future.Poll[Result[*Stream]] {
	s, err := f.l.PollAccept(cx)
	if errors.Is(err, ErrPending) {
		return future.Pending[Result[*Stream]]()
	}
	return future.PollReady(Result[*Stream]{Value: s, Err: err})
}

// Close deregisters and closes the listener. A task waiting in Accept is
// woken and gets ErrClosed. A second Close returns ErrClosed.
func (l *Listener) Close() error {
	if l.src.closed {
		return ErrClosed
	}
	l.src.closed = true
	if l.backoff != nil {
		// During a back-off the accepter's waker is in the timer, not in
		// readWaker: wake it from there, or it sleeps forever.
		l.backoff.stopAndWake()
		l.backoff = nil
	}
	err := l.src.ex.deregister(&l.src) // before close: see deregister
	err = errors.Join(err, l.ln.Close())
	l.src.ex.wakeBoth(&l.src)
	return err
}

func (l *Listener) closeSource() error { return l.Close() }

// wakeBoth wakes whoever waits on either direction of a closed source: they
// find it closed on their next poll.
func (ex *Executor) wakeBoth(s *ioSource) {
	if w := s.readWaker; w != nil {
		s.readWaker = nil
		ex.wake(w)
	}
	if w := s.writeWaker; w != nil {
		s.writeWaker = nil
		ex.wake(w)
	}
}

// newStream wraps and registers a connected (or connecting) socket.
func (ex *Executor) newStream(conn *tcp.Stream, connecting bool) (*Stream, error) {
	s := &Stream{conn: conn, connecting: connecting}
	s.src.owner = s
	s.src.readable = true
	s.src.writable = !connecting // a connect in progress reports writable when it finishes
	if err := ex.register(&s.src, conn.Fd()); err != nil {
		conn.Close()
		return nil, err
	}
	return s, nil
}

// StartConnect starts connecting to addr and returns at once with a
// registered Stream, the handshake still under way; PollConnect tells when
// the connection is made. Connect wraps both in a future that waits.
func (ex *Executor) StartConnect(addr netip.AddrPort) (*Stream, error) {
	conn, err := tcp.StartConnect(addr)
	if err != nil {
		return nil, err
	}
	return ex.newStream(conn, true)
}

// PollConnect finishes a StartConnect: nil once connected, ErrPending while the
// handshake is under way, or the connect error (ECONNREFUSED...). A connect
// in progress is reported writable when it ends either way; SO_ERROR says
// how.
func (s *Stream) PollConnect(cx *future.Context) error {
	if s.src.closed {
		return ErrClosed
	}
	if !s.connecting {
		return nil
	}
	if !s.src.writable {
		storeWaker(&s.src.writeWaker, cx.Waker())
		return ErrPending
	}
	err := s.conn.ConnectResult()
	if errors.Is(err, tcp.ErrWouldBlock) { // a spurious writable event: still connecting
		s.src.writable = false
		storeWaker(&s.src.writeWaker, cx.Waker())
		return ErrPending
	}
	s.connecting = false
	return err
}

// Connect returns a future of a connected Stream. If the connect fails, the
// stream is closed and the error returned.
func (ex *Executor) Connect(addr netip.AddrPort) future.Future[Result[*Stream]] {
	return &connectFuture{ex: ex, addr: addr}
}

type connectFuture struct {
	ex   *Executor
	addr netip.AddrPort
	s    *Stream
}

func (f *connectFuture) Poll(cx *future.Context) future.Poll[Result[*Stream]] {
	if f.s == nil {
		s, err := f.ex.StartConnect(f.addr)
		if err != nil {
			return future.PollReady(Result[*Stream]{Err: err})
		}
		f.s = s
	}
	err := f.s.PollConnect(cx)
	switch {
	case errors.Is(err, ErrPending):
		return future.Pending[Result[*Stream]]()
	case err != nil:
		f.s.Close()
		f.s = nil
		return future.PollReady(Result[*Stream]{Err: err})
	}
	s := f.s
	f.s = nil
	return future.PollReady(Result[*Stream]{Value: s})
}

// Drop closes a stream whose connect had not finished.
func (f *connectFuture) Drop() {
	if f.s != nil {
		f.s.Close()
		f.s = nil
	}
}

// PollRead reads into p: (n, nil) with n > 0, (0, io.EOF) once the peer
// closed its side, ErrPending after storing cx's waker, or another error.
//
// A short read drains. Under edge triggering a reader must go on until the
// socket says would-block, because the next event comes only with new data
// (pitfall 7). But for a stream socket a read that returns less than was
// asked for already says the receive queue was empty at that moment, and
// every byte that arrives after it makes a new edge. epoll(7) says so in
// its answer to "Do I need to continuously read/write a file descriptor
// until EAGAIN when using the EPOLLET flag?": "For stream-oriented files
// (e.g., pipe, FIFO, stream socket), the condition that the read/write I/O
// space is exhausted can also be detected by checking the amount of data
// read from / written to the target file descriptor." So
// after 0 < n < len(p) the source is marked drained and the next PollRead
// stores the waker at once, without the read that would return EAGAIN: one
// system call less per message of an echo (Stats.ShortReads counts them).
// tokio's PollEvented does the same on epoll and kqueue.
//
// The exception is a hang-up. Data and the peer's FIN that arrive together
// make one edge; after the short read that takes the data, no other edge
// will come for the FIN. So once an event reported ReadClosed or Error
// (src.hup, sticky), a short read does not drain and the next read returns
// io.EOF (or the error). A FIN that arrives after the short read makes its
// own edge, which sets hup.
func (s *Stream) PollRead(cx *future.Context, p []byte) (int, error) {
	ex := s.src.ex
	if s.src.closed {
		return 0, ErrClosed
	}
	if len(p) == 0 {
		return 0, nil
	}
	if !ex.spend(cx) {
		return 0, ErrPending
	}
	if !s.src.readable {
		storeWaker(&s.src.readWaker, cx.Waker())
		return 0, ErrPending
	}
	n, err := s.read(p)
	if errors.Is(err, tcp.ErrWouldBlock) {
		// Drained: the next edge will say when there is more. Store the
		// waker now; the event cannot slip in between, because events are
		// only handled by this goroutine, after this poll.
		s.src.readable = false
		storeWaker(&s.src.readWaker, cx.Waker())
		return 0, ErrPending
	}
	if err == nil && n < len(p) && !s.src.hup {
		// Drained too: the queue was empty when this read returned. The
		// next PollRead stores its waker without a system call.
		s.drainedByShortRead()
	}
	return n, err
}

// read is PollRead's one system call, counted in Stats (Reads, and
// WouldBlocks when it found nothing).
func (s *Stream) read(p []byte) (int, error) {
	n, err := s.conn.Read(p)
	s.src.ex.stats.Reads++
	if errors.Is(err, tcp.ErrWouldBlock) {
		s.src.ex.stats.WouldBlocks++
	}
	return n, err
}

// drainedByShortRead marks the stream drained after a short read and counts
// it in Stats.ShortReads, unless a test switched the rule off.
func (s *Stream) drainedByShortRead() {
	if !shortReadDrains {
		return
	}
	s.src.readable = false
	s.src.ex.stats.ShortReads++
}

// shortReadDrains switches the short-read rule of PollRead on. Tests turn
// it off to count what it saves.
var shortReadDrains = true

// PollWrite writes from p. It may write less than len(p) (a short write:
// the socket buffer is full); then call it again with the rest. It returns
// ErrPending, after storing cx's waker, when nothing could be written.
func (s *Stream) PollWrite(cx *future.Context, p []byte) (int, error) {
	ex := s.src.ex
	if s.src.closed {
		return 0, ErrClosed
	}
	if len(p) == 0 {
		return 0, nil
	}
	if !ex.spend(cx) {
		return 0, ErrPending
	}
	if !s.src.writable {
		storeWaker(&s.src.writeWaker, cx.Waker())
		return 0, ErrPending
	}
	n, err := s.write(p)
	if errors.Is(err, tcp.ErrWouldBlock) {
		s.src.writable = false
		storeWaker(&s.src.writeWaker, cx.Waker())
		return 0, ErrPending
	}
	return n, err
}

// write is PollWrite's one system call, counted in Stats (Writes, and
// WouldBlocks when the send buffer was full).
func (s *Stream) write(p []byte) (int, error) {
	n, err := s.conn.Write(p)
	s.src.ex.stats.Writes++
	if errors.Is(err, tcp.ErrWouldBlock) {
		s.src.ex.stats.WouldBlocks++
	}
	return n, err
}

// Read returns a future of one read: Result{n, nil}, or {0, io.EOF}.
func (s *Stream) Read(p []byte) future.Future[Result[int]] {
	return &readFuture{s: s, p: p}
}

// ReadFull returns a future that reads exactly len(p) bytes, with
// io.ReadFull's errors: io.EOF if the peer closed before the first byte,
// io.ErrUnexpectedEOF if it closed in the middle.
func (s *Stream) ReadFull(p []byte) future.Future[Result[int]] {
	return &readFuture{s: s, p: p, full: true}
}

type readFuture struct {
	s    *Stream
	p    []byte
	full bool
	n    int // bytes read so far (ReadFull)
}

func (f *readFuture) Poll(cx *future.Context) future.Poll[Result[int]] {
	for {
		n, err := f.s.PollRead(cx, f.p[f.n:])
		if errors.Is(err, ErrPending) {
			return future.Pending[Result[int]]()
		}
		if !f.full {
			return future.PollReady(Result[int]{Value: n, Err: err})
		}
		f.n += n
		switch {
		case err == io.EOF && f.n > 0 && f.n < len(f.p):
			err = io.ErrUnexpectedEOF
		case err == nil && f.n < len(f.p):
			continue // one read is not a message: keep going
		}
		return future.PollReady(Result[int]{Value: f.n, Err: err})
	}
}

// Write returns a future of one write, which may be short.
func (s *Stream) Write(p []byte) future.Future[Result[int]] {
	return &writeFuture{s: s, p: p}
}

// WriteAll returns a future that writes all of p, looping over short writes
// and waiting for writability in between (a slow reader fills our socket
// buffer). Its value is how many bytes were written, len(p) unless Err is
// set.
func (s *Stream) WriteAll(p []byte) future.Future[Result[int]] {
	return &writeFuture{s: s, p: p, all: true}
}

type writeFuture struct {
	s   *Stream
	p   []byte
	all bool
	n   int
}

func (f *writeFuture) Poll(cx *future.Context) future.Poll[Result[int]] {
	for {
		n, err := f.s.PollWrite(cx, f.p[f.n:])
		if errors.Is(err, ErrPending) {
			return future.Pending[Result[int]]()
		}
		if !f.all {
			return future.PollReady(Result[int]{Value: n, Err: err})
		}
		f.n += n
		if err == nil && f.n < len(f.p) {
			continue // short write: the rest waits for the next writable edge
		}
		return future.PollReady(Result[int]{Value: f.n, Err: err})
	}
}

// Shutdown closes one or both directions (tcp.ShutWrite sends FIN after the
// queued data). It never blocks on a non-blocking socket, so it is a plain
// call rather than a future.
func (s *Stream) Shutdown(how tcp.Shut) error {
	if s.src.closed {
		return ErrClosed
	}
	return s.conn.Shutdown(how)
}

// Close deregisters and closes the stream; tasks waiting on it are woken
// and get ErrClosed. A second Close returns ErrClosed and touches no
// descriptor (the number may belong to someone else by now).
func (s *Stream) Close() error {
	if s.src.closed {
		return ErrClosed
	}
	s.src.closed = true
	err := s.src.ex.deregister(&s.src) // before close
	err = errors.Join(err, s.conn.Close())
	s.src.ex.wakeBoth(&s.src)
	return err
}

func (s *Stream) closeSource() error { return s.Close() }

// LocalAddr returns the local address.
func (s *Stream) LocalAddr() netip.AddrPort { return s.conn.LocalAddr() }

// PeerAddr returns the peer's address.
func (s *Stream) PeerAddr() netip.AddrPort { return s.conn.PeerAddr() }

// Fd returns the descriptor (for logs and tests; do not close it).
func (s *Stream) Fd() int { return s.conn.Fd() }
