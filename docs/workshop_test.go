package docs

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// starterCommand matches the grading command in a starter's doc comment, the
// line .ci/run runs: "//	go test -tags ex_name -run 'Pattern' ./NN-stage/pkg".
var starterCommand = regexp.MustCompile(`(?m)^//\s*(go test -tags (ex_\w+) .*)$`)

// workshopCommand matches a grading command in workshop.md, inside a code span.
var workshopCommand = regexp.MustCompile("`(go test -tags ex_\\w+ [^`]*)`")

// TestWorkshopListsEveryExercise keeps docs/workshop.md in step with the
// exercises in the code: each starter's grading command appears in the
// workshop's tables exactly as the starter states it, and the workshop lists
// no exercise that does not exist.
func TestWorkshopListsEveryExercise(t *testing.T) {
	var inCode []string
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && strings.HasPrefix(d.Name(), ".") && path != ".." {
			return filepath.SkipDir
		}
		if !strings.HasSuffix(path, "_starter.go") || !strings.HasPrefix(d.Name(), "ex_") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		m := starterCommand.FindSubmatch(src)
		if m == nil {
			t.Errorf("%s has no '//\tgo test -tags ex_... ' line in its doc comment", path)
			return nil
		}
		if tag := string(m[2]); d.Name() != tag+"_starter.go" {
			t.Errorf("%s: grading command uses tag %s, want the file's own name", path, tag)
		}
		inCode = append(inCode, string(m[1]))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(inCode) == 0 {
		t.Fatal("found no exercise starters in the repository")
	}

	src, err := os.ReadFile("workshop.md")
	if err != nil {
		t.Fatal(err)
	}
	var inWorkshop []string
	for _, m := range workshopCommand.FindAllStringSubmatch(string(src), -1) {
		// A | inside a Markdown table cell is written \|.
		cmd := strings.ReplaceAll(m[1], `\|`, `|`)
		if !slices.Contains(inWorkshop, cmd) {
			inWorkshop = append(inWorkshop, cmd)
		}
	}

	slices.Sort(inCode)
	slices.Sort(inWorkshop)
	if diff := cmp.Diff(inCode, inWorkshop); diff != "" {
		t.Errorf("workshop.md and the starters' grading commands differ (-starters +workshop.md):\n%s", diff)
	}
}
