// What the hss binary links: the embedded fake, never package testing or net/http/httptest.

package main

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBinaryLinksNoTestPackages: --demo embeds hsstest, which must not
// bring package testing or net/http/httptest into the binary.
func TestBinaryLinksNoTestPackages(t *testing.T) {
	goTool := lookGo(t)
	out, err := exec.Command(goTool, "list", "-deps", ".").Output()
	require.NoError(t, err)
	deps := strings.Fields(string(out))
	assert.Contains(t, deps, "github.com/hsskit/hss/hsstest", "the check would be void without the fake")
	assert.NotContains(t, deps, "testing")
	assert.NotContains(t, deps, "net/http/httptest")
}

// lookGo finds the go command, or skips the test.
func lookGo(t testing.TB) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command in PATH")
	}
	return goTool
}
