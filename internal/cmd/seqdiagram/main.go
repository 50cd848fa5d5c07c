// Command seqdiagram draws a Mermaid sequence diagram from a stage program's
// debug log. Two ways to use it:
//
//	LOG_LEVEL=debug go run ./05-executor tcp 2>&1 | go run ./internal/cmd/seqdiagram
//	go run ./internal/cmd/seqdiagram -from 'msg="poll task"' -max 30 < run.log
//
// draws any run (-from, -to, -drop and -max bound the window), and
//
//	go run ./internal/cmd/seqdiagram -w
//
// runs the chapters' demos again (seqdiagram.Diagrams) and rewrites their
// diagrams in docs/diagrams; run it from the repository's root.
// `go test ./docs` fails when a diagram no longer matches a fresh run.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/async-from-scratch/course/internal/seqdiagram"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "seqdiagram:", err)
		os.Exit(1)
	}
}

func run() error {
	write := flag.Bool("w", false, "run the chapters' demos and rewrite docs/diagrams/*.mmd")
	var w seqdiagram.Window
	flag.StringVar(&w.From, "from", "", "start at the first log record matching this regexp")
	flag.StringVar(&w.To, "to", "", "stop after the first log record matching this regexp")
	flag.StringVar(&w.Drop, "drop", "", "leave out log records matching this regexp")
	flag.IntVar(&w.Max, "max", 0, "at most this many log records (0: all)")
	flag.Parse()
	if flag.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q (the log comes on standard input)", flag.Args())
	}
	if !*write {
		out, err := seqdiagram.Convert(os.Stdin, w)
		if err != nil {
			return err
		}
		_, err = os.Stdout.WriteString(out)
		return err
	}
	for _, d := range seqdiagram.Diagrams {
		out, err := d.Generate(".")
		if err != nil {
			return fmt.Errorf("%s: %w", d.File, err)
		}
		name := filepath.Join("docs", "diagrams", d.File)
		if err := os.WriteFile(name, []byte(out), 0o644); err != nil {
			return err
		}
		fmt.Println("wrote", name)
	}
	return nil
}
