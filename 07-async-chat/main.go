package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/async-from-scratch/course/04-futures/future"
	"github.com/async-from-scratch/course/05-executor/executor"
	"github.com/async-from-scratch/course/07-async-chat/chat"
	"github.com/async-from-scratch/course/07-async-chat/lab"
	"github.com/async-from-scratch/course/internal/demo"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "07-async-chat:", err)
		os.Exit(1)
	}
}

// run is the program. It installs the SIGINT/SIGTERM handler and the
// SIGUSR1 task dump, and stops both again before returning.
func run(args []string, stdout, stderr io.Writer) error {
	defer executor.DumpOnSignal(stderr)() // kill -USR1 PID prints every task (docs/stuck-task.md)
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(sigs)
	return serve(args, stdout, stderr, sigs, readyHook)
}

// options are the executor options of the program: the log, and the
// lost-waker detector when DETECT_LOST_WAKERS is set (docs/stuck-task.md).
func options(log *slog.Logger) executor.Options {
	return executor.Options{Logger: log, DetectLostWakers: os.Getenv("DETECT_LOST_WAKERS") != ""}
}

// readyHook, when set by a test, learns the address the server listens on.
var readyHook func(addr string)

func serve(args []string, stdout, stderr io.Writer, sigs <-chan os.Signal, ready func(addr string)) error {
	return demo.Program{
		Name:  "07-async-chat",
		Usage: "[server flags] | <demo> [flags]",
		Default: func(args []string, stdout io.Writer, log *slog.Logger) error {
			return server(args, stdout, log, sigs, ready)
		},
		Demos: demos,
	}.Run(args, stdout, stderr)
}

var demos = []demo.Demo{
	{Name: "selftest", What: "start the chat server on 127.0.0.1:0, let three clients talk, shut it down, exit 0", Run: demo.NoFlags(selftest)},
	{Name: "cancel", What: "a Timeout(ReadFull) retry loop loses bytes mid-frame; three fixes that do not", Run: demo.NoFlags(cancelDemo)},
	{Name: "deadlock", What: "two tasks, two full channels: the deadlock under a watchdog, then the fix", Run: demo.NoFlags(deadlockDemo)},
}

// server parses the server's flags and serves until a signal.
func server(args []string, stdout io.Writer, log *slog.Logger, sigs <-chan os.Signal, ready func(addr string)) error {
	fs := flag.NewFlagSet("server", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:7879", "address to listen on")
	lines := fs.Int("queue-lines", 1024, "a client's outgoing queue, in lines; a client whose queue is full is disconnected")
	bytes := fs.Int("queue-bytes", 256<<10, "a client's outgoing queue, in bytes")
	grace := fs.Duration("grace", 5*time.Second, "on SIGINT/SIGTERM, how long clients may take to read what they are owed")
	if err := demo.ParseFlags(fs, args, stdout); err != nil {
		return err
	}
	switch {
	case *lines < 1:
		return errors.New("-queue-lines must be at least 1")
	case *bytes < chat.MaxLine+1:
		return fmt.Errorf("-queue-bytes must be at least %d (one line)", chat.MaxLine+1)
	case *grace <= 0:
		return errors.New("-grace must be positive")
	}
	return serveUntil(chat.Config{Addr: *addr, QueueLines: *lines, QueueBytes: *bytes, Grace: *grace, Logger: log}, log, sigs, ready)
}

// serveUntil runs the server on one executor until a signal arrives.
func serveUntil(cfg chat.Config, log *slog.Logger, sigs <-chan os.Signal, ready func(string)) error {
	ex, err := executor.New(options(log))
	if err != nil {
		return err
	}
	srv, err := chat.Listen(ex, cfg)
	if err != nil {
		ex.Close()
		return err
	}
	var stop executor.Notify
	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case sig := <-sigs:
			log.Info("signal", "signal", sig.String())
			stop.Notify() // reaches the loop through the executor's custom event
		case <-done:
		}
	}()
	if ready != nil {
		ready(srv.Addr().String())
	}
	result, err := executor.BlockOn(ex, srv.Serve(&stop))
	if err != nil {
		return err
	}
	return result
}

// selftest starts the server on an ephemeral port, connects three clients
// (net.Conn: the demo is the client here, as nc would be), lets them talk,
// and stops the server through the path a signal takes.
func selftest(stdout io.Writer, log *slog.Logger) error {
	sigs := make(chan os.Signal, 1)
	addrc := make(chan string, 1)
	errc := make(chan error, 1)
	go func() {
		errc <- serveUntil(chat.Config{Addr: "127.0.0.1:0", Grace: time.Second, Logger: log}, log, sigs, func(a string) { addrc <- a })
	}()
	var addr string
	select {
	case addr = <-addrc:
	case err := <-errc:
		return err
	}
	fmt.Fprintln(stdout, "server listening")
	err := talk(stdout, addr)
	sigs <- syscall.SIGTERM
	if serr := <-errc; serr != nil {
		return serr
	}
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, "server stopped cleanly")
	return nil
}

// talk is the selftest's conversation: what each client reads is printed.
func talk(stdout io.Writer, addr string) error {
	var clients []*bufio.ReadWriter
	for range 3 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			return err
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(10 * time.Second))
		clients = append(clients, bufio.NewReadWriter(bufio.NewReader(c), bufio.NewWriter(c)))
	}
	read := func(i int) (string, error) {
		s, err := clients[i].ReadString('\n')
		if err != nil {
			return "", fmt.Errorf("client %d: %w", i, err)
		}
		return strings.TrimSuffix(s, "\n"), nil
	}
	say := func(i int, line string) error {
		fmt.Fprintf(stdout, "client %d says  %s\n", i, line)
		clients[i].WriteString(line + "\n")
		return clients[i].Flush()
	}
	for i := range clients { // each reads its welcome, and the later joins
		for range 3 - i {
			s, err := read(i)
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "client %d reads %s\n", i, s)
		}
	}
	steps := []struct {
		who   int
		line  string
		reads []int // who reads one line after it
	}{
		{0, "/nick ada", []int{0, 1, 2}},
		{1, "hello, ada", []int{0, 2}},
		{2, "/who", []int{2}},
		{2, "/quit", []int{0, 1}},
	}
	for _, st := range steps {
		if err := say(st.who, st.line); err != nil {
			return err
		}
		for _, i := range st.reads {
			s, err := read(i)
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "client %d reads %s\n", i, s)
		}
	}
	return nil
}

// cancelDemo runs the lab's four frame readers against a peer that pauses
// in the middle of a frame for longer than the readers' timeout.
func cancelDemo(stdout io.Writer, log *slog.Logger) error {
	fmt.Fprintln(stdout, "the peer sends 3 frames and pauses 500ms in the middle of the second;")
	fmt.Fprintln(stdout, "each reader gives up a read after 30ms and tries again")
	readers := []struct {
		name string
		read func(*executor.Executor, *executor.Stream, time.Duration) future.Future[lab.Frames]
	}{
		{"naive: Timeout(ReadFull) in a retry loop", lab.ReadNaive},
		{"fix 1: keep the future, poll it again", lab.ReadKeepFuture},
		{"fix 2: keep the progress in the connection", lab.ReadInConn},
		{"fix 3: close the connection on a timeout", lab.ReadOrClose},
	}
	for _, r := range readers {
		got, err := readFramesFromPeer(log, r.read)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%-44s %q, then %v\n", r.name+":", got.Frames, got.Err)
	}
	return nil
}

// readFramesFromPeer runs read on a new executor against a net.Conn peer
// that writes frames with a pause in the middle of the second.
func readFramesFromPeer(log *slog.Logger, read func(*executor.Executor, *executor.Stream, time.Duration) future.Future[lab.Frames]) (lab.Frames, error) {
	ex, err := executor.New(options(log))
	if err != nil {
		return lab.Frames{}, err
	}
	ln, err := ex.Listen("127.0.0.1:0")
	if err != nil {
		ex.Close()
		return lab.Frames{}, err
	}
	peer, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		ex.Close()
		return lab.Frames{}, err
	}
	defer peer.Close()
	go func() {
		lab.WriteFrame(peer, []byte("first frame"))
		second := []byte("second frame, sent in two pieces")
		peer.Write([]byte{0, byte(len(second))})
		peer.Write(second[:len(second)/2])
		time.Sleep(500 * time.Millisecond)
		peer.Write(second[len(second)/2:])
		lab.WriteFrame(peer, []byte("third frame"))
		peer.(*net.TCPConn).CloseWrite()
	}()
	return executor.BlockOn(ex, future.Async(func(co *future.Co) lab.Frames {
		st, err := future.Await(co, ln.Accept()).Get()
		if err != nil {
			return lab.Frames{Err: err}
		}
		defer st.Close()
		return future.Await(co, read(ex, st, 30*time.Millisecond))
	}))
}

// deadlockDemo runs the lab's exchange both ways.
func deadlockDemo(stdout io.Writer, log *slog.Logger) error {
	for _, p := range []struct {
		name     string
		peer     lab.Peer
		n        int
		watchdog time.Duration
	}{
		{"send all, then receive", lab.SendThenReceive, 10, 500 * time.Millisecond},
		{"send while receiving (Select)", lab.SendWhileReceiving, 1000, 20 * time.Second},
	} {
		ex, err := executor.New(options(log))
		if err != nil {
			return err
		}
		r, err := executor.BlockOn(ex, lab.Exchange(ex, p.peer, p.n, 2, ex.Sleep(p.watchdog)))
		if err != nil {
			return err
		}
		if r.Err != nil {
			fmt.Fprintf(stdout, "%-30s %d values each way, inboxes of 2: %v (after %v the inboxes hold %v)\n", p.name+":", p.n, r.Err, p.watchdog, r.Value)
			continue
		}
		fmt.Fprintf(stdout, "%-30s %d values each way, inboxes of 2: each peer received %v\n", p.name+":", p.n, r.Value)
	}
	return nil
}
