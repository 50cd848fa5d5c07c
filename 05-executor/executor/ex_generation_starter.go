//go:build ex_generation

package executor

import "github.com/async-from-scratch/course/02-mio-like-poll/poll"

// lookup returns the source that tok was given to, or nil if that source
// was closed since.
//
// Exercise ex_generation (docs/05-executor.md): this version finds the slot
// but forgets the generation, so an event for a closed descriptor reaches
// whoever got the slot (and the descriptor number) next. Check with:
//
//	go test -tags ex_generation -run 'TestStaleEvent' ./05-executor/executor
func (ex *Executor) lookup(tok poll.Token) *ioSource {
	idx := uint32(tok)
	if int(idx) >= len(ex.slots) {
		return nil
	}
	return ex.slots[idx] // TODO(ex_generation): compare the token's generation (high 32 bits) with ex.gens[idx]
}
