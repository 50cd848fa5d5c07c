package demo_test

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/async-from-scratch/course/internal/demo"
)

// A stage's main.go is a table of demos; Program does the rest.
func ExampleProgram() {
	greet := func(args []string, stdout io.Writer, _ *slog.Logger) error {
		fs := flag.NewFlagSet("greet", flag.ContinueOnError)
		name := fs.String("name", "world", "whom to greet")
		if err := demo.ParseFlags(fs, args, stdout); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "hello, %s\n", *name)
		return nil
	}
	count := func(stdout io.Writer, _ *slog.Logger) error {
		fmt.Fprintln(stdout, "1 2 3")
		return nil
	}
	p := demo.Program{
		Name: "00-example",
		Demos: []demo.Demo{
			{Name: "greet", What: "says hello (flag: -name)", Run: greet},
			{Name: "count", What: "counts to three", Run: demo.NoFlags(count)},
		},
	}
	for _, args := range [][]string{nil, {"demos"}, {"-name", "Go"}, {"count"}, {"count", "-x"}, {"nope"}} {
		fmt.Printf("$ 00-example %q\n", args)
		if err := p.Run(args, os.Stdout, os.Stderr); err != nil {
			fmt.Println("00-example:", err)
		}
	}
	// Output:
	// $ 00-example []
	// demos (go run ./00-example <demo>):
	//   greet  says hello (flag: -name)
	//   count  counts to three
	// running "greet":
	// hello, world
	// $ 00-example ["demos"]
	// greet
	// count
	// $ 00-example ["-name" "Go"]
	// hello, Go
	// $ 00-example ["count"]
	// 1 2 3
	// $ 00-example ["count" "-x"]
	// 00-example: count: unexpected argument "-x" (this demo takes no flags)
	// $ 00-example ["nope"]
	// 00-example: unknown demo "nope"; the demos are: greet, count
}
