// The recorded public API: api.txt matches the code.
package otelhss_test

import (
	"bytes"
	"os/exec"
	"testing"
)

// TestAPITxtMatchesCode fails when the public API and api.txt differ, so
// every change of the public surface shows up in review. The root module's
// apitxt command writes it: `go run ../internal/apitxt` in this directory.
func TestAPITxtMatchesCode(t *testing.T) {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not on PATH")
	}
	cmd := exec.Command(goCmd, "run", "github.com/hsskit/hss/internal/apitxt", "-check")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("%v\n%s\nIf the change is intended, run `go run ../internal/apitxt` in otelhss and commit api.txt.", err, out.String())
	}
}
