package chatapp_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// readmeImports are the packages a README fragment may use by their usual
// names; a fragment gets the ones whose name it mentions. A complete program
// (a block that starts with a package clause) brings its own imports.
var readmeImports = map[string]string{
	"chatapp":     "github.com/chatappkit/chatapp",
	"chatapptest": "github.com/chatappkit/chatapp/chatapptest",
	"redislimit":  "github.com/chatappkit/chatapp/redislimit",
	"redis":       "github.com/redis/go-redis/v9",
	"context":     "context",
	"errors":      "errors",
	"fmt":         "fmt",
	"http":        "net/http",
	"log":         "log",
	"os":          "os",
	"slog":        "log/slog",
	"testing":     "testing",
	"time":        "time",
}

// readmeBlock is one ```go block of a README.
type readmeBlock struct {
	file      string // absolute path of the README
	line      int    // line of the block's first line of code
	signature string // from a <!-- fragment: ... --> marker; "" for a program
	code      string
}

var fragmentMarker = regexp.MustCompile(`^<!-- fragment: (func\(.*\).*?) -->$`)

// readmeBlocks returns the ```go blocks of a README, each with the
// fragment marker of the line just before it, if any.
func readmeBlocks(t *testing.T, file string) []readmeBlock {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var (
		blocks  []readmeBlock
		cur     *readmeBlock
		prev    string
		lineNum int
	)
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		lineNum++
		line := sc.Text()
		switch {
		case cur == nil && line == "```go":
			cur = &readmeBlock{file: file, line: lineNum + 1}
			if m := fragmentMarker.FindStringSubmatch(prev); m != nil {
				cur.signature = m[1]
			}
		case cur != nil && line == "```":
			blocks = append(blocks, *cur)
			cur = nil
		case cur != nil:
			cur.code += line + "\n"
		}
		prev = line
	}
	if cur != nil {
		t.Fatalf("%s:%d: a ```go block is never closed", file, cur.line-1)
	}
	return blocks
}

// topLevelDecl matches a declaration at the start of a fragment's line,
// "a, err := f()" or "var x T": README fragments often end on a value
// the reader goes on to use, which Go would refuse as unused.
var topLevelDecl = regexp.MustCompile(`^(?:var ([A-Za-z_]\w*)|([A-Za-z_]\w*(?:, *[A-Za-z_]\w*)*) :=)`)

// fragmentSource wraps a fragment in a function of its marker's signature,
// with //line directives so that the compiler reports README lines.
func fragmentSource(b readmeBlock, name string) (body string, imports []string) {
	var used []string
	var last string
	for line := range strings.Lines(b.code) {
		if m := topLevelDecl.FindStringSubmatch(line); m != nil {
			for _, v := range strings.Split(m[1]+m[2], ",") {
				if v = strings.TrimSpace(v); v != "_" {
					used = append(used, v)
				}
			}
		}
		if strings.TrimSpace(line) != "" {
			last = line
		}
	}
	var src strings.Builder
	fmt.Fprintf(&src, "func %s%s {\n//line %s:%d\n%s", name, strings.TrimPrefix(b.signature, "func"), b.file, b.line, b.code)
	for _, v := range used {
		fmt.Fprintf(&src, "\t_ = %s\n", v)
	}
	if strings.HasSuffix(b.signature, "error") && !strings.HasPrefix(last, "return") {
		src.WriteString("\treturn nil\n")
	}
	src.WriteString("}\n")
	for pkg, path := range readmeImports {
		if regexp.MustCompile(`\b` + pkg + `\.`).MatchString(b.signature + b.code) {
			imports = append(imports, path)
		}
	}
	return src.String(), imports
}

// TestREADMEGoBlocksCompile builds every Go block of README.md and of the
// nested modules' READMEs, so that the documentation cannot drift from the
// API. A block is a complete program (it starts with "package") or a
// fragment, marked on the line before it with
//
//	<!-- fragment: func(ctx context.Context, client *chatapp.Client) error -->
//
// which gives the function it is the body of. The blocks are built, with go
// vet, in a scratch module of the repository's workspace.
func TestREADMEGoBlocksCompile(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the README blocks with the go command")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	out, err := exec.Command(goBin, "env", "GOWORK").Output()
	if err != nil {
		t.Fatal(err)
	}
	work := strings.TrimSpace(string(out))
	if work == "" || work == "off" {
		t.Skip("the README blocks are built in the repository's workspace (go.work)")
	}
	root := filepath.Dir(work)

	var readmes []string
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || d.Name() == "node_modules" || strings.HasPrefix(d.Name(), ".")) && path != root {
			return filepath.SkipDir
		}
		if d.Name() == "README.md" {
			readmes = append(readmes, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	scratch := t.TempDir()
	var (
		funcs   strings.Builder
		imports = map[string]bool{}
		count   int
	)
	for _, readme := range readmes {
		for _, b := range readmeBlocks(t, readme) {
			count++
			if b.signature == "" {
				if !strings.HasPrefix(b.code, "package ") {
					rel, _ := filepath.Rel(root, b.file)
					t.Errorf("%s:%d: a Go block is neither a program nor marked as a fragment", rel, b.line)
					continue
				}
				dir := filepath.Join(scratch, fmt.Sprintf("program%d", count))
				writeFile(t, filepath.Join(dir, "main.go"), fmt.Sprintf("//line %s:%d\n%s", b.file, b.line, b.code))
				continue
			}
			src, imps := fragmentSource(b, fmt.Sprintf("fragment%d", count))
			funcs.WriteString(src)
			for _, imp := range imps {
				imports[imp] = true
			}
		}
	}
	var main strings.Builder
	main.WriteString("// Code generated by TestREADMEGoBlocksCompile. DO NOT EDIT.\n\npackage main\n\nimport (\n")
	for imp := range imports {
		fmt.Fprintf(&main, "\t%q\n", imp)
	}
	main.WriteString(")\n\nfunc main() {}\n\n")
	main.WriteString(funcs.String())
	writeFile(t, filepath.Join(scratch, "main.go"), main.String())
	writeFile(t, filepath.Join(scratch, "go.mod"), "module readmecheck\n\ngo 1.26.0\n")

	// The scratch module joins a copy of the workspace, with its relative
	// paths made absolute; go.work.sum comes along for the checksums.
	ws, err := os.ReadFile(work)
	if err != nil {
		t.Fatal(err)
	}
	relPath := regexp.MustCompile(`(^|\s)(\.(?:/[^\s]*)?)(\s|$)`)
	var rewritten strings.Builder
	for line := range strings.Lines(string(ws)) {
		rewritten.WriteString(relPath.ReplaceAllStringFunc(line, func(m string) string {
			sub := relPath.FindStringSubmatch(m)
			return sub[1] + filepath.Join(root, sub[2]) + sub[3]
		}))
	}
	rewritten.WriteString("\nuse .\n")
	writeFile(t, filepath.Join(scratch, "go.work"), rewritten.String())
	if sum, err := os.ReadFile(work + ".sum"); err == nil {
		writeFile(t, filepath.Join(scratch, "go.work.sum"), string(sum))
	}

	cmd := exec.Command(goBin, "vet", "./...")
	cmd.Dir = scratch
	cmd.Env = append(os.Environ(), "GOWORK="+filepath.Join(scratch, "go.work"), "GOFLAGS=-mod=readonly")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("the README Go blocks do not build (%d blocks in %d READMEs):\n%s", count, len(readmes), out)
	}
	if count == 0 {
		t.Fatal("no Go block found in any README")
	}
	t.Logf("%d Go blocks of %d READMEs build", count, len(readmes))
}

func writeFile(t *testing.T, name, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
