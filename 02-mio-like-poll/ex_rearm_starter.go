//go:build ex_rearm

package main

import "github.com/async-from-scratch/course/02-mio-like-poll/poll"

// rearm re-arms a Oneshot source after its event, so the next readiness is
// reported too. A Oneshot source stays registered but silent after one event
// (EPOLLONESHOT, EV_DISPATCH); Register again would fail with EEXIST.
//
// Exercise ex_rearm (docs/02-mio-like-poll.md). Check your work with:
//
//	go test -tags ex_rearm -run 'TestLab|TestRearm' ./02-mio-like-poll
func rearm(p *poll.Poll, src poll.Source, tok poll.Token) error {
	_, _, _ = p, src, tok
	return nil // TODO(ex_rearm): tell p to watch src again, with the same token, interest and mode.
}
