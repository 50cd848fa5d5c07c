//go:build !ex_generation && !ex_generation_wrong_closedflag && !ex_generation_wrong_swapped

package executor

import "github.com/async-from-scratch/course/02-mio-like-poll/poll"

// lookup returns the source that tok was given to, or nil if that source
// was closed since: its slot is free, or holds a newer source registered
// with a newer generation (maybe for the very same descriptor number).
func (ex *Executor) lookup(tok poll.Token) *ioSource {
	idx, gen := uint32(tok), uint32(uint64(tok)>>32)
	if int(idx) >= len(ex.slots) || ex.gens[idx] != gen {
		return nil
	}
	return ex.slots[idx]
}
