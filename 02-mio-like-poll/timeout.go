package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/async-from-scratch/course/02-mio-like-poll/poll"
	"github.com/async-from-scratch/course/internal/demo"
)

// timeoutDemo polls with nothing registered: Poll sleeps in the kernel for
// the timeout and returns zero events. This is how an event loop waits for
// its next timer.
func timeoutDemo(args []string, stdout io.Writer, _ *slog.Logger) error {
	fs := flag.NewFlagSet("timeout", flag.ContinueOnError)
	wait := fs.Duration("wait", 100*time.Millisecond, "Poll's timeout")
	if err := demo.ParseFlags(fs, args, stdout); err != nil {
		return err
	}
	if *wait < 0 || *wait > 10*time.Second {
		return fmt.Errorf("-wait %v: want 0 to 10s", *wait)
	}
	p, err := poll.New()
	if err != nil {
		return err
	}
	defer p.Close()
	events := poll.NewEvents(8)
	start := time.Now()
	n, err := p.Poll(events, *wait)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Poll(events, %v) with nothing registered: %d events after %v\n",
		*wait, n, time.Since(start).Round(100*time.Microsecond))
	return nil
}
