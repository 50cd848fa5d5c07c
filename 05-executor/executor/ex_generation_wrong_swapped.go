//go:build ex_generation_wrong_swapped

package executor

import "github.com/async-from-scratch/course/02-mio-like-poll/poll"

// lookup, wrong answer for ex_generation: it checks the generation, but
// reads the token's halves the wrong way round (the slot index is in the
// low 32 bits, the generation in the high 32).
func (ex *Executor) lookup(tok poll.Token) *ioSource {
	idx, gen := uint32(uint64(tok)>>32), uint32(tok)
	if int(idx) >= len(ex.slots) || ex.gens[idx] != gen {
		return nil
	}
	return ex.slots[idx]
}
