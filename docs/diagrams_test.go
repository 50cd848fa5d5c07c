package docs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/async-from-scratch/course/internal/seqdiagram"
	"github.com/google/go-cmp/cmp"
)

// TestDiagramsAreFresh runs the demo behind each sequence diagram in
// docs/diagrams again (seqdiagram.Diagrams) and checks that the diagram it
// draws now is the one the chapters show. The diagrams are normalised
// (descriptors renamed, no ports, no times) and each run is chosen to be
// deterministic; a run may still differ when the machine delays a goroutine
// past the moment the driver waits for, so a diagram gets three runs.
//
//	go run ./internal/cmd/seqdiagram -w    # regenerate after a change
func TestDiagramsAreFresh(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs three demos")
	}
	for _, d := range seqdiagram.Diagrams {
		t.Run(d.File, func(t *testing.T) {
			want, err := os.ReadFile(filepath.Join("diagrams", d.File))
			if err != nil {
				t.Fatal(err)
			}
			var diff string
			for range 3 {
				got, err := d.Generate("..")
				if err != nil {
					t.Fatal(err)
				}
				if diff = cmp.Diff(strings.Split(string(want), "\n"), strings.Split(got, "\n")); diff == "" {
					return
				}
			}
			t.Errorf("diagrams/%s no longer matches a run of %s %s (-committed +now):\n%s\nregenerate: go run ./internal/cmd/seqdiagram -w",
				d.File, d.Program, strings.Join(d.Args, " "), diff)
		})
	}
}

// TestDiagramsAreShown checks that each diagram is embedded in its chapter.
func TestDiagramsAreShown(t *testing.T) {
	for _, d := range seqdiagram.Diagrams {
		chapters, _ := filepath.Glob(d.File[:2] + "-*.md")
		found := false
		for _, ch := range chapters {
			text, err := os.ReadFile(ch)
			if err != nil {
				t.Fatal(err)
			}
			found = found || strings.Contains(string(text), "[embedmd]:# (diagrams/"+d.File+" mermaid)")
		}
		if !found {
			t.Errorf("no chapter %s-*.md embeds diagrams/%s", d.File[:2], d.File)
		}
	}
}
