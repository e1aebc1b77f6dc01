package hss_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestBinarySize builds internal/binsize/{baseline,withsdk} and checks that
// one SDK call adds at most 0.5 MB to a program already using net/http and
// encoding/json. It builds two binaries, so it only runs with
// HSS_BINSIZE=1 (scripts/binsize.sh prints the same figures).
func TestBinarySize(t *testing.T) {
	if os.Getenv("HSS_BINSIZE") != "1" {
		t.Skip("set HSS_BINSIZE=1 (or run scripts/binsize.sh) to build and compare the binaries")
	}
	const budget = 500000
	dir := t.TempDir()
	size := func(pkg string) int64 {
		t.Helper()
		out := filepath.Join(dir, filepath.Base(pkg))
		cmd := exec.Command("go", "build", "-trimpath", "-o", out, pkg)
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go build %s: %v\n%s", pkg, err, b)
		}
		fi, err := os.Stat(out)
		if err != nil {
			t.Fatal(err)
		}
		return fi.Size()
	}
	base := size("./internal/binsize/baseline")
	with := size("./internal/binsize/withsdk")
	delta := with - base
	t.Logf("baseline %d bytes, withsdk %d bytes, delta %d bytes (%.2f MB)", base, with, delta, float64(delta)/1e6)
	if delta > budget {
		t.Errorf("the SDK adds %d bytes, over the %d byte budget", delta, budget)
	}
}
