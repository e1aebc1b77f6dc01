// The Store's promises as an hss.QuotaStore (the conformance suite), New's files, and the arguments it refuses.
package quotafile_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hsskit/hss"
	"github.com/hsskit/hss/internal/quotastoretest"
	"github.com/hsskit/hss/quotafile"
)

func newStore(t testing.TB, path string) *quotafile.Store {
	t.Helper()
	s, err := quotafile.New(path)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestConformance: Stores on one path share their data and keep every
// promise of hss.QuotaStore.
func TestConformance(t *testing.T) {
	path := filepath.Join(t.TempDir(), "quotas")
	quotastoretest.Run(t, func(t *testing.T) hss.QuotaStore { return newStore(t, path) })
}

// TestConformanceAcrossPathSpellings: Stores on spellings of one path, a
// relative one and one through a linked directory, share one table.
func TestConformanceAcrossPathSpellings(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	if err := os.Symlink(dir, filepath.Join(dir, "link")); err != nil {
		t.Skip("no symbolic links here:", err)
	}
	spellings := []string{"quotas", filepath.Join(dir, "link", "quotas")}
	i := 0
	quotastoretest.Run(t, func(t *testing.T) hss.QuotaStore {
		i++
		return newStore(t, spellings[i%2])
	})
}

// TestPathIsAbsolute: Path gives the table's absolute path.
func TestPathIsAbsolute(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	if got := newStore(t, "quotas").Path(); got != filepath.Join(dir, "quotas") {
		t.Fatalf("Path() = %q; want %q", got, filepath.Join(dir, "quotas"))
	}
}

// TestArgumentsRefused: what a Store does not take is an *ArgumentError
// naming it, before any file is touched.
func TestArgumentsRefused(t *testing.T) {
	if _, err := quotafile.New(""); !isArgumentError(err, "path") {
		t.Fatalf("New(\"\"): %v; want an *ArgumentError for path", err)
	}
	path := filepath.Join(t.TempDir(), "quotas")
	s := newStore(t, path)
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		field, key string
		next       []byte
	}{
		{"key", strings.Repeat("k", hss.MaxQuotaKeyLen+1), []byte("v")},
		{"next", "k", nil},
		{"next", "k", []byte{}},
		{"next", "k", make([]byte, hss.MaxQuotaValueLen+1)},
	} {
		_, ok, err := s.CompareAndSwap(context.Background(), c.key, nil, c.next, time.Minute)
		if ok || !isArgumentError(err, c.field) {
			t.Errorf("key of %d bytes, next of %d: swapped %v, %v; want an *ArgumentError for %s", len(c.key), len(c.next), ok, err, c.field)
		}
		if !strings.Contains(err.Error(), "512") {
			t.Errorf("%v: the message does not give the bound", err)
		}
	}
	//lint:ignore SA1012 a nil context is what is refused
	if _, ok, err := s.CompareAndSwap(nil, "k", nil, []byte("v"), time.Minute); ok || !isArgumentError(err, "ctx") {
		t.Errorf("a nil ctx: swapped %v, %v; want an *ArgumentError for ctx", ok, err)
	}
	if after, _ := os.ReadFile(path); string(after) != string(before) {
		t.Fatal("a refused call changed the file")
	}
}

func isArgumentError(err error, field string) bool {
	var ae *quotafile.ArgumentError
	return errors.As(err, &ae) && ae.Field == field
}

// TestCannotCreate: a path whose directory cannot be made is New's error.
func TestCannotCreate(t *testing.T) {
	notDir := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(notDir, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if s, err := quotafile.New(filepath.Join(notDir, "quota", "quotas")); err == nil || s != nil {
		t.Fatalf("New under a regular file: %v, %v; want an error", s, err)
	}
	if _, err := quotafile.New(t.TempDir()); err == nil {
		t.Fatal("New on a directory: no error")
	}
}

// TestExpiredEntriesDroppedWhenWritten: the table holds only live keys
// after a write.
func TestExpiredEntriesDroppedWhenWritten(t *testing.T) {
	path := filepath.Join(t.TempDir(), "quotas")
	s := newStore(t, path)
	ctx := context.Background()
	if _, _, err := s.CompareAndSwap(ctx, "short-lived-key", nil, []byte("v"), time.Nanosecond); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.CompareAndSwap(ctx, "kept-key", nil, []byte("w"), time.Hour); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), "short-lived-key") || !strings.Contains(string(data), "kept-key") {
		t.Fatalf("the table after the second write: %q", data)
	}
}

// TestZeroStore: a Store that New did not make fails with an error, not a
// panic.
func TestZeroStore(t *testing.T) {
	for _, s := range []*quotafile.Store{nil, {}} {
		if _, ok, err := s.CompareAndSwap(context.Background(), "k", nil, []byte("v"), time.Minute); ok || err == nil {
			t.Fatalf("swapped %v, %v; want an error", ok, err)
		}
		if s.Path() != "" {
			t.Fatalf("Path() = %q", s.Path())
		}
	}
}
