// Command holdport runs a command while it holds a free loopback port, so
// that a chapter can show a program failing on a port in use with neither a
// fixed port nor a sleep:
//
//	go run ./internal/cmd/holdport go run ./06-async-echo -addr ADDR
//
// It listens on 127.0.0.1:0, replaces ADDR in the command's arguments with
// the address it holds, runs the command with holdport's standard input,
// output and error, and releases the port when the command ends. The port
// is taken before the command starts, however long that takes to build.
//
// holdport exits 0 once the command ran, whatever the command's own exit
// status: the command reports its failure itself, and a second "exit status
// 1" from go run would only repeat it. It exits 1 when it cannot listen or
// cannot start the command.
package main

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
)

func main() {
	if err := run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "holdport:", err)
		os.Exit(1)
	}
}

// placeholder is the argument text replaced by the held address.
const placeholder = "ADDR"

// run holds a port while the command in args runs.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New("no command: usage: holdport COMMAND [ARG...], where ADDR in an ARG becomes the held address")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	defer ln.Close()
	cmdArgs := make([]string, len(args))
	for i, a := range args {
		cmdArgs[i] = strings.ReplaceAll(a, placeholder, ln.Addr().String())
	}
	cmd := exec.Command(cmdArgs[0], cmdArgs[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdin, stdout, stderr
	err = cmd.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return nil // the command ran and failed; its output says why
	}
	return err
}
