// Command apitxt records the public API of the module in api.txt: one line
// for every exported constant, variable, function, type, struct field and
// method (promoted ones included) and interface method of every public
// package, sorted, in the format of the Go project's own api/*.txt files:
//
//	pkg github.com/hsskit/hss, func NewClient(string, string, ...Option) (*Client, error)
//	pkg github.com/hsskit/hss, method (*Client) Endpoint() string
//	pkg github.com/hsskit/hss, type Client struct
//
// Public packages are those of the module outside internal/, cmd/,
// examples/ and bench/ that are not commands. Parameter names are left out,
// so renaming one is not an API change.
//
// Run it from anywhere in the module:
//
//	go run ./internal/apitxt          # rewrite api.txt
//	go run ./internal/apitxt -check   # exit 1 with a diff when api.txt is stale
//
// It reads the packages' types from the export data `go list -export`
// leaves in the build cache, so the packages must compile.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is main with its arguments and outputs, for tests; it returns the
// exit code.
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("apitxt", flag.ContinueOnError)
	fs.SetOutput(stderr)
	check := fs.Bool("check", false, "compare api.txt with the code instead of writing it; exit 1 with a diff when they differ")
	out := fs.String("o", "", "the file to write or check (default: api.txt at the module root)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: go run ./internal/apitxt [-check] [-o file]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return 2
	}
	root, err := moduleRoot(".")
	if err != nil {
		fmt.Fprintln(stderr, "apitxt:", err)
		return 1
	}
	if *out == "" {
		*out = filepath.Join(root, "api.txt")
	}
	got, err := Generate(root)
	if err != nil {
		fmt.Fprintln(stderr, "apitxt:", err)
		return 1
	}
	if *check {
		recorded, err := os.ReadFile(*out)
		if err != nil {
			fmt.Fprintln(stderr, "apitxt:", err)
			return 1
		}
		if d := Diff(recorded, got); d != "" {
			fmt.Fprintf(stderr, "apitxt: %s does not match the code (- only in the file, + only in the code):\n%s", *out, d)
			fmt.Fprintln(stderr, "apitxt: if the change is intended, run `go run ./internal/apitxt` and commit api.txt")
			return 1
		}
		fmt.Fprintf(stdout, "%s is up to date\n", *out)
		return 0
	}
	if old, err := os.ReadFile(*out); err == nil && bytes.Equal(old, got) {
		fmt.Fprintf(stdout, "%s is up to date\n", *out)
		return 0
	}
	if err := os.WriteFile(*out, got, 0o644); err != nil {
		fmt.Fprintln(stderr, "apitxt:", err)
		return 1
	}
	fmt.Fprintf(stdout, "wrote %s\n", *out)
	return 0
}
