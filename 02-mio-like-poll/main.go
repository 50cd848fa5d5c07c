package main

import (
	"fmt"
	"io"
	"os"

	"github.com/async-from-scratch/course/02-mio-like-poll/poll"
	"github.com/async-from-scratch/course/internal/demo"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "02-mio-like-poll:", err)
		os.Exit(1)
	}
}

// program lists the demos in the order the chapter shows them; the first is
// the main one. Each parses its own flags.
var program = demo.Program{
	Name:  "02-mio-like-poll",
	Usage: "<demo> [flags]",
	Demos: []demo.Demo{
		{Name: "tcp", What: "the blog's PING/PONG between a server and a client, on Poll (flags: -rounds)", Run: tcpDemo},
		{Name: "timeout", What: "Poll with nothing registered returns 0 events after its timeout (flag: -wait)", Run: timeoutDemo},
		{Name: "spurious", What: "an event, then accept and read say would-block anyway; the loop shrugs", Run: demo.NoFlags(spuriousDemo)},
		{Name: "level", What: "8 bytes arrive, 4 read per event: level-triggered reports unread data again", Run: labDemo(poll.Level)},
		{Name: "edge", What: "the same under edge triggering: one event per burst, the rest stranded", Run: labDemo(poll.Edge)},
		{Name: "oneshot", What: "the same under oneshot: one event, silence, then Reregister re-arms", Run: labDemo(poll.Oneshot)},
		{Name: "drain", What: "edge-triggered reading done right: read until would-block", Run: demo.NoFlags(drainDemo)},
		{Name: "still-block", What: "a slow println inside the loop delays every connection; on a worker it does not (flag: -delay)", Run: stillBlockDemo},
	},
}

// run is the whole program; main only adds the exit status.
func run(args []string, stdout, stderr io.Writer) error {
	return program.Run(args, stdout, stderr)
}
