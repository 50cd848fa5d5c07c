// Command benchchart draws the charts of docs/benchmarks.md and chapter 08
// from the output of stage 06's and stage 08's benchmarks (go test -bench),
// read from files or stdin:
//
//	go test -run '^$' -bench Echo -benchtime 3s -count 3 ./06-async-echo > docs/bench/echo.txt
//	go test -run '^$' -bench IdleMemory -benchtime 1x ./06-async-echo > docs/bench/idle.txt
//	go test -run '^$' -bench . -benchtime 2s ./08-io-uring > docs/bench/08-echo.txt
//	go run ./internal/cmd/benchchart -out docs -md docs/benchmarks.md docs/bench/*.txt
//
// Each result belongs to the stage named by the pkg: line above it. From
// stage 06's it writes bench-echo-64.svg and bench-echo-4096.svg (messages
// per second by connection count, one line per server; the median of the
// -count runs) and bench-idle.svg (bytes of resident memory per idle
// connection) into -out, each only when its benchmark is in the input; with
// -md it also rewrites the tables between the benchchart markers in that
// Markdown file. From stage 08's it writes bench-08-echo.svg: messages per
// second and system calls per message by connection count, io_uring against
// readiness.
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
	st := stages{}
	for _, in := range inputs {
		if err := st.parse(in); err != nil {
			return err
		}
	}
	res, uring := st[stage06], st[stage08]
	if res == nil {
		res = newResults()
	}
	if res.empty() && (uring == nil || len(uring.rate) == 0) {
		return fmt.Errorf("no BenchmarkEcho or BenchmarkIdleMemory results of %s or %s in the input", stage06, stage08)
	}
	if uring != nil && len(uring.rate) > 0 {
		name := filepath.Join(*out, "bench-08-echo."+*format)
		if err := saveStacked(uringCharts(uring), chartWidth, 2*chartHeight, name); err != nil {
			return err
		}
		fmt.Fprintln(stdout, "wrote", name)
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
		if res.empty() {
			return fmt.Errorf("-md %s: the tables are stage 06's, and the input has none of its results", *mdFile)
		}
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
