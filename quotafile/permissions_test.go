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
// *UnsafePathError that names it and says what to do: never to change a
// directory others share, nor to remove what is not a regular file.
func TestUnsafePathsRefused(t *testing.T) {
	own := func(dir, _ string) string { return dir }
	ownDirFix := "chmod go-w" // for a directory of one's own
	if os.Geteuid() == 0 {
		ownDirFix = "choose a path" // root's directories are the system's: never to be changed
	}
	file := func(_, path string) string { return path }
	for _, c := range []struct {
		name    string
		setUp   func(t *testing.T, dir, path string)
		blamed  func(dir, path string) string
		wantFix string
		never   []string // advice the Fix must not give
	}{
		{"directory writable by others", func(t *testing.T, dir, _ string) { chmod(t, dir, 0o777) },
			own, ownDirFix, nil},
		{"directory writable by its group", func(t *testing.T, dir, _ string) { chmod(t, dir, 0o770) },
			own, ownDirFix, nil},
		{"sticky directory writable by all, as /tmp", func(t *testing.T, dir, _ string) { chmod(t, dir, 0o1777) },
			own, "choose a path in a directory that only you can write to", []string{"chmod", "remove"}},
		{"table writable by others", func(t *testing.T, _, path string) { create(t, path); chmod(t, path, 0o666) },
			file, "chmod 600 ", nil},
		{"lock file writable by its group", func(t *testing.T, _, path string) { create(t, path+".lock"); chmod(t, path+".lock", 0o620) },
			func(_, path string) string { return path + ".lock" }, "chmod 600 ", nil},
		{"table is a link", func(t *testing.T, dir, path string) {
			create(t, filepath.Join(dir, "elsewhere"))
			if err := os.Symlink(filepath.Join(dir, "elsewhere"), path); err != nil {
				t.Fatal(err)
			}
		}, file, "choose another path", []string{"remove"}},
		{"lock file is a FIFO", func(t *testing.T, _, path string) {
			if err := syscall.Mkfifo(path+".lock", 0o600); err != nil {
				t.Fatal(err)
			}
		}, func(_, path string) string { return path + ".lock" }, "choose another path", []string{"remove"}},
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
			for _, bad := range c.never {
				if strings.Contains(ue.Fix, bad) {
					t.Fatalf("%v: the advice says %q", err, bad)
				}
			}
		})
	}
}

// TestSystemPathsAdviseAnotherPath: a quota file given in a directory the
// system shares (/tmp), or on a device (/dev/null), is refused with the
// advice to choose another path, never to change the directory or remove
// the device; nothing is created or changed there.
func TestSystemPathsAdviseAnotherPath(t *testing.T) {
	tmp, err := os.Stat("/tmp")
	if err != nil || tmp.Mode()&fs.ModeSticky == 0 || tmp.Mode().Perm()&0o002 == 0 {
		t.Skip("no shared, sticky /tmp here")
	}
	if _, err := os.Stat("/dev/null"); err != nil {
		t.Skip("no /dev/null here")
	}
	for _, c := range []struct{ path, blamed string }{
		{"/tmp/hss-quotafile-test-never-made", "/tmp"},
		{"/dev/null", "/dev/null"},
	} {
		t.Run(c.path, func(t *testing.T) {
			_, err := quotafile.New(c.path)
			var ue *quotafile.UnsafePathError
			if !errors.As(err, &ue) || ue.Path != c.blamed {
				t.Fatalf("New(%s): %v; want an *UnsafePathError blaming %s", c.path, err, c.blamed)
			}
			if !strings.Contains(ue.Fix, "choose a") || strings.Contains(ue.Fix, "chmod") || strings.Contains(ue.Fix, "remove") {
				t.Fatalf("New(%s): the advice is %q; want another path, never chmod or remove", c.path, ue.Fix)
			}
			if _, err := os.Lstat(c.path + ".lock"); err == nil {
				t.Fatalf("New(%s) created %s.lock", c.path, c.path)
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
