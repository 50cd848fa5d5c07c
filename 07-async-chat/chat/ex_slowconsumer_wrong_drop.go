//go:build ex_slowconsumer_wrong_drop

package chat

// deliver queues line for c without ever waiting: the hub serves everyone,
// so it must not wait for anyone. A client whose queue is full, by lines
// (the channel's capacity) or by bytes (Config.QueueBytes), is kicked:
// disconnected, so that it costs no more memory and slows nobody down.
// A client that already left is skipped.
//
// A wrong answer: it respects both bounds, but drops the line for a full
// client and keeps it connected: the client silently misses messages and
// holds its full queue for ever.
//
//	go test -tags ex_slowconsumer_wrong_drop -run 'TestSlowConsumer' ./07-async-chat/chat
func (s *Server) deliver(c *client, line []byte) {
	if c.slot < 0 {
		return
	}
	if c.queued+len(line) > s.cfg.QueueBytes || c.out.TrySend(line) != nil {
		return // dropped for this client
	}
	c.queued += len(line)
	s.stats.Delivered++
	s.stats.PeakQueuedBytes = max(s.stats.PeakQueuedBytes, c.queued)
}
