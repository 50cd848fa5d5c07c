//go:build ex_slowconsumer_wrong_wait

package chat

import "time"

// deliver queues line for c without ever waiting: the hub serves everyone,
// so it must not wait for anyone. A client whose queue is full, by lines
// (the channel's capacity) or by bytes (Config.QueueBytes), is kicked:
// disconnected, so that it costs no more memory and slows nobody down.
// A client that already left is skipped.
//
// A wrong answer: it keeps both bounds and loses no line, by waiting until
// the client's writer makes room. But deliver runs in the hub, on the
// executor's goroutine: while it waits, nobody else gets a message, and
// the writer that would make the room never runs.
//
//	go test -tags ex_slowconsumer_wrong_wait -run 'TestSlowConsumer' ./07-async-chat/chat
func (s *Server) deliver(c *client, line []byte) {
	if c.slot < 0 {
		return
	}
	for c.queued+len(line) > s.cfg.QueueBytes || c.out.TrySend(line) != nil {
		time.Sleep(time.Millisecond) // wait for room
	}
	c.queued += len(line)
	s.stats.Delivered++
	s.stats.PeakQueuedBytes = max(s.stats.PeakQueuedBytes, c.queued)
}
