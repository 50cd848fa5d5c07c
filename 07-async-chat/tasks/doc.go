// Package tasks is structured concurrency on stage 05's executor: a Group of
// tasks that ends together, and Select over any number of futures of one
// type.
//
//	g := tasks.NewGroup(ex)
//	defer g.Drop()                 // a dropped parent cancels its children
//	g.Spawn(reader)                // each a future.Future[error]
//	g.Spawn(writer)
//	first := future.Await(co, g.Next()) // whichever ends first
//	g.Cancel()                     // drop the other at its next await
//
// # Cancellation
//
// Cancelling a task means dropping its future (future.Drop): a coroutine is
// unwound from the Await it is parked in, its deferred calls run, and it never
// runs past that line. Nothing is interrupted in the middle of a poll: a task
// cancelled while it runs (a member cancelling its own group) is dropped when
// that poll returns. Whatever the dropped future was in the middle of is
// abandoned, which is only safe for futures that are cancel-safe
// (docs/07-async-chat.md has the table).
//
// # States of a member
//
//	Spawn --> running --future ready(err)----------> done: Done{ID, err} queued for Next
//	             |  \---panicked-------------------> done: Done{ID, *executor.PanicError}
//	             +--Cancel, Drop, CancelOnError----> done: Done{ID, executor.ErrAborted}
//
// A Group belongs to the loop goroutine, like the executor's Listener and
// Stream: spawn into it, cancel it and poll its futures from tasks.
//
// # Simplifications
//
//   - NOTE: one task at a time waits on a group (Next or Wait), as on a
//     JoinHandle: the group stores one waker.
//   - NOTE: Select polls every unfinished future on every poll, O(n) per
//     wake. tokio's select! does the same; a JoinSet of many tasks (our
//     Group) is the tool for many.
package tasks
