package docs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A chapter is read in one sitting: at most maxWords words in all, and at
// most maxProseWords outside code blocks (excerpts, transcripts, diagrams).
const (
	maxWords      = 6000
	maxProseWords = 4000
)

func TestChaptersFitTheBudget(t *testing.T) {
	chapters, err := filepath.Glob("[0-9][0-9]-*.md")
	if err != nil {
		t.Fatal(err)
	}
	if len(chapters) == 0 {
		t.Fatal("no chapters docs/NN-*.md found")
	}
	for _, name := range chapters {
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		total, prose := countWords(string(src))
		t.Logf("%s: %d words, %d of them prose", name, total, prose)
		if total > maxWords {
			t.Errorf("%s has %d words, more than %d: cut repetition (say a thing once, and link)", name, total, maxWords)
		}
		if prose > maxProseWords {
			t.Errorf("%s has %d words of prose outside code blocks, more than %d", name, prose, maxProseWords)
		}
	}
}

// TestCountWordsSeparatesCodeFromProse proves the budget check can fail in
// both ways, and that code blocks count only towards the total.
func TestCountWordsSeparatesCodeFromProse(t *testing.T) {
	md := "Two words.\n\n```go\nfunc f() { return }\n```\n\nthree more words\n"
	if total, prose := countWords(md); total != 12 || prose != 5 {
		t.Errorf("countWords = %d, %d; want 12 in all (the fences count, as in wc -w), 5 of prose", total, prose)
	}
	long := strings.Repeat("word ", maxProseWords+1)
	if _, prose := countWords(long); prose <= maxProseWords {
		t.Errorf("countWords(%d words of prose) = %d, not over the budget", maxProseWords+1, prose)
	}
	code := "```\n" + strings.Repeat("x ", maxWords+1) + "\n```\n"
	if total, prose := countWords(code); total <= maxWords || prose != 0 {
		t.Errorf("countWords(a long code block) = %d, %d; want over %d in all, 0 of prose", total, prose, maxWords)
	}
}

// countWords counts the words of a Markdown text, in all (as wc -w does, fence
// lines included) and outside fenced code blocks.
func countWords(md string) (total, prose int) {
	inCode := false
	for line := range strings.Lines(md) {
		n := len(strings.Fields(line))
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			inCode = !inCode
			total += n
			continue
		}
		total += n
		if !inCode {
			prose += n
		}
	}
	return total, prose
}
