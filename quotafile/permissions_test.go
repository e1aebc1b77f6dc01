//go:build unix

// The modes of the files and directories New creates, and the ones it refuses because another user could change them.
package quotafile_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/hsskit/hss/quotafile"
)

// TestCreatedModes: missing directories are made 0700 and the files 0600,
// and the table stays 0600 after writes.
func TestCreatedModes(t *testing.T) {
	root := t.TempDir()
	path := filepath.Join(root, "a", "b", "quotas")
	s := newStore(t, path)
	if _, _, err := s.CompareAndSwap(t.Context(), "k", nil, []byte("v"), 0); err != nil {
		t.Fatal(err)
	}
	want := map[string]fs.FileMode{
		filepath.Join(root, "a"):      fs.ModeDir | 0o700,
		filepath.Join(root, "a", "b"): fs.ModeDir | 0o700,
		path:                          0o600,
		path + ".lock":                0o600,
	}
	for p, mode := range want {
		fi, err := os.Lstat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode() != mode {
			t.Errorf("%s: mode %v; want %v", p, fi.Mode(), mode)
		}
	}
}

// TestUnsafePathsRefused: a directory or file another user could change,
// a link, or something other than a file is refused with an
// *UnsafePathError that names it and says what to do.
func TestUnsafePathsRefused(t *testing.T) {
	for _, c := range []struct {
		name    string
		setUp   func(t *testing.T, dir, path string)
		blamed  func(dir, path string) string
		wantFix string
	}{
		{"directory writable by others", func(t *testing.T, dir, _ string) { chmod(t, dir, 0o777) },
			func(dir, _ string) string { return dir }, "chmod 700"},
		{"directory writable by its group", func(t *testing.T, dir, _ string) { chmod(t, dir, 0o770) },
			func(dir, _ string) string { return dir }, "chmod 700"},
		{"sticky directory writable by all", func(t *testing.T, dir, _ string) { chmod(t, dir, 0o1777) },
			func(dir, _ string) string { return dir }, "chmod 700"},
		{"table writable by others", func(t *testing.T, _, path string) { create(t, path); chmod(t, path, 0o666) },
			func(_, path string) string { return path }, "chmod 600 "},
		{"lock file writable by its group", func(t *testing.T, _, path string) { create(t, path+".lock"); chmod(t, path+".lock", 0o620) },
			func(_, path string) string { return path + ".lock" }, "chmod 600 "},
		{"table is a link", func(t *testing.T, dir, path string) {
			create(t, filepath.Join(dir, "elsewhere"))
			if err := os.Symlink(filepath.Join(dir, "elsewhere"), path); err != nil {
				t.Fatal(err)
			}
		}, func(_, path string) string { return path }, "remove it"},
		{"lock file is a FIFO", func(t *testing.T, _, path string) {
			if err := syscall.Mkfifo(path+".lock", 0o600); err != nil {
				t.Fatal(err)
			}
		}, func(_, path string) string { return path + ".lock" }, "remove it"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "quota")
			if err := os.Mkdir(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, "quotas")
			c.setUp(t, dir, path)
			s, err := quotafile.New(path)
			var ue *quotafile.UnsafePathError
			if !errors.As(err, &ue) || s != nil {
				t.Fatalf("New: %v, %v; want an *UnsafePathError", s, err)
			}
			if ue.Path != c.blamed(dir, path) || !strings.Contains(ue.Error(), c.wantFix) {
				t.Fatalf("%v: want it to blame %s and say %q", err, c.blamed(dir, path), c.wantFix)
			}
		})
	}
}

// TestOtherOwnerRefused: a table owned by another user is refused (root
// only, to give the file away).
func TestOtherOwnerRefused(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("only root can give a file to another user")
	}
	path := filepath.Join(t.TempDir(), "quotas")
	create(t, path)
	if err := os.Chown(path, 65534, 65534); err != nil {
		t.Fatal(err)
	}
	_, err := quotafile.New(path)
	var ue *quotafile.UnsafePathError
	if !errors.As(err, &ue) || !strings.Contains(ue.Reason, "another user (uid 65534)") {
		t.Fatalf("New on a file of uid 65534: %v; want an *UnsafePathError naming the owner", err)
	}
}

func chmod(t *testing.T, path string, mode fs.FileMode) {
	t.Helper()
	if mode&0o1000 != 0 {
		mode = mode&^0o1000 | fs.ModeSticky
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

func create(t *testing.T, path string) {
	t.Helper()
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
}
