//go:build ex_generation_wrong_closedflag

package executor

import "github.com/async-from-scratch/course/02-mio-like-poll/poll"

// lookup, wrong answer for ex_generation: it drops the event when the slot's
// source is closed. But the slot was freed when the old source closed, and
// now holds the new, open one.
func (ex *Executor) lookup(tok poll.Token) *ioSource {
	idx := uint32(tok)
	if int(idx) >= len(ex.slots) {
		return nil
	}
	if s := ex.slots[idx]; s != nil && !s.closed {
		return s
	}
	return nil
}
