// Package chat is a line-based chat server on stage 05's executor: tasks that
// talk to each other through channels, a hub that never waits for a client,
// and a task group per connection.
//
//	ex, _ := executor.New(executor.Options{})
//	srv, _ := chat.Listen(ex, chat.Config{Addr: "127.0.0.1:7879"})
//	executor.BlockOn(ex, srv.Serve(&stop))
//
// # Tasks and channels
//
//	              hub inbox (one Chan[event], bounded)       per client: out (Chan[[]byte], bounded)
//	reader 1 --Send--> +----------+                     +--TrySend--> out 1 --PollRecv--> writer 1 --> socket
//	reader 2 --Send--> |   hub    | names, clients      +--TrySend--> out 2 --PollRecv--> writer 2 --> socket
//	reader 3 --Send--> +----------+ ------------------- +--TrySend--> out 3 ...
//
// Each connection is one task (serveConn) that owns a group of two: a
// reader (a coroutine: read, split lines, Send events to the hub) and a
// writer (a hand-written future: take lines from out, write them in
// batches). The hub is the only task that touches nicknames and the client
// list, so two /nick for one name are decided by the order the hub receives
// them: exactly one wins.
//
// # The rule that keeps it live: the hub never waits for a client
//
// Readers wait to Send into the hub (back-pressure: a flood pauses the
// flooder's reads). The hub only TrySends into clients' queues. If the hub
// awaited a client's Send, one client that stops reading would stall the
// hub, and through it every reader: the bounded-channel deadlock of the
// chapter. Instead a client whose queue is full (Config.QueueLines lines or
// Config.QueueBytes bytes) is disconnected: its writer says "! too slow" if
// the socket takes it, and everyone else goes on. Server memory is bounded
// by the clients times these limits (Stats.PeakQueuedBytes shows it).
//
// # States of a connection
//
//	join --> chatting --reader ends (EOF, /quit, error)--> leaving: hub announces, closes out,
//	            |                                          writer flushes (at most Grace), close
//	            +--writer ends (kicked, write error, out closed at shutdown)--> reader cancelled, close
//
// # Simplifications
//
//   - NOTE: one executor, one core. Fan-out to N clients is N TrySends and N
//     writes on one goroutine; the benchmark shows where that wins and loses.
//   - NOTE: a message line is shared by all its receivers (one allocation);
//     the writer copies lines into a per-client batch buffer for one write
//     system call per batch. writev(2) would save the copy.
package chat
