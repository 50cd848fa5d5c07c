package poll

import "iter"

// Events is the buffer Poll fills: a fixed capacity chosen by the caller, the
// events of the last Poll call, and an iterator over them. Reuse one Events
// for every call; Poll allocates nothing.
//
// If more sources are ready than the capacity, the kernel keeps the rest for
// the next Poll call: nothing is lost, only delayed.
type Events struct {
	raw  []rawEvent // the kernel's records, len == capacity
	list []Event    // the translated events of the last Poll, cap == capacity
}

// NewEvents returns an Events that holds up to capacity events. Poll rejects
// a zero capacity.
func NewEvents(capacity int) *Events {
	capacity = max(capacity, 0)
	return &Events{
		raw:  make([]rawEvent, capacity),
		list: make([]Event, 0, capacity),
	}
}

// Cap returns the capacity given to NewEvents.
func (e *Events) Cap() int { return len(e.raw) }

// Len returns how many events the last Poll call returned.
func (e *Events) Len() int { return len(e.list) }

// All iterates over the events of the last Poll call, in the kernel's order.
func (e *Events) All() iter.Seq[Event] {
	return func(yield func(Event) bool) {
		for _, ev := range e.list {
			if !yield(ev) {
				return
			}
		}
	}
}
