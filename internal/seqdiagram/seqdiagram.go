// Package seqdiagram turns the debug log of a stage program (LOG_LEVEL=debug,
// slog's text format) into a Mermaid sequence diagram whose participants are
// the tasks, the executor, the reactor and the OS. The command
// internal/cmd/seqdiagram runs it; the chapters' diagrams are made by it from
// real runs (see Diagrams), and docs/diagrams_test.go checks they still are.
//
// The diagram is normalised so that two runs that did the same thing give the
// same text: no timestamps, descriptors renamed A, B, C in order of first
// appearance (their numbers depend on what else the process has open), no
// ports, and poll timeouts other than 0 and forever shown as "next timer".
package seqdiagram

import (
	"bufio"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
)

// Window bounds the part of a run a diagram shows.
type Window struct {
	From string // start at the first record whose text matches this regexp ("" = the first record)
	To   string // stop after the first record that matches this regexp ("" = the last record)
	Drop string // leave out records that match this regexp ("" = none)
	Max  int    // at most this many records (0 = no limit)
}

// record is one log line: its message and its attributes.
type record struct {
	line  string
	level string
	msg   string
	attrs map[string]string
}

// parse reads slog text lines; other lines (a program's own output) are
// skipped.
func parse(r io.Reader) ([]record, error) {
	var recs []record
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		attrs := parseAttrs(line)
		if attrs["msg"] == "" || attrs["level"] == "" {
			continue
		}
		recs = append(recs, record{line: line, level: attrs["level"], msg: attrs["msg"], attrs: attrs})
	}
	return recs, sc.Err()
}

// parseAttrs splits `k=v k="quoted v"` pairs.
func parseAttrs(line string) map[string]string {
	attrs := map[string]string{}
	for len(line) > 0 {
		line = strings.TrimLeft(line, " ")
		eq := strings.IndexByte(line, '=')
		if eq <= 0 || strings.ContainsAny(line[:eq], " \"") {
			return attrs
		}
		key, rest := line[:eq], line[eq+1:]
		var val string
		if strings.HasPrefix(rest, `"`) {
			q, err := strconv.QuotedPrefix(rest)
			if err != nil {
				return attrs
			}
			val, _ = strconv.Unquote(q)
			rest = rest[len(q):]
		} else {
			end := strings.IndexByte(rest, ' ')
			if end < 0 {
				end = len(rest)
			}
			val, rest = rest[:end], rest[end:]
		}
		attrs[key] = val
		line = rest
	}
	return attrs
}

// Convert reads a debug log and returns the diagram of w's window of it.
func Convert(r io.Reader, w Window) (string, error) {
	recs, err := parse(r)
	if err != nil {
		return "", err
	}
	recs, err = w.apply(recs)
	if err != nil {
		return "", err
	}
	if len(recs) == 0 {
		return "", fmt.Errorf("seqdiagram: no log records in the window (is LOG_LEVEL=debug set?)")
	}
	d := &diagram{fds: map[string]string{}}
	for _, rec := range recs {
		d.add(rec)
	}
	return d.String(), nil
}

func (w Window) apply(recs []record) ([]record, error) {
	compile := func(s string) (*regexp.Regexp, error) {
		if s == "" {
			return nil, nil
		}
		return regexp.Compile(s)
	}
	from, err := compile(w.From)
	if err != nil {
		return nil, err
	}
	to, err := compile(w.To)
	if err != nil {
		return nil, err
	}
	drop, err := compile(w.Drop)
	if err != nil {
		return nil, err
	}
	var out []record
	started := from == nil
	for _, rec := range recs {
		if !started {
			if !from.MatchString(rec.line) {
				continue
			}
			started = true
		}
		if drop == nil || !drop.MatchString(rec.line) {
			out = append(out, rec)
			if w.Max > 0 && len(out) == w.Max {
				break
			}
		}
		if to != nil && to.MatchString(rec.line) {
			break
		}
	}
	return out, nil
}

// diagram collects the participants and the lines.
type diagram struct {
	tasks    []string          // task ids in order of first appearance
	seenTask map[string]bool   //
	fds      map[string]string // fd number -> A, B, C...
	lines    []string
	current  string // the task being polled, "" between polls
	spawned  string // the task just spawned (its inbox wake is the spawn's)
	lastPoll string // stage 03: the poll number of the last event
}

const (
	exe     = "E"
	reactor = "R"
	osys    = "OS"
	other   = "G"
)

func (d *diagram) task(id string) string {
	if d.seenTask == nil {
		d.seenTask = map[string]bool{}
	}
	if !d.seenTask[id] {
		d.seenTask[id] = true
		d.tasks = append(d.tasks, id)
	}
	return "T" + id
}

// fd names a descriptor by order of first appearance.
func (d *diagram) fd(n string) string {
	if name, ok := d.fds[n]; ok {
		return name
	}
	name := "fd " + string(rune('A'+len(d.fds)%26))
	if len(d.fds) >= 26 {
		name += strconv.Itoa(len(d.fds) / 26)
	}
	d.fds[n] = name
	return name
}

func (d *diagram) emit(format string, args ...any) {
	d.lines = append(d.lines, "  "+fmt.Sprintf(format, args...))
}

// actor is who does what a record reports: the task being polled, or else
// the executor.
func (d *diagram) actor() string {
	if d.current != "" {
		return d.task(d.current)
	}
	return exe
}

func (d *diagram) add(rec record) {
	a := rec.attrs
	switch rec.msg {
	case "task spawned":
		d.emit("%s->>%s: Spawn task %s", d.actor(), exe, a["task"])
		d.task(a["task"])
		d.spawned = a["task"]
		return
	case "wake":
		d.wake(a)
	case "poll task":
		d.current = a["task"]
		d.emit("%s->>%s: poll", exe, d.task(a["task"]))
	case "task idle", "task requeued", "task done", "task dropped":
		d.taskState(rec.msg, a["task"])
	case "register":
		d.emit("%s->>%s: register %s", d.actor(), reactor, d.fd(a["fd"]))
		d.emit("%s->>%s: epoll_ctl ADD %s (edge, read+write)", reactor, osys, d.fd(a["fd"]))
	case "deregister":
		d.emit("%s->>%s: close %s", d.actor(), reactor, d.fd(a["fd"]))
		d.emit("%s->>%s: epoll_ctl DEL %s", reactor, osys, d.fd(a["fd"]))
	case "poll":
		d.emit("%s->>%s: epoll_wait(timeout %s)", reactor, osys, timeout(a["timeout"]))
		if a["events"] == "0" {
			d.emit("%s-->>%s: timed out, no events", osys, reactor)
		}
	case "event":
		d.event(a)
	case "timer fired":
		d.emit("Note over %s: timer fired", reactor)
	case "stale event dropped":
		d.emit("Note over %s: stale event dropped (old generation)", reactor)
	case "running callbacks from the worker":
		d.emit("%s->>%s: run the worker's callbacks", exe, exe)
	default:
		if rec.level != "DEBUG" {
			d.emit("Note over %s: %s", d.actor(), rec.msg)
		}
	}
	d.spawned = ""
}

func (d *diagram) wake(a map[string]string) {
	id := a["task"]
	if a["via"] != "inbox" {
		from := reactor
		if d.current != "" {
			from = d.task(d.current)
		}
		d.emit("%s->>%s: wake task %s (run queue)", from, exe, id)
		return
	}
	if id == d.spawned {
		return // Spawn's own enqueue
	}
	d.emit("%s->>%s: wake task %s (inbox)", other, exe, id)
	if a["set"] == "true" {
		d.emit("%s->>%s: eventfd write (Set: the loop sleeps)", other, osys)
	}
}

func (d *diagram) taskState(msg, id string) {
	t := d.task(id)
	switch {
	case msg == "task idle":
		d.emit("%s-->>%s: Pending", t, exe)
	case msg == "task requeued":
		d.emit("%s-->>%s: Pending, but woken meanwhile: requeued", t, exe)
	case msg == "task done" && d.current == id:
		d.emit("%s-->>%s: Ready", t, exe)
	case msg == "task done":
		d.emit("%s->>%s: done (aborted or dropped)", exe, t)
		return
	case msg == "task dropped":
		d.emit("%s->>%s: drop (BlockOn returned)", exe, t)
		return
	}
	d.current = ""
}

func (d *diagram) event(a map[string]string) {
	if p, ok := a["poll"]; ok { // stage 03's loop: one line per event, with its poll's number
		if p != d.lastPoll {
			d.lastPoll = p
			d.emit("%s->>%s: epoll_wait", exe, osys)
		}
		what := a["event"]
		if i := strings.Index(what, ": "); i >= 0 {
			what = what[i+2:]
		}
		d.emit("%s-->>%s: %s: %s", osys, exe, a["source"], what)
		return
	}
	if a["source"] == "wakeup" {
		d.emit("%s-->>%s: eventfd readable (a wake from another goroutine)", osys, reactor)
		return
	}
	var what []string
	for _, k := range []string{"readable", "writable", "readclosed", "writeclosed", "error"} {
		if a[k] == "true" {
			what = append(what, k)
		}
	}
	d.emit("%s-->>%s: %s %s", osys, reactor, d.fd(a["fd"]), strings.Join(what, "+"))
}

// timeout normalises a poll timeout: 0s and forever are kept, a timer's
// remaining time varies from run to run.
func timeout(s string) string {
	switch s {
	case "forever", "0s":
		return s
	}
	return "next timer"
}

// uses reports whether a line has participant id at either end.
func (d *diagram) uses(id string) bool {
	for _, l := range d.lines {
		l = strings.TrimSpace(l)
		if strings.HasPrefix(l, id+"->>") || strings.HasPrefix(l, id+"-->>") ||
			strings.Contains(l, ">>"+id+":") || strings.HasPrefix(l, "Note over "+id+":") {
			return true
		}
	}
	return false
}

// String returns the Mermaid text.
func (d *diagram) String() string {
	var b strings.Builder
	b.WriteString("sequenceDiagram\n")
	for _, id := range d.tasks {
		fmt.Fprintf(&b, "  participant T%s as task %s\n", id, id)
	}
	for _, p := range []struct{ id, name string }{{exe, "executor"}, {reactor, "reactor"}, {osys, "OS"}, {other, "other goroutine"}} {
		if d.uses(p.id) {
			fmt.Fprintf(&b, "  participant %s as %s\n", p.id, p.name)
		}
	}
	for _, l := range d.lines {
		b.WriteString(l)
		b.WriteByte('\n')
	}
	return b.String()
}
