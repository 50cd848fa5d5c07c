package poll

import (
	"strconv"
	"strings"
)

// Event is one readiness report. It is a plain comparable value, so tests can
// compare events with == or cmp.Diff.
type Event struct {
	Token Token // the token the source was registered with

	Readable bool // a read (or accept) may make progress
	Writable bool // a write (or a pending connect) may make progress
	Error    bool // the source has an error pending (SO_ERROR tells which)
	// ReadClosed: the peer shut down its write side or hung up; reads will
	// drain what is buffered, then report end of file.
	ReadClosed bool
	// WriteClosed: writing can no longer succeed (the connection hung up).
	WriteClosed bool
}

// String formats the event as "token 1: readable|read-closed".
func (ev Event) String() string {
	var flags []string
	for _, f := range []struct {
		on   bool
		name string
	}{
		{ev.Readable, "readable"},
		{ev.Writable, "writable"},
		{ev.Error, "error"},
		{ev.ReadClosed, "read-closed"},
		{ev.WriteClosed, "write-closed"},
	} {
		if f.on {
			flags = append(flags, f.name)
		}
	}
	if len(flags) == 0 {
		flags = append(flags, "none")
	}
	return "token " + strconv.FormatUint(uint64(ev.Token), 10) + ": " + strings.Join(flags, "|")
}
