// Package lab is the cancellation-safety lab: the same framed protocol read
// four ways, one of them wrong, and the bounded-channel deadlock with its fix.
//
// # The bug
//
// A frame is a 2-byte big-endian length and that many bytes. ReadNaive reads
// frames with Timeout(ReadFull(...)) in a retry loop, the way one polls for a
// shutdown flag between reads. When a timeout fires in the middle of a frame,
// Timeout drops the ReadFull, and with it the bytes it had already taken
// from the socket: the retry reads from the middle of the frame, and the
// stream is out of step for good.
//
// # Three fixes
//
//   - ReadKeepFuture keeps the ReadFull and polls it again after a timeout:
//     the future, and its progress, survive.
//   - ReadInConn keeps the progress in the connection (a FrameReader), the
//     way stage 06's echo connection keeps its state: whatever future is
//     dropped holds nothing.
//   - ReadOrClose does not retry: a timeout closes the connection, which is
//     the only safe thing to do with a stream after a read that is not
//     cancel-safe was cancelled.
//
// # The deadlock
//
// Exchange runs two tasks that each send n values into the other's bounded
// inbox. Written as "send all, then receive" (SendThenReceive), both fill
// the other's inbox and wait to send, forever; nothing is wrong with the
// channel. Written with Select over the next send and the next receive
// (SendWhileReceiving), each keeps draining its own inbox while it waits.
package lab
