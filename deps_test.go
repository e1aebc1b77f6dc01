// Dependencies: what the SDK's packages link in at run time.
package hss_test

import (
	"bytes"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPackageDependencies: at run time the SDK needs only the standard
// library; sign needs nothing else at all, and credentials does not import
// the root, which imports it. quotafile adds github.com/gofrs/flock (and
// golang.org/x/sys, which flock uses) for the OS file locks, and nothing
// else.
func TestPackageDependencies(t *testing.T) {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not on PATH")
	}
	const module = "github.com/hsskit/hss"
	nonStandard := func(pkg string) []string {
		cmd := exec.Command(goCmd, "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", pkg)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		require.NoError(t, err, "go list: %s", stderr.String())
		deps := strings.Fields(string(out))
		require.Contains(t, deps, pkg, "the list is of the right package")
		return deps
	}
	for _, d := range nonStandard(module) {
		assert.True(t, d == module || strings.HasPrefix(d, module+"/"), "the root depends on %s", d)
	}
	assert.Equal(t, []string{module + "/sign"}, nonStandard(module+"/sign"), "sign uses only the standard library")
	for _, d := range nonStandard(module + "/credentials") {
		assert.True(t, strings.HasPrefix(d, module+"/"), "credentials depends on %s", d)
		assert.NotEqual(t, module, d, "credentials imports the root")
	}
	for _, pkg := range []string{"secret", "status", "check", "errbody", "region", "sigcheck"} {
		assert.Equal(t, []string{module + "/internal/" + pkg}, nonStandard(module+"/internal/"+pkg), "internal/%s uses only the standard library", pkg)
	}
	quotafileDeps := nonStandard(module + "/quotafile")
	assert.Contains(t, quotafileDeps, "github.com/gofrs/flock", "the check would be void without the lock library")
	for _, d := range quotafileDeps {
		ours := d == module || strings.HasPrefix(d, module+"/")
		flock := d == "github.com/gofrs/flock" || strings.HasPrefix(d, "golang.org/x/sys/")
		assert.True(t, ours || flock, "quotafile depends on %s", d)
	}
}
