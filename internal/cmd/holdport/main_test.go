package main

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
)

// childEnv makes the test binary act as the command holdport runs: it tries
// to listen on the address in its arguments and prints what happened.
const childEnv = "HOLDPORT_TEST_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) != "" {
		addr := os.Args[len(os.Args)-1]
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			fmt.Printf("%s: %v\n", addr, err)
			os.Exit(1) // like a program that fails on a port in use
		}
		ln.Close()
		fmt.Printf("%s: free\n", addr)
		return
	}
	os.Exit(m.Run())
}

// TestHoldsThePortWhileTheCommandRuns: the command gets the held address in
// place of ADDR and finds it in use; once run returns, the port is free.
func TestHoldsThePortWhileTheCommandRuns(t *testing.T) {
	t.Setenv(childEnv, "1")
	var out, errOut bytes.Buffer
	err := run([]string{os.Args[0], "-test.run=^$", "ADDR"}, nil, &out, &errOut)
	if err != nil {
		t.Fatalf("run = %v (stderr %q), want nil: the command ran, and its failure is its own", err, errOut.String())
	}
	addr, result, ok := strings.Cut(strings.TrimSpace(out.String()), ": ")
	if !ok || !strings.HasPrefix(addr, "127.0.0.1:") {
		t.Fatalf("the command printed %q, want 127.0.0.1:PORT: ...; was ADDR replaced?", out.String())
	}
	if !strings.Contains(result, "address already in use") {
		t.Errorf("the command's Listen(%s) = %q, want address already in use: the port is not held", addr, result)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("Listen(%s) after run returned = %v, want the port free again", addr, err)
	}
	ln.Close()
}

func TestErrors(t *testing.T) {
	if err := run(nil, nil, nil, nil); err == nil || !strings.Contains(err.Error(), "usage: holdport COMMAND") {
		t.Errorf("run(no command) = %v, want the usage", err)
	}
	err := run([]string{"/does/not/exist", "ADDR"}, nil, nil, nil)
	if !errors.Is(err, syscall.ENOENT) {
		t.Errorf("run(missing command) = %v, want ENOENT", err)
	}
}
