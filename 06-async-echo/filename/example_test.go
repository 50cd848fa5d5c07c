package filename_test

import (
	"fmt"

	"github.com/async-from-scratch/course/06-async-echo/filename"
)

func ExampleParse() {
	for _, line := range []string{"notes/today.txt\r\n", "../etc/passwd\n", "/etc/passwd\n"} {
		name, err := filename.Parse([]byte(line))
		fmt.Printf("%q -> %q %v\n", line, name, err)
	}
	// Output:
	// "notes/today.txt\r\n" -> "notes/today.txt" <nil>
	// "../etc/passwd\n" -> "" name refused: ".." leaves the root
	// "/etc/passwd\n" -> "" name refused: absolute path
}
