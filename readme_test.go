// The README's Go: every ```go block of README.md, read from the file, type-checks against this tree.
package hss_test

import (
	"bufio"
	"bytes"
	"fmt"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// readmeBlock is one ```go block of the README.
type readmeBlock struct {
	line int    // where its code starts
	code string // without the indentation of its fence
	skip string // why it is not checked, from a readme-test comment just before it
}

// readmeBlocks reads the ```go blocks of path, fences indented in lists
// included.
func readmeBlocks(t *testing.T, path string) []readmeBlock {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	var (
		blocks  []readmeBlock
		cur     *readmeBlock
		indent  string
		skip    string
		lineNum int
	)
	skipNote := regexp.MustCompile(`<!-- readme-test: skip \((.+)\) -->`)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		lineNum++
		line := sc.Text()
		trimmed := strings.TrimLeft(line, " \t")
		switch {
		case cur == nil && trimmed == "```go":
			indent = line[:len(line)-len(trimmed)]
			cur = &readmeBlock{line: lineNum + 1, skip: skip}
			skip = ""
		case cur != nil && trimmed == "```":
			blocks = append(blocks, *cur)
			cur = nil
		case cur != nil:
			cur.code += strings.TrimPrefix(line, indent) + "\n"
		default:
			if m := skipNote.FindStringSubmatch(line); m != nil {
				skip = m[1]
			} else if trimmed != "" {
				skip = ""
			}
		}
	}
	require.NoError(t, sc.Err())
	require.Nil(t, cur, "a ```go block is not closed")
	return blocks
}

// readmePackages are the packages a README block may use, by the name it
// uses them under.
var readmePackages = map[string]string{
	"context": "context", "errors": "errors", "fmt": "fmt", "http": "net/http", "log": "log", "slog": "log/slog",
	"os": "os", "filepath": "path/filepath", "time": "time", "testing": "testing", "io": "io", "strings": "strings",
	"json": "encoding/json", "url": "net/url",
	"hss": "github.com/hsskit/hss", "credentials": "github.com/hsskit/hss/credentials", "sign": "github.com/hsskit/hss/sign",
	"hsstest": "github.com/hsskit/hss/hsstest", "quotafile": "github.com/hsskit/hss/quotafile",
	"redisquota": "github.com/hsskit/hss/redisquota", "otelhss": "github.com/hsskit/hss/otelhss",
	"redis":   "github.com/redis/go-redis/v9",
	"require": "github.com/stretchr/testify/require", "httpmock": "github.com/jarcoal/httpmock",
}

// readmeFree declares what README blocks use without declaring it.
const readmeFree = `
var (
	ctx                                                         context.Context
	client                                                      *hss.Client
	endpoint, projectID, taskID, ak, sk, securityToken, token   string
	cacheDir                                                    string
	ids                                                         []string
)
`

// readmeSource makes a file of block: its declarations at the top level,
// or its statements in a function returning error.
func readmeSource(b readmeBlock, n int) string {
	var imports, body strings.Builder
	code := b.code
	// An import block in a snippet joins the file's imports.
	if i := strings.Index(code, "import ("); i >= 0 {
		j := strings.Index(code[i:], ")")
		code = code[:i] + code[i+j+1:]
	}
	used := map[string]bool{"context": true, "hss": true}
	for name := range readmePackages {
		if strings.Contains(code, name+".") {
			used[name] = true
		}
	}
	if used["redisquota"] {
		used["redis"] = true
	}
	imports.WriteString("import (\n")
	for name := range used {
		fmt.Fprintf(&imports, "\t%s %q\n", name, readmePackages[name])
	}
	imports.WriteString(")\n")
	topLevel := regexp.MustCompile(`(?m)^(func|type) `).MatchString(code)
	if topLevel {
		body.WriteString(code)
	} else {
		fmt.Fprintf(&body, "func readmeSnippet%d() error {\n%s\treturn nil\n}\n", n, code)
	}
	free := readmeFree
	if used["redisquota"] {
		free += "var rdb redis.UniversalClient\n"
	}
	return "package readme\n\n" + imports.String() + free + body.String()
}

// readmeImporter reads the export data of the README's packages, built
// by the go command for this tree.
func readmeImporter(t *testing.T, fset *token.FileSet) types.Importer {
	t.Helper()
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not on PATH")
	}
	args := []string{"list", "-export", "-deps", "-f", "{{.ImportPath}}\t{{.Export}}"}
	for _, p := range readmePackages {
		args = append(args, p)
	}
	cmd := exec.Command(goCmd, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "go list: %s", stderr.String())
	exports := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		path, file, _ := strings.Cut(line, "\t")
		exports[path] = file
	}
	return importer.ForCompiler(fset, "gc", func(path string) (io.ReadCloser, error) {
		file := exports[path]
		if file == "" {
			return nil, fmt.Errorf("no export data for %s", path)
		}
		return os.Open(file)
	})
}

func TestReadmeGoBuilds(t *testing.T) {
	blocks := readmeBlocks(t, "README.md")
	require.Greater(t, len(blocks), 10, "the README's code blocks are found")
	fset := token.NewFileSet()
	imp := readmeImporter(t, fset)
	skipped := 0
	for n, b := range blocks {
		if b.skip != "" {
			skipped++
			t.Logf("README.md:%d not checked: %s", b.line, b.skip)
			continue
		}
		src := readmeSource(b, n)
		file, err := parser.ParseFile(fset, fmt.Sprintf("README.md:%d", b.line), src, 0)
		if err != nil {
			t.Errorf("README.md:%d does not parse: %v\n%s", b.line, err, src)
			continue
		}
		var hard []string
		conf := types.Config{Importer: imp, Error: func(err error) {
			if te, ok := err.(types.Error); !ok || !te.Soft { // unused names are fine in a snippet
				hard = append(hard, err.Error())
			}
		}}
		_, _ = conf.Check("readme", fset, []*ast.File{file}, nil)
		if len(hard) > 0 {
			t.Errorf("README.md:%d does not build:\n%s\n%s", b.line, strings.Join(hard, "\n"), src)
		}
	}
	require.LessOrEqual(t, skipped, 1, "blocks not checked")
}
