package docs

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// exercise is one exercise found in the repository: its tag (ex_name) and
// the folder that holds its starter, reference and wrong answers.
type exercise struct {
	tag, dir string
}

// exercises finds every ex_<name>_starter.go under root.
func exercises(t *testing.T, root string) []exercise {
	t.Helper()
	var found []exercise
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && strings.HasPrefix(d.Name(), ".") && path != root {
			return filepath.SkipDir
		}
		if name := d.Name(); strings.HasPrefix(name, "ex_") && strings.HasSuffix(name, "_starter.go") {
			found = append(found, exercise{tag: strings.TrimSuffix(name, "_starter.go"), dir: filepath.Dir(path)})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(found) == 0 {
		t.Fatalf("found no exercise starters under %s", root)
	}
	return found
}

// TestEveryExerciseHasTwoWrongAnswers: each exercise keeps at least two
// plausible wrong answers beside its starter, each behind its own tag, and
// its reference excludes all of them (.ci/exercises proves each one fails).
func TestEveryExerciseHasTwoWrongAnswers(t *testing.T) {
	for _, ex := range exercises(t, "..") {
		for _, problem := range wrongAnswerProblems(ex) {
			t.Error(problem)
		}
	}
}

// TestMissingWrongAnswerIsCaught proves the check above can fail.
func TestMissingWrongAnswerIsCaught(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ex := exercise{tag: "ex_x", dir: dir}
	write("ex_x_starter.go", "//go:build ex_x\n\npackage x\n")
	write("ex_x_solution.go", "//go:build !ex_x && !ex_x_wrong_a\n\npackage x\n")
	write("ex_x_wrong_a.go", "//go:build ex_x_wrong_a\n\npackage x\n")
	if problems := wrongAnswerProblems(ex); len(problems) != 1 {
		t.Errorf("one wrong answer: problems = %q, want one", problems)
	}
	write("ex_x_wrong_b.go", "//go:build ex_x_wrong_a\n\npackage x\n") // the wrong tag
	if problems := wrongAnswerProblems(ex); len(problems) != 2 {
		t.Errorf("wrong b behind a's tag, not excluded by the reference: problems = %q, want two", problems)
	}
	write("ex_x_wrong_b.go", "//go:build ex_x_wrong_b\n\npackage x\n")
	write("ex_x_solution.go", "//go:build !ex_x && !ex_x_wrong_a && !ex_x_wrong_b\n\npackage x\n")
	if problems := wrongAnswerProblems(ex); len(problems) != 0 {
		t.Errorf("two good wrong answers: problems = %q, want none", problems)
	}
}

// wrongAnswerProblems lists what is missing or inconsistent in ex's wrong
// answers: fewer than two, one not behind its own tag, or one the reference
// does not exclude (the two would not build together).
func wrongAnswerProblems(ex exercise) []string {
	var problems []string
	wrongs, err := filepath.Glob(filepath.Join(ex.dir, ex.tag+"_wrong_*.go"))
	if err != nil {
		return []string{err.Error()}
	}
	if len(wrongs) < 2 {
		problems = append(problems, fmt.Sprintf("%s: %d wrong answers (%s_wrong_<what>.go), want at least two", ex.tag, len(wrongs), ex.tag))
	}
	solution, err := os.ReadFile(filepath.Join(ex.dir, ex.tag+"_solution.go"))
	if err != nil {
		return append(problems, err.Error())
	}
	solutionTags := buildLine(solution)
	for _, w := range wrongs {
		src, err := os.ReadFile(w)
		if err != nil {
			return append(problems, err.Error())
		}
		tag := strings.TrimSuffix(filepath.Base(w), ".go")
		if !hasWord(buildLine(src), tag) || strings.Contains(buildLine(src), "!"+tag) {
			problems = append(problems, fmt.Sprintf("%s: its //go:build line must require the tag %s", w, tag))
		}
		if !hasWord(solutionTags, "!"+tag) {
			problems = append(problems, fmt.Sprintf("%s_solution.go: its //go:build line must exclude %s", ex.tag, tag))
		}
	}
	return problems
}

// buildLine returns the //go:build line of a Go file, or "".
func buildLine(src []byte) string {
	for line := range strings.Lines(string(src)) {
		if strings.HasPrefix(line, "//go:build ") {
			return strings.TrimSpace(line)
		}
	}
	return ""
}

// hasWord reports whether w occurs in s as a whole build-tag term.
func hasWord(s, w string) bool {
	return regexp.MustCompile(`(^|[\s(&|])` + regexp.QuoteMeta(w) + `($|[\s)&|])`).MatchString(s)
}

// TestNoSolutionOutsideSpoiler: no chapter shows an exercise's solution
// except inside a <details> spoiler. The solution is told by its lines: a
// line of the reference function's body that the starter's does not have.
func TestNoSolutionOutsideSpoiler(t *testing.T) {
	chapters, err := filepath.Glob("[0-9][0-9]-*.md")
	if err != nil || len(chapters) == 0 {
		t.Fatalf("no chapters found in docs/ (%v)", err)
	}
	for _, ex := range exercises(t, "..") {
		lines, err := solutionLines(ex)
		if err != nil {
			t.Errorf("%s: %v", ex.tag, err)
			continue
		}
		if len(lines) == 0 {
			continue // the solution only deletes lines: nothing to give away
		}
		for _, ch := range chapters {
			src, err := os.ReadFile(ch)
			if err != nil {
				t.Fatal(err)
			}
			for _, leak := range shownOutsideSpoilers(src, lines) {
				t.Errorf("%s:%d shows %s's solution outside a <details> spoiler (%d of its %d lines: %q); show the starter, or leave the code out", ch, leak.line, ex.tag, len(leak.shown), len(lines), leak.shown)
			}
		}
	}
}

// TestSolutionInTheOpenIsCaught proves the check above can fail.
func TestSolutionInTheOpenIsCaught(t *testing.T) {
	solution := []string{"if !s.s.pending.CompareAndSwap(false, true) {"}
	open := "## Set\n\n```go\nfunc (s *SetReadiness) Set() error {\n\tif !s.s.pending.CompareAndSwap(false, true) {\n\t\treturn nil\n\t}\n}\n```\n"
	if leaks := shownOutsideSpoilers([]byte(open), solution); len(leaks) != 1 || leaks[0].line != 3 {
		t.Errorf("a solution in the open: leaks = %v, want one, the code block on line 3", leaks)
	}
	two := []string{solution[0], "return s.s.wake()"}
	if leaks := shownOutsideSpoilers([]byte(open), two); len(leaks) != 0 {
		t.Errorf("one line of a two-line solution: leaks = %v, want none (a line alone may be common code)", leaks)
	}
	two[1] = "return nil"
	if leaks := shownOutsideSpoilers([]byte(open), two); len(leaks) != 1 {
		t.Errorf("both lines of a two-line solution: leaks = %v, want one", leaks)
	}
	hidden := "## Exercise\n\n<details><summary>Solution</summary>\n\n" + open + "\n</details>\n"
	if leaks := shownOutsideSpoilers([]byte(hidden), solution); len(leaks) != 0 {
		t.Errorf("a solution inside <details>: leaks = %v, want none", leaks)
	}
	prose := "The first `Set` flips pending with a CAS; see `if !s.s.pending.CompareAndSwap(false, true) {`.\n"
	if leaks := shownOutsideSpoilers([]byte(prose), solution); len(leaks) != 0 {
		t.Errorf("a solution line quoted in prose, outside a code block: leaks = %v, want none (only code blocks count)", leaks)
	}
}

type leak struct {
	line  int      // where the code block starts
	shown []string // the solution's lines it shows
}

// shownOutsideSpoilers returns the code blocks of a chapter, outside any
// <details> element, that show more than half of a solution's lines (each
// compared trimmed). Half, not one: a line such as "if err != nil {" alone
// is in many listings; most of a solution is the solution.
func shownOutsideSpoilers(chapter []byte, lines []string) []leak {
	var leaks []leak
	depth, block := 0, -1 // block: the line a code block started on, or -1
	var shown []string
	for i, line := range bytes.Split(chapter, []byte("\n")) {
		s := strings.TrimSpace(string(line))
		switch {
		case strings.HasPrefix(s, "```") && block < 0:
			block, shown = i+1, nil
		case strings.HasPrefix(s, "```"):
			if depth == 0 && 2*len(shown) > len(lines) {
				leaks = append(leaks, leak{block, shown})
			}
			block = -1
		case block < 0:
			depth += strings.Count(s, "<details") - strings.Count(s, "</details>")
		case slices.Contains(lines, s) && !slices.Contains(shown, s):
			shown = append(shown, s)
		}
	}
	return leaks
}

// solutionLines returns the trimmed lines of the exercise's function in its
// reference that its starter does not have: the solution, told apart from
// the code around it. Lines too short or too common to tell anything (a
// closing brace, "return nil") are left out.
func solutionLines(ex exercise) ([]string, error) {
	starter, err := funcBodies(filepath.Join(ex.dir, ex.tag+"_starter.go"))
	if err != nil {
		return nil, err
	}
	solution, err := funcBodies(filepath.Join(ex.dir, ex.tag+"_solution.go"))
	if err != nil {
		return nil, err
	}
	var lines []string
	for name, body := range starter {
		ref, ok := solution[name]
		if !ok {
			return nil, fmt.Errorf("the starter's %s is not in %s_solution.go", name, ex.tag)
		}
		for _, l := range ref {
			if len(l) >= 12 && !slices.Contains(body, l) && !slices.Contains(lines, l) {
				lines = append(lines, l)
			}
		}
	}
	return lines, nil
}

// funcBodies parses a Go file and returns, for each function, the trimmed
// lines of its body (comments included), keyed by receiver type and name.
func funcBodies(path string) (map[string][]string, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, src, parser.ParseComments)
	if err != nil {
		return nil, err
	}
	bodies := map[string][]string{}
	for _, d := range f.Decls {
		fn, ok := d.(*ast.FuncDecl)
		if !ok || fn.Body == nil {
			continue
		}
		name := fn.Name.Name
		if fn.Recv != nil {
			name = fmt.Sprintf("%s.%s", types(src, fset, fn.Recv.List[0].Type), name)
		}
		body := src[fset.Position(fn.Body.Lbrace).Offset+1 : fset.Position(fn.Body.Rbrace).Offset]
		var lines []string
		for l := range strings.Lines(string(body)) {
			if l = strings.TrimSpace(l); l != "" {
				lines = append(lines, l)
			}
		}
		bodies[name] = lines
	}
	return bodies, nil
}

// types returns the source text of a receiver type.
func types(src []byte, fset *token.FileSet, e ast.Expr) string {
	return string(src[fset.Position(e.Pos()).Offset:fset.Position(e.End()).Offset])
}
