//go:build darwin || freebsd

package poll

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// waitCall names the blocking call in errors: "kevent: bad file descriptor".
const waitCall = "kevent"

// rawEvent is the kernel's record: one (ident, filter) pair per event.
type rawEvent = unix.Kevent_t

// backend is what the kqueue backend keeps beyond Poll's registry, all of it
// guarded by Poll.mu.
//
// kqueue watches (ident, filter) pairs: a descriptor registered for reading
// and writing is two filters, EVFILT_READ and EVFILT_WRITE, each reporting,
// and each disarmed by EV_DISPATCH, on its own. The kernel hands back only
// (ident, filter) and Kevent_t.Udata; Udata could carry 64 bits, but it is a
// pointer field, and a Token stored there would be an integer disguised as a
// pointer, which the garbage collector may trip over. So the token of a
// record is looked up in the registry (Poll.regs) after kevent returns, and
// the fields below make that lookup safe and make kqueue behave as the
// package documents (one Event per source per Poll, Oneshot silencing the
// whole source).
type backend struct {
	// waiting is true from the start of a kevent wait until translate has
	// run; changed holds the descriptors whose registration changed
	// (Register, Reregister, Deregister from another goroutine) in that
	// window. A record for such a descriptor may come from the
	// registration before the change, so its token cannot be trusted: see
	// translate.
	waiting bool
	changed map[int]struct{}

	// batch maps a descriptor to its Event in the translate under way, so
	// that its two filters make one Event, and remembers which filters
	// reported.
	batch map[int]batchEntry

	// followUp collects the changes translate makes after the fact (re-arm
	// an ambiguous record's registration, disarm a Oneshot's other
	// filter); reused, so a Poll allocates nothing in the common case.
	followUp []unix.Kevent_t
}

// batchEntry is one descriptor's Event within one translate.
type batchEntry struct {
	index    int      // in out
	reported Interest // the filters that reported
}

func (p *Poll) initBackend() {
	p.changed = make(map[int]struct{})
	p.batch = make(map[int]batchEntry)
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
// registry's back. EV_DISPATCH disarms only the filter that fired (both
// kernels disable the one knote they deliver: kqueue_scan in FreeBSD's
// sys/kern/kern_event.c, knote_process in XNU's bsd/kern/kern_event.c);
// translate disarms the other one, so that Oneshot silences the whole
// source, as EPOLLONESHOT does.
func modeFlags(mode Mode) uint16 {
	switch mode {
	case Edge:
		return unix.EV_CLEAR
	case Oneshot:
		return unix.EV_DISPATCH
	}
	return 0
}

// filters returns the kqueue filters an interest stands for.
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

// interestOf is the Interest a filter stands for (0 for any other filter).
func interestOf(filter int16) Interest {
	switch filter {
	case unix.EVFILT_READ:
		return Readable
	case unix.EVFILT_WRITE:
		return Writable
	}
	return 0
}

func change(ident, filter int, flags uint16) unix.Kevent_t {
	var k unix.Kevent_t
	// SetKevent hides that Ident is 32 bits wide on some platforms.
	unix.SetKevent(&k, ident, filter, int(flags))
	return k
}

// adds returns the changes that add (or, for an existing filter, update and
// re-enable) the filters of reg.
func adds(changes []unix.Kevent_t, fd int, reg registration) []unix.Kevent_t {
	for _, f := range filters(reg.interest) {
		changes = append(changes, change(fd, int(f), unix.EV_ADD|unix.EV_ENABLE|modeFlags(reg.mode)))
	}
	return changes
}

func deletes(fd int, interest Interest) []unix.Kevent_t {
	var changes []unix.Kevent_t
	for _, f := range filters(interest) {
		changes = append(changes, change(fd, int(f), unix.EV_DELETE))
	}
	return changes
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

// noteChange records that fd's registration changes while a wait may be
// collecting records for it.
func (p *Poll) noteChange(fd int) {
	if p.waiting {
		p.changed[fd] = struct{}{}
	}
}

func (p *Poll) ctlAdd(fd int, reg registration) error {
	// kqueue's EV_ADD silently modifies an existing filter, so the EEXIST
	// that epoll gives for a second registration is emulated here, from
	// the registry. But the registry can be stale: a descriptor closed
	// without Deregister leaves its entry behind while the kernel forgets
	// it (knote_fdclose, in both kern_event.c, drops every filter of a
	// descriptor when it is closed), and the number is soon reused. epoll
	// forgets it too, and lets the new owner register; so must we.
	if old, ok := p.regs[fd]; ok && p.stillWatched(fd, old) {
		return os.NewSyscallError("kevent", unix.EEXIST)
	}
	p.noteChange(fd)
	if err := p.apply(adds(nil, fd, reg)); err != nil {
		// One filter may have been added before the other failed.
		_ = p.apply(deletes(fd, reg.interest))
		return err
	}
	return nil
}

// stillWatched asks the kernel whether old's first filter is still there,
// with a change that has no action flag at all: for an existing filter it
// changes nothing we use (its fflags and data stay 0), for a missing one
// kqueue_register (FreeBSD) and kevent_register (XNU) answer ENOENT
// ("no knote found, EV_ADD wasn't specified"), or FreeBSD EBADF if the
// number is not open at all.
func (p *Poll) stillWatched(fd int, old registration) bool {
	err := p.apply([]unix.Kevent_t{change(fd, int(filters(old.interest)[0]), 0)})
	return !errors.Is(err, unix.ENOENT) && !errors.Is(err, unix.EBADF)
}

func (p *Poll) ctlMod(fd int, old registration, known bool, reg registration) error {
	if !known {
		return os.NewSyscallError("kevent", unix.ENOENT)
	}
	// Delete the old filters and add the new ones in the same call. Adding
	// anew makes the kernel check readiness now, which matches epoll's
	// EPOLL_CTL_MOD: a ready source is reported again, a Oneshot is re-armed,
	// and a change of mode really takes effect.
	p.noteChange(fd)
	return p.apply(adds(deletes(fd, old.interest), fd, reg))
}

func (p *Poll) ctlDel(fd int, old registration, known bool) error {
	if !known {
		return os.NewSyscallError("kevent", unix.ENOENT)
	}
	p.noteChange(fd)
	return p.apply(deletes(fd, old.interest))
}

func (p *Poll) wait(raw []rawEvent, ms int) (int, error) {
	var ts *unix.Timespec
	if ms >= 0 {
		t := unix.NsecToTimespec(int64(ms) * 1e6)
		ts = &t
	}
	// A change made before this point cannot produce a record in this
	// call: EV_DELETE and EV_ADD are done when their kevent returns.
	p.mu.Lock()
	p.waiting = true
	clear(p.changed)
	p.mu.Unlock()
	n, err := unix.Kevent(p.fd, nil, raw, ts)
	runTestHookAfterWait()
	return n, err
}

// translate turns kernel records into Events, one per descriptor, and drops
// the records that must not reach the caller:
//
//   - A record for a descriptor no longer registered, or for a filter its
//     registration no longer has: it was deregistered (or reregistered)
//     while the record was on its way.
//   - A record for a descriptor whose registration changed during the wait
//     (p.changed). It may come from the registration before the change: the
//     kernel copied it out before the change, or even while the change ran
//     (FreeBSD's kqueue_scan copies records out in chunks and drops the
//     kqueue's lock in between; XNU's knote_process drops it around each
//     copyout). If the descriptor was closed and its number reused,
//     looking up its token now would hand the old event to the new owner
//     with the new owner's token, and the generation inside the token could
//     not catch it (pitfall 9). So the record is dropped, and the current
//     registration's filters are added again, which makes the kernel check
//     readiness at once (for an existing knote, FreeBSD's kqueue_register
//     calls the filter's f_event and XNU's kevent_register its f_touch): if
//     the record was the new registration's own, the next wait reports it
//     again.
//     Nothing is lost; at worst a wait returns early and Poll waits again.
//
// Both filters of one descriptor make one Event, as one epoll record does.
// For a Oneshot registration, the filter that did not report is disarmed
// too (EV_DISABLE), so the whole source stays silent until Reregister, as
// with EPOLLONESHOT.
func (p *Poll) translate(raw []rawEvent, out []Event) int {
	p.waiting = false
	clear(p.batch)
	p.followUp = p.followUp[:0]
	n := 0
	for i := range raw {
		k := &raw[i]
		fd := int(k.Ident)
		interest := interestOf(k.Filter)
		reg, ok := p.regs[fd]
		if !ok || reg.interest&interest == 0 {
			continue // deregistered while this record was on its way
		}
		if _, ok := p.changed[fd]; ok {
			p.followUp = adds(p.followUp, fd, reg) // re-check readiness now
			continue
		}
		ev := recordEvent(k)
		if b, ok := p.batch[fd]; ok {
			out[b.index] = merge(out[b.index], ev)
			b.reported |= interest
			p.batch[fd] = b
			continue
		}
		ev.Token = reg.tok
		out[n] = ev
		p.batch[fd] = batchEntry{index: n, reported: interest}
		n++
	}
	for fd, b := range p.batch {
		if reg := p.regs[fd]; reg.mode == Oneshot {
			for _, f := range filters(reg.interest &^ b.reported) {
				p.followUp = append(p.followUp, change(fd, int(f), unix.EV_DISABLE))
			}
		}
	}
	clear(p.changed)
	// NOTE: errors are ignored: a follow-up fails only for a descriptor
	// closed without Deregister, which has no readiness left to report.
	_ = p.apply(p.followUp)
	return n
}

// recordEvent reads one kernel record's readiness (without its token).
func recordEvent(k *unix.Kevent_t) Event {
	var ev Event
	eof := k.Flags&unix.EV_EOF != 0
	switch k.Filter {
	case unix.EVFILT_READ:
		ev.Readable = true
		ev.ReadClosed = eof
	case unix.EVFILT_WRITE:
		ev.Writable = true
		ev.WriteClosed = eof
	}
	// EV_EOF with a non-zero Fflags carries the socket's error.
	if k.Flags&unix.EV_ERROR != 0 || (eof && k.Fflags != 0) {
		ev.Error = true
	}
	return ev
}

// merge is one Event holding the readiness of both.
func merge(a, b Event) Event {
	a.Readable = a.Readable || b.Readable
	a.Writable = a.Writable || b.Writable
	a.Error = a.Error || b.Error
	a.ReadClosed = a.ReadClosed || b.ReadClosed
	a.WriteClosed = a.WriteClosed || b.WriteClosed
	return a
}
