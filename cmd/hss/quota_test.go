// Tests of the quota that hss runs share through a file: where the file
// is, the flags and variable that choose it or turn it off, --verbose's
// line about it, a default file that cannot be used, which costs the
// sharing but not the run, and a file named that cannot be used, which is
// a usage error.
package main

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestQuotaSharedByDefault: a run shares its quota through
// hss/quota/quotas in the user cache directory, which it creates (0700),
// and --verbose says so first.
func TestQuotaSharedByDefault(t *testing.T) {
	f := newFixture(t)
	cache := filepath.Join(t.TempDir(), "cache")
	f.vars["XDG_CACHE_HOME"] = cache
	r := f.run(f.args("registries", "--task-id", "task-1", "--verbose", "--output", "jsonl")...)
	require.Equal(t, exitOK, r.code, r.stderr)
	path := filepath.Join(cache, "hss", "quota", "quotas")
	assert.Equal(t, "hss: quota shared through "+path, lines(r.stderr)[0])
	fi, err := os.Stat(path)
	require.NoError(t, err)
	if runtime.GOOS != "windows" { // where modes describe access
		assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
		fi, err = os.Stat(filepath.Dir(path))
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o700), fi.Mode().Perm())
	}

	// Without --verbose, nothing is said.
	r = f.run(f.args("registries", "--task-id", "task-1", "--output", "jsonl")...)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Empty(t, r.stderr)
}

// TestQuotaFileChosen: $HSS_QUOTA_FILE chooses the file, and --quota-file
// wins over it; surrounding spaces are trimmed, and a blank
// $HSS_QUOTA_FILE counts as unset.
func TestQuotaFileChosen(t *testing.T) {
	f := newFixture(t)
	dir := t.TempDir()
	f.vars[envQuotaFile] = filepath.Join(dir, "from-env", "quotas")
	r := f.run(f.args("registries", "--task-id", "task-1", "--verbose", "--output", "jsonl")...)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, "hss: quota shared through "+filepath.Join(dir, "from-env", "quotas"), lines(r.stderr)[0])

	r = f.run(f.args("registries", "--task-id", "task-1", "--verbose", "--output", "jsonl", "--quota-file", filepath.Join(dir, "from-flag"))...)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, "hss: quota shared through "+filepath.Join(dir, "from-flag"), lines(r.stderr)[0])
	assert.FileExists(t, filepath.Join(dir, "from-flag"))

	f.vars[envQuotaFile] = "  " + filepath.Join(dir, "spaced") + "\t"
	r = f.run(f.args("registries", "--task-id", "task-1", "--verbose", "--output", "jsonl")...)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, "hss: quota shared through "+filepath.Join(dir, "spaced"), lines(r.stderr)[0])

	work := t.TempDir()
	t.Chdir(work)
	cache := filepath.Join(t.TempDir(), "cache")
	f.vars["XDG_CACHE_HOME"] = cache
	for _, blank := range []string{" ", "\t \n"} {
		f.vars[envQuotaFile] = blank
		r = f.run(f.args("registries", "--task-id", "task-1", "--verbose", "--output", "jsonl")...)
		require.Equal(t, exitOK, r.code, r.stderr)
		assert.Equal(t, "hss: quota shared through "+filepath.Join(cache, "hss", "quota", "quotas"), lines(r.stderr)[0], "blank is unset")
	}
	made, err := os.ReadDir(work)
	require.NoError(t, err)
	assert.Empty(t, made, "no file named by the blank")
}

// TestQuotaNotShared: --no-shared-quota and --demo use no file, and
// --verbose says why.
func TestQuotaNotShared(t *testing.T) {
	f := newFixture(t)
	cache := filepath.Join(t.TempDir(), "cache")
	f.vars["XDG_CACHE_HOME"] = cache
	f.vars[envQuotaFile] = filepath.Join(cache, "from-env")
	r := f.run(f.args("registries", "--task-id", "task-1", "--verbose", "--output", "jsonl", "--no-shared-quota")...)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, "hss: quota not shared: --no-shared-quota", lines(r.stderr)[0])

	r = runWith(t, nil, f.clk, false, f.vars, "registries", "--demo", "--task-id", "demo-task", "--verbose", "--output", "jsonl")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, "hss: quota not shared: --demo runs against its own fake HSS", lines(r.stderr)[0])
	assert.NoDirExists(t, cache, "no file is made")
}

// TestQuotaFlagConflicts: --quota-file does not go with --no-shared-quota
// or --demo.
func TestQuotaFlagConflicts(t *testing.T) {
	r := runCLI(t, "registries", "--task-id", "t", "--region", "cn-north-4", "--quota-file", "q", "--no-shared-quota")
	assert.Equal(t, exitUsage, r.code)
	assert.Equal(t, "hss: give --quota-file or --no-shared-quota, not both\n", r.stderr)
	r = runCLI(t, "registries", "--demo", "--task-id", "demo-task", "--quota-file", "q")
	assert.Equal(t, exitUsage, r.code)
	assert.Equal(t, "hss: --demo shares no quota: drop --quota-file\n", r.stderr)
	r = runCLI(t, "registries", "--demo", "--task-id", "demo-task", "--quota-file", "")
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "invalid --quota-file")
}

// TestUnusableQuotaFile: the default quota file that cannot be used (its
// directory cannot be made, or there is no cache directory) costs the
// sharing, not the run: one warning says why, and the listing is whole.
func TestUnusableQuotaFile(t *testing.T) {
	notDir := filepath.Join(t.TempDir(), "a-file")
	require.NoError(t, os.WriteFile(notDir, nil, 0o600))
	shared := filepath.Join(t.TempDir(), "cache")
	require.NoError(t, os.MkdirAll(filepath.Join(shared, "hss", "quota"), 0o700))
	require.NoError(t, os.Chmod(filepath.Join(shared, "hss", "quota"), 0o777))
	for _, c := range []struct {
		name string
		vars map[string]string
		want string
	}{
		{"cache directory under a file", map[string]string{"XDG_CACHE_HOME": notDir}, "not a directory"},
		{"quota directory writable by all", map[string]string{"XDG_CACHE_HOME": shared}, "writable by its group or others"},
		{"no home directory", map[string]string{"HOME": ""}, "no user cache directory: $HOME is not set"},
		{"relative cache directory", map[string]string{"XDG_CACHE_HOME": "cache"}, "$XDG_CACHE_HOME is not an absolute path"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if runtime.GOOS == "windows" && strings.Contains(c.want, "writable") {
				t.Skip("modes do not describe access here")
			}
			f := newFixture(t)
			for k, v := range c.vars {
				f.vars[k] = v
			}
			r := f.run(f.args("registries", "--task-id", "task-1", "--output", "jsonl")...)
			require.Equal(t, exitOK, r.code, r.stderr)
			assert.Len(t, lines(r.stdout), len(demoRegistries))
			warnings := lines(r.stderr)
			require.Len(t, warnings, 1, r.stderr)
			assert.True(t, strings.HasPrefix(warnings[0], "hss: warning: quota not shared with other hss runs: "), warnings[0])
			assert.True(t, strings.HasSuffix(warnings[0], "; this run keeps its own (--quota-file names another file, --no-shared-quota turns sharing off)"), warnings[0])
			assert.Contains(t, warnings[0], c.want)
		})
	}
}

// TestNamedQuotaFileUnusable: a quota file named with --quota-file or
// $HSS_QUOTA_FILE that cannot be used (a device, a file that is not a
// quota table, a directory others can write to) is a usage error that
// names the flag or variable, before any request; the file is left as it
// is. A blank --quota-file is one too.
func TestNamedQuotaFileUnusable(t *testing.T) {
	notes := filepath.Join(t.TempDir(), "notes.txt")
	require.NoError(t, os.WriteFile(notes, []byte("remember the milk\n"), 0o600))
	shared := filepath.Join(t.TempDir(), "shared")
	require.NoError(t, os.Mkdir(shared, 0o700))
	require.NoError(t, os.Chmod(shared, 0o777))
	for _, c := range []struct {
		name      string
		flag, env string
		want      string
	}{
		{"--quota-file /dev/null", "/dev/null", "", "invalid --quota-file: refusing /dev/null: it is not a regular file"},
		{"--quota-file notes.txt", notes, "", "invalid --quota-file: refusing " + notes + ": its 18 bytes are not a quota table"},
		{"$HSS_QUOTA_FILE notes.txt", "", notes, "invalid $HSS_QUOTA_FILE: refusing " + notes + ": its 18 bytes are not a quota table"},
		{"$HSS_QUOTA_FILE in a directory writable by all", "", filepath.Join(shared, "quotas"), "invalid $HSS_QUOTA_FILE: refusing " + shared + ": the directory: it is writable by its group or others"},
		{"blank --quota-file", " ", "", "invalid --quota-file: must not be blank"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if runtime.GOOS == "windows" && c.name != "blank --quota-file" {
				t.Skip("no /dev/null, and modes do not describe access here")
			}
			f := newFixture(t)
			args := f.args("registries", "--task-id", "task-1", "--output", "jsonl")
			if c.flag != "" {
				args = append(args, "--quota-file", c.flag)
			}
			if c.env != "" {
				f.vars[envQuotaFile] = c.env
			}
			r := f.run(args...)
			assert.Equal(t, exitUsage, r.code, r.stderr)
			assert.Empty(t, r.stdout)
			assert.True(t, strings.HasPrefix(r.stderr, "hss: "+c.want), r.stderr)
			assert.Empty(t, f.srv.Requests(), "no request before the refusal")
			data, err := os.ReadFile(notes)
			require.NoError(t, err)
			assert.Equal(t, "remember the milk\n", string(data))
		})
	}
}

// TestQuotaFlagsCompleted: completion offers the quota flags.
func TestQuotaFlagsCompleted(t *testing.T) {
	for _, shell := range shells {
		r := runCLI(t, "completion", shell)
		require.Equal(t, exitOK, r.code, r.stderr)
		assert.Contains(t, r.stdout, "quota-file", shell)
		assert.Contains(t, r.stdout, "no-shared-quota", shell)
	}
}
