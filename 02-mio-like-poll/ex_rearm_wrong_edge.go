//go:build ex_rearm_wrong_edge

package main

import "github.com/async-from-scratch/course/02-mio-like-poll/poll"

// rearm, wrong answer for ex_rearm: it re-arms, but in Edge mode, so the
// source is no longer oneshot after its first event.
func rearm(p *poll.Poll, src poll.Source, tok poll.Token) error {
	return p.Reregister(src, tok, poll.Readable, poll.Edge)
}
