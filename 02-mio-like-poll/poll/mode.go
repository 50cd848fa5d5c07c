package poll

import "strconv"

// Mode says when a ready source is reported.
type Mode uint8

const (
	// Level reports a source on every Poll for as long as it is ready:
	// four unread bytes are reported again and again until they are read.
	// epoll's default; kqueue's default.
	Level Mode = iota
	// Edge reports a source when it becomes ready, once. Read (or write)
	// until would-block before polling again, or the next report only
	// comes when new data arrives. EPOLLET; EV_CLEAR.
	Edge
	// Oneshot reports a source once and then silences it until Reregister
	// re-arms it: the whole source, both directions. EPOLLONESHOT;
	// EV_DISPATCH, plus EV_DISABLE of the filter that did not fire.
	Oneshot
)

// String returns "level", "edge" or "oneshot".
func (m Mode) String() string {
	switch m {
	case Level:
		return "level"
	case Edge:
		return "edge"
	case Oneshot:
		return "oneshot"
	}
	return "Mode(" + strconv.Itoa(int(m)) + ")"
}
