//go:build darwin || freebsd

package poll

import (
	"os"

	"golang.org/x/sys/unix"
)

// waitCall names the blocking call in errors: "kevent: bad file descriptor".
const waitCall = "kevent"

// rawEvent is the kernel's record: one (ident, filter) pair per event.
type rawEvent = unix.Kevent_t

// key names one kernel filter: kqueue watches reading and writing of a
// descriptor as two separate filters, and user events as a third kind.
type key struct {
	ident  uint64
	filter int16
}

// userReg is what the registry remembers about one EVFILT_USER event.
type userReg struct {
	tok   Token
	mode  Mode
	armed bool // false after a Oneshot event was delivered, until re-armed
}

// backend keeps the tokens. Kevent_t.Udata could carry 64 bits, but it is a
// pointer field: a Token stored there would be an integer disguised as a
// pointer, which the garbage collector may trip over. So tokens live in a map
// keyed by what the kernel does hand back, (ident, filter).
type backend struct {
	tokens map[key]Token      // guarded by Poll.mu
	users  map[uint64]userReg // guarded by Poll.mu; EVFILT_USER idents
}

func (p *Poll) initBackend() {
	p.tokens = make(map[key]Token)
	p.users = make(map[uint64]userReg)
}

func openPoller() (int, error) {
	fd, err := unix.Kqueue()
	if err != nil {
		return -1, os.NewSyscallError("kqueue", err)
	}
	// kqueue descriptors are not inherited across fork anyway, but say it
	// explicitly, as epoll's EPOLL_CLOEXEC does.
	unix.CloseOnExec(fd)
	return fd, nil
}

// modeFlags maps a Mode onto kevent flags. Oneshot is EV_DISPATCH, not
// EV_ONESHOT: EV_DISPATCH disables the filter after one event but keeps it
// registered, like EPOLLONESHOT, so the kernel and the registry keep
// agreeing on what is registered: Deregister still finds the filter to
// delete, and Reregister replaces it. EV_ONESHOT would delete it behind the
// registry's back.
func modeFlags(mode Mode) uint16 {
	switch mode {
	case Edge:
		return unix.EV_CLEAR
	case Oneshot:
		return unix.EV_DISPATCH
	}
	return 0
}

func filters(interest Interest) []int16 {
	var fs []int16
	if interest&Readable != 0 {
		fs = append(fs, unix.EVFILT_READ)
	}
	if interest&Writable != 0 {
		fs = append(fs, unix.EVFILT_WRITE)
	}
	return fs
}

func change(ident, filter int, flags uint16) unix.Kevent_t {
	var k unix.Kevent_t
	// SetKevent hides that Ident is 32 bits wide on some platforms.
	unix.SetKevent(&k, ident, filter, int(flags))
	return k
}

// apply submits changes in one kevent call. EV_RECEIPT makes the kernel
// answer every change with an EV_ERROR record whose Data is 0 or an errno,
// instead of stopping at the first failure; the first real error is returned.
func (p *Poll) apply(changes []unix.Kevent_t) error {
	if len(changes) == 0 {
		return nil
	}
	for i := range changes {
		changes[i].Flags |= unix.EV_RECEIPT
	}
	receipts := make([]unix.Kevent_t, len(changes))
	n, err := ignoringEINTR(func() (int, error) {
		return unix.Kevent(p.fd, changes, receipts, nil)
	})
	if err != nil {
		return os.NewSyscallError("kevent", err)
	}
	// One receipt per change, in the order of the changes. The receipt's
	// Flags say only EV_ERROR (FreeBSD overwrites them), so what kind of
	// change failed is read from the change itself.
	for i, r := range receipts[:n] {
		if r.Flags&unix.EV_ERROR == 0 || r.Data == 0 {
			continue
		}
		errno := unix.Errno(r.Data)
		switch {
		case errno == unix.ENOENT && changes[i].Flags&unix.EV_DELETE != 0:
			// Deleting a filter the kernel already dropped (the
			// descriptor was closed): the goal is reached.
		case errno == unix.EPIPE && changes[i].Filter == unix.EVFILT_WRITE:
			// A write filter on a pipe or socket whose reader is gone;
			// mio ignores it too, the next write reports the error.
		default:
			return os.NewSyscallError("kevent", errno)
		}
	}
	return nil
}

func (p *Poll) ctlAdd(fd int, reg registration) error {
	// kqueue's EV_ADD silently modifies an existing filter, so the EEXIST
	// that epoll gives for a second registration is emulated here.
	if _, ok := p.regs[fd]; ok {
		return os.NewSyscallError("kevent", unix.EEXIST)
	}
	var changes []unix.Kevent_t
	for _, f := range filters(reg.interest) {
		changes = append(changes, change(fd, int(f), unix.EV_ADD|unix.EV_ENABLE|modeFlags(reg.mode)))
	}
	if err := p.apply(changes); err != nil {
		// One filter may have been added before the other failed.
		_ = p.apply(deletes(fd, reg.interest))
		return err
	}
	for _, f := range filters(reg.interest) {
		p.tokens[key{uint64(fd), f}] = reg.tok
	}
	return nil
}

func deletes(fd int, interest Interest) []unix.Kevent_t {
	var changes []unix.Kevent_t
	for _, f := range filters(interest) {
		changes = append(changes, change(fd, int(f), unix.EV_DELETE))
	}
	return changes
}

func (p *Poll) ctlMod(fd int, old registration, known bool, reg registration) error {
	if !known {
		return os.NewSyscallError("kevent", unix.ENOENT)
	}
	// Delete the old filters and add the new ones in the same call. Adding
	// anew makes the kernel check readiness now, which matches epoll's
	// EPOLL_CTL_MOD: a ready source is reported again, a Oneshot is re-armed,
	// and a change of mode really takes effect.
	changes := deletes(fd, old.interest)
	for _, f := range filters(reg.interest) {
		changes = append(changes, change(fd, int(f), unix.EV_ADD|unix.EV_ENABLE|modeFlags(reg.mode)))
	}
	if err := p.apply(changes); err != nil {
		return err
	}
	for _, f := range filters(old.interest) {
		delete(p.tokens, key{uint64(fd), f})
	}
	for _, f := range filters(reg.interest) {
		p.tokens[key{uint64(fd), f}] = reg.tok
	}
	return nil
}

func (p *Poll) ctlDel(fd int, old registration, known bool) error {
	if !known {
		return os.NewSyscallError("kevent", unix.ENOENT)
	}
	for _, f := range filters(old.interest) {
		delete(p.tokens, key{uint64(fd), f})
	}
	return p.apply(deletes(fd, old.interest))
}

func (p *Poll) wait(raw []rawEvent, ms int) (int, error) {
	var ts *unix.Timespec
	if ms >= 0 {
		t := unix.NsecToTimespec(int64(ms) * 1e6)
		ts = &t
	}
	return unix.Kevent(p.fd, nil, raw, ts)
}

func (p *Poll) translate(raw []rawEvent, out []Event) int {
	n := 0
	for i := range raw {
		k := &raw[i]
		filter := k.Filter
		tok, ok := p.tokens[key{uint64(k.Ident), filter}]
		if !ok {
			// Deregistered while this event was on its way: drop it,
			// so a new owner of the descriptor never sees it.
			continue
		}
		ev := Event{Token: tok}
		eof := k.Flags&unix.EV_EOF != 0
		switch filter {
		case unix.EVFILT_READ:
			ev.Readable = true
			ev.ReadClosed = eof
		case unix.EVFILT_WRITE:
			ev.Writable = true
			ev.WriteClosed = eof
		case unix.EVFILT_USER:
			ev.Readable = true
			if u := p.users[uint64(k.Ident)]; u.mode == Oneshot {
				u.armed = false
				p.users[uint64(k.Ident)] = u
			}
		}
		// EV_EOF with a non-zero Fflags carries the socket's error.
		if k.Flags&unix.EV_ERROR != 0 || (eof && k.Fflags != 0) {
			ev.Error = true
		}
		out[n] = ev
		n++
	}
	return n
}

// User events (EVFILT_USER) are kqueue's built-in wakeup: no descriptor, just
// an ident chosen by the caller, made ready by TriggerUser from any
// goroutine. Stage 03 builds its SetReadiness on them. On Linux the same job
// is done by an eventfd registered with Register.
//
// A user event is reported as Event{Token: tok, Readable: true}. Its idents
// are a namespace of their own, separate from descriptors. In Level and
// Oneshot mode a triggered event stays ready (and is reported again after a
// re-arm) until ClearUser, as an eventfd stays readable until it is read; in
// Edge mode (EV_CLEAR) delivery itself resets it.

func userFlags(mode Mode, armed bool) uint16 {
	flags := unix.EV_ADD | unix.EV_ENABLE | modeFlags(mode)
	if !armed {
		flags = unix.EV_ADD | unix.EV_DISABLE | modeFlags(mode)
	}
	return flags
}

// RegisterUser adds a user event ident that reports tok. An ident already
// registered fails with EEXIST.
func (p *Poll) RegisterUser(ident uint64, tok Token, mode Mode) error {
	if err := check(Readable, mode); err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed.Load() {
		return ErrClosed
	}
	if _, ok := p.users[ident]; ok {
		return os.NewSyscallError("kevent", unix.EEXIST)
	}
	if err := p.apply([]unix.Kevent_t{change(int(ident), unix.EVFILT_USER, userFlags(mode, true))}); err != nil {
		return err
	}
	p.users[ident] = userReg{tok: tok, mode: mode, armed: true}
	p.tokens[key{ident, unix.EVFILT_USER}] = tok
	return nil
}

// ReregisterUser changes the token or mode of a user event and re-arms it
// (after a Oneshot delivery). A trigger that is still pending is kept.
func (p *Poll) ReregisterUser(ident uint64, tok Token, mode Mode) error {
	if err := check(Readable, mode); err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed.Load() {
		return ErrClosed
	}
	old, ok := p.users[ident]
	if !ok {
		return os.NewSyscallError("kevent", unix.ENOENT)
	}
	k := change(int(ident), unix.EVFILT_USER, userFlags(mode, true))
	if old.mode != mode {
		// Kernels do not agree on whether EV_ADD may change EV_CLEAR or
		// EV_DISPATCH of an existing filter, so a new mode gets a new
		// filter. NOTE: kqueue cannot tell whether the old one had a
		// trigger pending without consuming it, so the new one starts
		// triggered: at worst one spurious event, which callers
		// tolerate anyway, and never a lost one.
		changes := []unix.Kevent_t{change(int(ident), unix.EVFILT_USER, unix.EV_DELETE), k, trigger(ident)}
		if err := p.apply(changes); err != nil {
			return err
		}
	} else if err := p.apply([]unix.Kevent_t{k}); err != nil {
		return err
	}
	p.users[ident] = userReg{tok: tok, mode: mode, armed: true}
	p.tokens[key{ident, unix.EVFILT_USER}] = tok
	return nil
}

func trigger(ident uint64) unix.Kevent_t {
	k := change(int(ident), unix.EVFILT_USER, 0)
	k.Fflags = unix.NOTE_TRIGGER
	return k
}

// TriggerUser makes the user event ready. Safe from any goroutine; several
// triggers before the next Poll are reported as one event.
func (p *Poll) TriggerUser(ident uint64) error {
	// Under p.mu, so a trigger is never lost in ClearUser's delete-and-add
	// window: it lands either before the clear (absorbed by it, as a write
	// to an eventfd before its read is) or after (kept).
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed.Load() {
		return ErrClosed
	}
	if _, ok := p.users[ident]; !ok {
		return os.NewSyscallError("kevent", unix.ENOENT)
	}
	return p.apply([]unix.Kevent_t{trigger(ident)})
}

// ClearUser resets a triggered Level or Oneshot user event, as reading an
// eventfd does on Linux. kqueue has no call that only resets EVFILT_USER, so
// the filter is deleted and added again, disabled if it is a Oneshot event
// that fired and was not re-armed. For Edge mode delivery already reset it
// and ClearUser does nothing.
func (p *Poll) ClearUser(ident uint64) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed.Load() {
		return ErrClosed
	}
	u, ok := p.users[ident]
	if !ok {
		return os.NewSyscallError("kevent", unix.ENOENT)
	}
	if u.mode == Edge {
		return nil
	}
	return p.apply([]unix.Kevent_t{
		change(int(ident), unix.EVFILT_USER, unix.EV_DELETE),
		change(int(ident), unix.EVFILT_USER, userFlags(u.mode, u.armed)),
	})
}

// DeregisterUser removes a user event (EV_DELETE). No event for it is
// reported afterwards, even one already on its way.
func (p *Poll) DeregisterUser(ident uint64) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed.Load() {
		return ErrClosed
	}
	if _, ok := p.users[ident]; !ok {
		return os.NewSyscallError("kevent", unix.ENOENT)
	}
	delete(p.users, ident)
	delete(p.tokens, key{ident, unix.EVFILT_USER})
	return p.apply([]unix.Kevent_t{change(int(ident), unix.EVFILT_USER, unix.EV_DELETE)})
}
