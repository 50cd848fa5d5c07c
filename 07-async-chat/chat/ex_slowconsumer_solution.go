//go:build !ex_slowconsumer && !ex_slowconsumer_wrong_drop && !ex_slowconsumer_wrong_linesonly && !ex_slowconsumer_wrong_wait

package chat

// deliver queues line for c without ever waiting: the hub serves everyone,
// so it must not wait for anyone. A client whose queue is full, by lines
// (the channel's capacity) or by bytes (Config.QueueBytes), is kicked:
// disconnected, so that it costs no more memory and slows nobody down.
// A client that already left is skipped.
//
// Exercise ex_slowconsumer (docs/07-async-chat.md). Check your work with:
//
//	go test -tags ex_slowconsumer -run 'TestSlowConsumer' ./07-async-chat/chat
func (s *Server) deliver(c *client, line []byte) {
	if c.slot < 0 {
		return
	}
	if c.queued+len(line) > s.cfg.QueueBytes || c.out.TrySend(line) != nil {
		s.kick(c)
		return
	}
	c.queued += len(line)
	s.stats.Delivered++
	s.stats.PeakQueuedBytes = max(s.stats.PeakQueuedBytes, c.queued)
}
