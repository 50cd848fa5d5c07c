//go:build !ex_rearm && !ex_rearm_wrong_edge && !ex_rearm_wrong_register

package main

import "github.com/async-from-scratch/course/02-mio-like-poll/poll"

// rearm re-arms a Oneshot source after its event, so the next readiness is
// reported too. A Oneshot source stays registered but silent after one event
// (EPOLLONESHOT, EV_DISPATCH); Register again would fail with EEXIST.
//
// Exercise ex_rearm (docs/02-mio-like-poll.md).
func rearm(p *poll.Poll, src poll.Source, tok poll.Token) error {
	return p.Reregister(src, tok, poll.Readable, poll.Oneshot)
}
