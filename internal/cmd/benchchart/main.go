// Command benchchart draws the charts of docs/benchmarks.md from the output
// of stage 06's benchmarks (go test -bench), read from files or stdin:
//
//	go test -run '^$' -bench Echo -benchtime 3s -count 3 ./06-async-echo > docs/bench/echo.txt
//	go test -run '^$' -bench IdleMemory -benchtime 1x ./06-async-echo > docs/bench/idle.txt
//	go run ./internal/cmd/benchchart -out docs -md docs/benchmarks.md docs/bench/echo.txt docs/bench/idle.txt
//
// It writes bench-echo-64.svg and bench-echo-4096.svg (messages per second by
// connection count, one line per server; the median of the -count runs) and
// bench-idle.svg (bytes of resident memory per idle connection) into -out,
// each only when its benchmark is in the input. With -md it also rewrites the
// tables between the benchchart markers in that Markdown file.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

func main() {
	if err := run(os.Args[1:], os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "benchchart:", err)
		os.Exit(1)
	}
}

func run(args []string, stdin io.Reader, stdout io.Writer) error {
	fs := flag.NewFlagSet("benchchart", flag.ContinueOnError)
	out := fs.String("out", ".", "the folder to write the charts into")
	format := fs.String("format", "svg", "the charts' file format: svg, or png to look at them without a browser")
	mdFile := fs.String("md", "", "a Markdown file whose generated tables to rewrite (docs/benchmarks.md)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *format != "svg" && *format != "png" {
		return fmt.Errorf("-format %q: want svg or png", *format)
	}
	var inputs []io.Reader
	for _, name := range fs.Args() {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		defer f.Close()
		inputs = append(inputs, f)
	}
	if len(inputs) == 0 {
		inputs = append(inputs, stdin)
	}
	res := newResults()
	for _, in := range inputs {
		if err := res.parse(in); err != nil {
			return err
		}
	}
	if res.empty() {
		return fmt.Errorf("no BenchmarkEcho or BenchmarkIdleMemory results in the input")
	}
	for _, size := range res.sizes() {
		name := filepath.Join(*out, fmt.Sprintf("bench-echo-%d.%s", size, *format))
		if err := echoChart(res, size).Save(chartWidth, chartHeight, name); err != nil {
			return err
		}
		fmt.Fprintln(stdout, "wrote", name)
	}
	if len(res.idle) > 0 {
		p, err := idleChart(res)
		if err != nil {
			return err
		}
		name := filepath.Join(*out, "bench-idle."+*format)
		if err := p.Save(chartWidth, chartHeight, name); err != nil {
			return err
		}
		fmt.Fprintln(stdout, "wrote", name)
	}
	if *mdFile != "" {
		md, err := os.ReadFile(*mdFile)
		if err != nil {
			return err
		}
		fresh, err := replaceTables(string(md), tables(res))
		if err != nil {
			return fmt.Errorf("%s: %w", *mdFile, err)
		}
		if err := os.WriteFile(*mdFile, []byte(fresh), 0o644); err != nil {
			return err
		}
		fmt.Fprintln(stdout, "wrote the tables of", *mdFile)
	}
	return nil
}
