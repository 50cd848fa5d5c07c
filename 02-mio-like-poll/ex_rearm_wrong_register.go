//go:build ex_rearm_wrong_register

package main

import "github.com/async-from-scratch/course/02-mio-like-poll/poll"

// rearm, wrong answer for ex_rearm: Register again. The source is still
// registered (only silent), so the poller refuses it.
func rearm(p *poll.Poll, src poll.Source, tok poll.Token) error {
	return p.Register(src, tok, poll.Readable, poll.Oneshot)
}
