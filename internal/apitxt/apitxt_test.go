// The api.txt generator: the module's api.txt matches its code, every kind of declaration is listed, and -check fails on a stale file.
package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// moduleAPI generates the module's api.txt once for all tests.
var moduleAPI = sync.OnceValues(func() ([]byte, error) {
	root, err := moduleRoot(".")
	if err != nil {
		return nil, err
	}
	return Generate(root)
})

// TestAPITxtMatchesCode fails when the public API and api.txt differ, so
// every change of the public surface shows up in review.
func TestAPITxtMatchesCode(t *testing.T) {
	got, err := moduleAPI()
	require.NoError(t, err)
	root, err := moduleRoot(".")
	require.NoError(t, err)
	recorded, err := os.ReadFile(filepath.Join(root, "api.txt"))
	require.NoError(t, err, "api.txt is missing: run `go run ./internal/apitxt` at the module root")
	if d := Diff(recorded, got); d != "" {
		t.Fatalf("api.txt does not match the public API (- only in api.txt, + only in the code):\n%s\n"+
			"If the change is intended, run `go run ./internal/apitxt` at the module root and commit api.txt.", d)
	}
}

// TestFixture checks every kind of declaration on a module made for it:
// consts (untyped, typed, Duration), vars, generic and variadic funcs,
// struct fields, methods promoted from an exported type of another package
// and from an unexported embedded type, interfaces with embedded and
// unexported methods, aliases; and that internal/ and commands are left
// out.
func TestFixture(t *testing.T) {
	got, err := Generate(filepath.Join("testdata", "fixture"))
	require.NoError(t, err)
	want, err := os.ReadFile(filepath.Join("testdata", "fixture.golden"))
	require.NoError(t, err)
	assert.Equal(t, string(want), string(got))

	// The properties the golden file must keep, whoever regenerates it.
	for _, line := range []string{
		"pkg example.com/fixture, method (Outer) Describe() string", // from sub.Base, value
		"pkg example.com/fixture, method (*Outer) Reset()",          // from sub.Base, pointer only
		"pkg example.com/fixture, method (Outer) Promoted()",        // from the unexported *inner
		"pkg example.com/fixture, method (*Outer) Pointer(...string) (int, error)",
		"pkg example.com/fixture, type Reader interface { Close, Read, unexported methods }",
		"pkg example.com/fixture, type Alias = Options",
		"pkg example.com/fixture, const Timeout time.Duration = 90000000000 // 1m30s",
		"pkg example.com/fixture, func Map[T any]([]T, func(T) T) []T",
		"pkg example.com/fixture/sub, type Base struct, ID string",
	} {
		assert.Contains(t, string(got), line+"\n")
	}
	for _, hidden := range []string{"Hidden", "Exported", "unexported", "secret", "inner", "hidden"} {
		for _, l := range strings.Split(string(got), "\n") {
			if !strings.HasPrefix(l, "#") {
				assert.NotContains(t, strings.ReplaceAll(l, "unexported methods", ""), hidden)
			}
		}
	}
}

func TestDiff(t *testing.T) {
	assert.Empty(t, Diff([]byte("a\nb\n"), []byte("a\nb\n")))
	assert.Equal(t, "-b\n+c\n", Diff([]byte("a\nb\n"), []byte("a\nc\n")))
	assert.Equal(t, "+b\n", Diff([]byte("a\n"), []byte("a\nb\n")))
	assert.Equal(t, "-a\n", Diff([]byte("a\na\n"), []byte("a\n")))
	assert.Equal(t, "(the same lines in a different order)\n", Diff([]byte("b\na\n"), []byte("a\nb\n")))
}

// TestRun writes a file, checks it, then checks a stale copy: -check exits
// 1 with the diff and says how to regenerate.
func TestRun(t *testing.T) {
	want, err := moduleAPI()
	require.NoError(t, err)
	file := filepath.Join(t.TempDir(), "api.txt")
	var stdout, stderr bytes.Buffer

	require.Equal(t, 0, run([]string{"-o", file}, &stdout, &stderr), stderr.String())
	written, err := os.ReadFile(file)
	require.NoError(t, err)
	assert.Equal(t, string(want), string(written))

	stdout.Reset()
	require.Equal(t, 0, run([]string{"-check", "-o", file}, &stdout, &stderr), stderr.String())
	assert.Contains(t, stdout.String(), "up to date")

	stale := strings.Replace(string(written), "func NewClient(", "func NewClientRenamed(", 1)
	require.NotEqual(t, string(written), stale, "the fixture edit must change the file")
	require.NoError(t, os.WriteFile(file, []byte(stale), 0o644))
	stderr.Reset()
	assert.Equal(t, 1, run([]string{"-check", "-o", file}, &stdout, &stderr))
	assert.Contains(t, stderr.String(), "-pkg github.com/hsskit/hss, func NewClientRenamed(")
	assert.Contains(t, stderr.String(), "+pkg github.com/hsskit/hss, func NewClient(")
	assert.Contains(t, stderr.String(), "go run ./internal/apitxt")

	assert.Equal(t, 2, run([]string{"extra"}, &stdout, &stderr))
}
