//go:build ex_slowconsumer_wrong_linesonly

package chat

// deliver queues line for c without ever waiting: the hub serves everyone,
// so it must not wait for anyone. A client whose queue is full, by lines
// (the channel's capacity) or by bytes (Config.QueueBytes), is kicked:
// disconnected, so that it costs no more memory and slows nobody down.
// A client that already left is skipped.
//
// A wrong answer: it kicks a client whose channel is full, but counts only
// lines: with long lines, a client can hold QueueLines times 4 KiB.
//
//	go test -tags ex_slowconsumer_wrong_linesonly -run 'TestSlowConsumer' ./07-async-chat/chat
func (s *Server) deliver(c *client, line []byte) {
	if c.slot < 0 {
		return
	}
	if c.out.TrySend(line) != nil {
		s.kick(c)
		return
	}
	c.queued += len(line)
	s.stats.Delivered++
	s.stats.PeakQueuedBytes = max(s.stats.PeakQueuedBytes, c.queued)
}
