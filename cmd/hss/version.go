package main

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"

	"github.com/hsskit/hss"
)

const versionUsage = `Usage: hss version

Prints the version of hss (the module version it was built from), and the
Go toolchain and platform it was built with.
`

// version is the module version in the build info, such as v0.3.0 for
// "go install github.com/hsskit/hss/cmd/hss@v0.3.0"; a build without one
// ("(devel)") reports the SDK's version.
func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "v" + hss.Version
}

// runVersion runs "hss version".
func runVersion(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		if isHelp(args[0]) {
			fmt.Fprint(stdout, versionUsage)
			return exitOK
		}
		fmt.Fprintf(stderr, "hss: hss version: unexpected argument %q\n", escapeText(args[0], nil))
		return exitUsage
	}
	fmt.Fprintf(stdout, "hss %s (%s %s/%s)\n", version(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return exitOK
}
