// 07-async-chat is the course's epilogue, beyond the blog: tasks that talk to
// each other. A bounded channel built from wakers, a task group that ends
// together, n-way select, a cancellation-safety lab, and a chat server whose
// slow consumers never slow anyone else, all on the executor of stage 05.
//
// # Run it
//
//	go run ./07-async-chat                 # chat server on 127.0.0.1:7879
//	nc -N 127.0.0.1 7879                   # join it (twice, in two terminals)
//	LOG_LEVEL=debug go run ./07-async-chat # also the tasks and the channel traffic
//	go run ./07-async-chat selftest        # server, clients, shutdown, exit 0
//	go run ./07-async-chat cancel          # a cancelled ReadFull loses bytes, and three fixes
//	go run ./07-async-chat deadlock        # two tasks, two full channels, and the fix
//	go run ./07-async-chat demos           # the demo names
//
// Flags: -addr, -queue-lines N, -queue-bytes N, -grace DURATION.
//
// # Read in this order
//
// channel/chan.go, channel/poll.go and channel/ex_forget_solution.go (the
// channel and its waiter lists), tasks/group.go and tasks/select.go, lab/
// (cancellation safety and the deadlock), chat/hub.go, chat/conn.go and
// chat/server.go (the server), main.go.
//
// The chapter is docs/07-async-chat.md.
package main
