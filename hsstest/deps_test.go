// Dependencies: hsstest, linked into programs, imports neither testing nor net/http/httptest.
package hsstest_test

import (
	"bytes"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// hsstest is linked into programs (the hss command's --demo), so it must
// not pull in package testing or net/http/httptest.
func TestNoTestingDependency(t *testing.T) {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not on PATH")
	}
	cmd := exec.Command(goCmd, "list", "-deps", "github.com/hsskit/hss/hsstest")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "go list: %s", stderr.String())

	deps := strings.Fields(string(out))
	require.Contains(t, deps, "github.com/hsskit/hss/hsstest", "the list is of the right package")
	require.Contains(t, deps, "net/http")
	assert.NotContains(t, deps, "testing")
	assert.NotContains(t, deps, "net/http/httptest")
	for _, d := range deps {
		assert.False(t, strings.HasPrefix(d, "testing/"), "depends on %s", d)
	}
}
