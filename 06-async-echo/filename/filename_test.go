package filename

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// newRoot builds a root folder with a file, a sub folder, a symlink that stays
// inside and two that leave it, next to a secret file outside the root.
func newRoot(t testing.TB) *os.Root {
	t.Helper()
	dir := t.TempDir()
	outside := filepath.Join(dir, "outside")
	inside := filepath.Join(dir, "root")
	for _, d := range []string{outside, inside, filepath.Join(inside, "sub")} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	files := map[string]string{
		filepath.Join(outside, "secret.txt"):      "SECRET",
		filepath.Join(inside, "hello.txt"):        "hello\n",
		filepath.Join(inside, "sub", "inner.txt"): "inner\n",
	}
	for name, body := range files {
		if err := os.WriteFile(name, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	links := map[string]string{
		filepath.Join(inside, "escape"):    outside,                              // relative walk leaves the root
		filepath.Join(inside, "abs.txt"):   filepath.Join(outside, "secret.txt"), // absolute target
		filepath.Join(inside, "alias.txt"): "hello.txt",                          // stays inside: fine
	}
	for name, target := range links {
		if err := os.Symlink(target, name); err != nil {
			t.Fatal(err)
		}
	}
	root, err := os.OpenRoot(inside)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { root.Close() })
	return root
}

func TestParse(t *testing.T) {
	tests := []struct {
		line string
		want string // "" means refused
	}{
		{"hello.txt\n", "hello.txt"},
		{"hello.txt\r\n", "hello.txt"},
		{"hello.txt", "hello.txt"},
		{"sub/inner.txt\n", "sub/inner.txt"},
		{"./sub//inner.txt\n", "sub/inner.txt"},
		{"sub/./inner.txt\n", "sub/inner.txt"},
		{"weird name ✓.txt\n", "weird name ✓.txt"},
		{"\n", ""},
		{"", ""},
		{".\n", ""},
		{"../etc/passwd\n", ""},
		{"..\n", ""},
		{"sub/../../x\n", ""},
		{"sub/../hello.txt\n", ""}, // harmless, but ".." is refused outright
		{"/etc/passwd\n", ""},
		{"hello\x00.txt\n", ""},
		{"a\rb\n", ""},
		{"\x1b[31mred\n", ""},
		{"\xff\xfe\n", ""},
		{strings.Repeat("a", MaxLen+1) + "\n", ""},
	}
	for _, tt := range tests {
		t.Run(strings.TrimSpace(tt.line), func(t *testing.T) {
			got, err := Parse([]byte(tt.line))
			if tt.want == "" {
				if err == nil || !errors.Is(err, ErrRefused) {
					t.Errorf("Parse(%q) = %q, %v; want an ErrRefused error", tt.line, got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("Parse(%q) = %q, %v; want %q, nil", tt.line, got, err, tt.want)
			}
		})
	}
}

func TestOpen(t *testing.T) {
	root := newRoot(t)
	tests := []struct {
		name    string
		want    string // contents, when it opens
		wantErr error
	}{
		{"hello.txt", "hello\n", nil},
		{"sub/inner.txt", "inner\n", nil},
		{"alias.txt", "hello\n", nil},
		{"escape/secret.txt", "", ErrRefused},
		{"abs.txt", "", ErrRefused},
		{"missing.txt", "", ErrNotFound},
		{"sub", "", ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Open(root, tt.name)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Errorf("Open(%q) error = %v, want %v", tt.name, err, tt.wantErr)
				}
				if f != nil {
					f.Close()
				}
				return
			}
			if err != nil {
				t.Fatalf("Open(%q) error = %v", tt.name, err)
			}
			defer f.Close()
			got, _ := io.ReadAll(f)
			if string(got) != tt.want {
				t.Errorf("Open(%q) reads %q, want %q", tt.name, got, tt.want)
			}
		})
	}
}

// FuzzParseOpen feeds arbitrary client lines through Parse and Open and checks
// the confinement promise: whatever the bytes, the secret outside the root is
// never read, and every accepted name is local and clean.
//
//	go test -fuzz FuzzParseOpen -fuzztime 30s ./06-async-echo/filename
func FuzzParseOpen(f *testing.F) {
	for _, seed := range []string{
		"hello.txt\n", "hello.txt\r\n", "sub/inner.txt\n", "alias.txt\n",
		"../outside/secret.txt\n", "/etc/passwd\n", "escape/secret.txt\n",
		"abs.txt\n", "sub/../../outside/secret.txt\n", "..\n", "\x00\n",
		"escape/../escape/secret.txt\n", "./escape/./secret.txt\n", "",
	} {
		f.Add([]byte(seed))
	}
	root := newRoot(f)
	f.Fuzz(func(t *testing.T, line []byte) {
		name, err := Parse(line)
		if err != nil {
			if !errors.Is(err, ErrRefused) {
				t.Fatalf("Parse(%q) error %v does not wrap ErrRefused", line, err)
			}
			return
		}
		if !filepath.IsLocal(name) || strings.Contains(name, "\x00") || filepath.Clean(name) != name {
			t.Fatalf("Parse(%q) = %q: not a clean local name", line, name)
		}
		file, err := Open(root, name)
		if err != nil {
			return
		}
		defer file.Close()
		body, _ := io.ReadAll(io.LimitReader(file, 64))
		if strings.Contains(string(body), "SECRET") {
			t.Fatalf("Parse(%q) = %q opened a file outside the root", line, name)
		}
	})
}
