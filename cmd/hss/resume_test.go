// Resuming a listing that failed part-way: the one command stderr gives completes it to the bytes of a run that did not fail.

package main

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsskit/hss/hsstest"
	"github.com/hsskit/hss/internal/secret"
)

// failFrom makes every request from the nth on answer 503, so a listing
// breaks off part-way (after its retries).
func failFrom(srv *hsstest.Server, n int64) {
	var seen atomic.Int64
	srv.Handle(func(w http.ResponseWriter, r *http.Request) bool {
		if seen.Add(1) < n {
			return false
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte(`{"error_code":"APIGW.0613","error_msg":"backend unavailable"}`))
		return true
	})
}

// resumeCommand reads the command a failed run gives on stderr, as the
// arguments of hss (the token, redacted there, put back).
func resumeCommand(t *testing.T, f *fixture, stderr string) []string {
	t.Helper()
	_, cmd, ok := strings.Cut(strings.TrimSuffix(stderr, "\n"), "; resume with: ")
	require.True(t, ok, "no command in %q", stderr)
	cmd, _, _ = strings.Cut(cmd, " (FILE: ")
	words := shellWords(t, cmd)
	require.Equal(t, "hss", words[0], cmd)
	for i, w := range words {
		if w == secret.Redacted {
			words[i] = f.srv.Token()
		}
	}
	assert.NotContains(t, stderr, f.srv.Token(), "the token never shows")
	return words[1:]
}

// shellWords splits a command as a POSIX shell does words that are plain
// or single-quoted (all that commandLine writes).
func shellWords(t *testing.T, cmd string) []string {
	t.Helper()
	var words []string
	var w strings.Builder
	inWord, quoted := false, false
	for _, c := range cmd {
		switch {
		case quoted && c == '\'':
			quoted = false
		case quoted:
			w.WriteRune(c)
		case c == '\'':
			quoted, inWord = true, true
		case c == '\\':
			t.Fatalf("a backslash outside quotes in %q", cmd)
		case c == ' ':
			if inWord {
				words = append(words, w.String())
				w.Reset()
			}
			inWord = false
		default:
			w.WriteRune(c)
			inWord = true
		}
	}
	require.False(t, quoted, "unterminated quote in %q", cmd)
	if inWord {
		words = append(words, w.String())
	}
	return words
}

// readFile returns the file's content.
func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return string(b)
}

// TestResumeFileInEveryFormat: a listing into a --resume file that fails
// part-way, twice, is completed by running the command stderr gives (the
// same one) until it succeeds; the file then holds exactly what an
// uninterrupted run writes, csv with one header and json as one document.
func TestResumeFileInEveryFormat(t *testing.T) {
	for _, format := range []string{"csv", "json", "jsonl"} {
		t.Run(format, func(t *testing.T) {
			f := newFixture(t, hsstest.WithSeed("big", 1234))
			dir := t.TempDir()
			full := f.run(f.args("registries", "--task-id", "big", "--output", format)...)
			require.Equal(t, exitOK, full.code, full.stderr)

			path := filepath.Join(dir, "out."+format)
			args := f.args("registries", "--task-id", "big", "--output", format, "--resume", path)
			failFrom(f.srv, 3)
			r := f.run(args...)
			require.Equal(t, exitError, r.code, r.stderr)
			assert.Empty(t, r.stdout, "the output goes to the file")
			assert.Contains(t, r.stderr, "; 400 registries written, 400 in "+path+"; resume with: hss registries ")
			assert.Len(t, lines(r.stderr), 1)
			if format == "json" {
				assert.False(t, json.Valid([]byte(readFile(t, path))), "an unterminated document is no whole one")
			}
			next := resumeCommand(t, f, r.stderr)
			assert.Equal(t, args, next, "the same command")

			failFrom(f.srv, 4) // three more pages, then a failure
			r = f.run(next...)
			require.Equal(t, exitError, r.code, r.stderr)
			assert.Contains(t, r.stderr, "; 600 registries written, 1000 in "+path+"; resume with: ")
			assert.Equal(t, args, resumeCommand(t, f, r.stderr))

			f.srv.Handle(nil)
			before := len(f.srv.Requests())
			r = f.run(next...)
			require.Equal(t, exitOK, r.code, r.stderr)
			assert.Empty(t, r.stdout)
			assert.Empty(t, r.stderr)
			assert.Equal(t, full.stdout, readFile(t, path))
			assert.Contains(t, f.srv.Requests()[before].Query, "offset=1000", "listing from where the file ends")

			// Run again on the whole file: nothing is added, nothing lost.
			r = f.run(next...)
			require.Equal(t, exitOK, r.code, r.stderr)
			assert.Equal(t, full.stdout, readFile(t, path))
		})
	}
}

// TestResumeFromStdout: when the output went to stdout, the command
// continues the file stdout went to, when it is one; else (a pipe) it is
// the command whose output, appended, completes the listing (csv and
// table without a header; json, which cannot be appended to, in its file).
func TestResumeFromStdout(t *testing.T) {
	for _, format := range outputFormats {
		t.Run(format, func(t *testing.T) {
			f := newFixture(t, hsstest.WithSeed("big", 1234))
			full := f.run(f.args("registries", "--task-id", "big", "--output", format)...)
			require.Equal(t, exitOK, full.code, full.stderr)

			// stdout is a file: the command continues it.
			if format != "table" {
				path := filepath.Join(t.TempDir(), "listing")
				f.stdoutPath = path
				failFrom(f.srv, 3)
				r := f.run(f.args("registries", "--task-id", "big", "--output", format)...)
				require.Equal(t, exitError, r.code, r.stderr)
				require.NoError(t, os.WriteFile(path, []byte(r.stdout), 0o600))
				next := resumeCommand(t, f, r.stderr)
				assert.Equal(t, append(f.args("registries", "--task-id", "big", "--output", format), "--resume", path), next)
				f.srv.Handle(nil)
				f.stdoutPath = ""
				r = f.run(next...)
				require.Equal(t, exitOK, r.code, r.stderr)
				assert.Equal(t, full.stdout, readFile(t, path))
			}

			// stdout is a pipe.
			failFrom(f.srv, 3)
			r := f.run(f.args("registries", "--task-id", "big", "--output", format)...)
			require.Equal(t, exitError, r.code, r.stderr)
			next := resumeCommand(t, f, r.stderr)
			f.srv.Handle(nil)
			switch format {
			case "json":
				assert.Contains(t, r.stderr, "400 registries written (the json document is unterminated); resume with: ")
				assert.Contains(t, r.stderr, " --resume FILE (FILE: the file that holds this output; ")
				path := filepath.Join(t.TempDir(), "listing.json")
				require.NoError(t, os.WriteFile(path, []byte(r.stdout), 0o600))
				next[len(next)-1] = path
				rest := f.run(next...)
				require.Equal(t, exitOK, rest.code, rest.stderr)
				assert.Equal(t, full.stdout, readFile(t, path))
			case "table":
				assert.Equal(t, append(f.args("registries", "--task-id", "big", "--output", format), "--offset", "400", "--no-headers"), next)
				rest := f.run(next...)
				require.Equal(t, exitOK, rest.code, rest.stderr)
				assert.Len(t, lines(r.stdout+rest.stdout), 1+1234, "the header and every registry (a table's widths may differ)")
			default:
				want := append(f.args("registries", "--task-id", "big", "--output", format), "--offset", "400")
				if format == "csv" {
					want = append(want, "--no-headers")
				}
				assert.Equal(t, want, next)
				rest := f.run(next...)
				require.Equal(t, exitOK, rest.code, rest.stderr)
				assert.Equal(t, full.stdout, r.stdout+rest.stdout)
			}
		})
	}
}

// TestResumeAcrossStatuses: several --status values are listed one after
// the other; one command resumes in whichever status failed, and --offset
// counts across them.
func TestResumeAcrossStatuses(t *testing.T) {
	f := newFixture(t, hsstest.WithSeed("big", 1234))
	base := f.args("registries", "--task-id", "big", "--output", "csv", "--status", "running,failed", "--limit", "100")
	full := f.run(base...)
	require.Equal(t, exitOK, full.code, full.stderr)

	// The running registries take 5 pages: fail in the failed ones' third
	// page (the first pages of both statuses are fetched first).
	failFrom(f.srv, 8)
	r := f.run(base...)
	require.Equal(t, exitError, r.code, r.stderr)
	written := len(lines(r.stdout)) - 1
	require.Greater(t, written, 500)
	next := resumeCommand(t, f, r.stderr)
	assert.Equal(t, append(append([]string(nil), base...), "--offset", strconv.Itoa(written), "--no-headers"), next)
	f.srv.Handle(nil)
	rest := f.run(next...)
	require.Equal(t, exitOK, rest.code, rest.stderr)
	assert.Equal(t, full.stdout, r.stdout+rest.stdout)

	path := filepath.Join(t.TempDir(), "out.csv")
	failFrom(f.srv, 4)
	r = f.run(append(base, "--resume", path)...)
	require.Equal(t, exitError, r.code, r.stderr)
	f.srv.Handle(nil)
	r = f.run(resumeCommand(t, f, r.stderr)...)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, full.stdout, readFile(t, path))
}

// TestResumeKeepsMaxItems: a capped listing that fails part-way is
// completed to the cap, not past it.
func TestResumeKeepsMaxItems(t *testing.T) {
	f := newFixture(t, hsstest.WithSeed("big", 45))
	base := f.args("registries", "--task-id", "big", "--output", "jsonl", "--limit", "10", "--max-items", "30")
	full := f.run(base...)
	require.Equal(t, exitOK, full.code, full.stderr)

	failFrom(f.srv, 3)
	r := f.run(base...)
	require.Equal(t, exitError, r.code, r.stderr)
	require.Len(t, lines(r.stdout), 20)
	next := resumeCommand(t, f, r.stderr)
	assert.Equal(t, append(withoutFlags(newRegistriesCmd().fs, base, "max-items"), "--offset", "20", "--max-items", "10"), next,
		"the rest of the cap: 30 asked for, 20 written")
	f.srv.Handle(nil)
	rest := f.run(next...)
	assert.Equal(t, full.stdout, r.stdout+rest.stdout)

	path := filepath.Join(t.TempDir(), "out.jsonl")
	failFrom(f.srv, 3)
	r = f.run(append(base, "--resume", path)...)
	require.Equal(t, exitError, r.code, r.stderr)
	f.srv.Handle(nil)
	r = f.run(resumeCommand(t, f, r.stderr)...)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, full.stdout, readFile(t, path))
	assert.Equal(t, "hss: 30 of 45 in "+path+" shown; --max-items\n", r.stderr)
}

// TestResumeAfterInterrupt: an interrupted listing (SIGINT) gives the
// resume command too, and exits 130.
func TestResumeAfterInterrupt(t *testing.T) {
	f := newFixture(t, hsstest.WithSeed("big", 1234))
	path := filepath.Join(t.TempDir(), "out.json")
	args := f.args("registries", "--task-id", "big", "--output", "json", "--resume", path)
	full := f.run(f.args("registries", "--task-id", "big", "--output", "json")...)

	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	var seen atomic.Int64
	f.srv.Handle(func(w http.ResponseWriter, r *http.Request) bool {
		if seen.Add(1) == 4 {
			cancel(&interrupted{sig: syscall.SIGINT}) // Ctrl-C while the fourth page is asked for
			<-r.Context().Done()
			return true
		}
		return false
	})
	f.ctx = ctx
	r := f.run(args...)
	require.Equal(t, exitSIGINT, r.code, r.stderr)
	assert.Contains(t, r.stderr, "hss: interrupted (SIGINT): ")
	assert.Contains(t, r.stderr, "; 600 registries written, 600 in "+path+"; resume with: ")
	f.ctx = nil
	f.srv.Handle(nil)
	r = f.run(resumeCommand(t, f, r.stderr)...)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, full.stdout, readFile(t, path))
}

// TestResumeDropsARecordCutShort: a file that ends inside a record (a run
// killed while writing) is continued from its last whole record.
func TestResumeDropsARecordCutShort(t *testing.T) {
	for _, format := range []string{"csv", "json", "jsonl"} {
		t.Run(format, func(t *testing.T) {
			f := newFixture(t, hsstest.WithSeed("big", 450))
			full := f.run(f.args("registries", "--task-id", "big", "--output", format)...)
			require.Equal(t, exitOK, full.code, full.stderr)
			for _, cut := range []int{1, 20, len(full.stdout) / 3, len(full.stdout) / 2, len(full.stdout) - 2, len(full.stdout) - 1} {
				path := filepath.Join(t.TempDir(), "out")
				require.NoError(t, os.WriteFile(path, []byte(full.stdout[:cut]), 0o600))
				r := f.run(f.args("registries", "--task-id", "big", "--output", format, "--resume", path)...)
				require.Equal(t, exitOK, r.code, "cut at %d: %s", cut, r.stderr)
				assert.Equal(t, full.stdout, readFile(t, path), "cut at %d", cut)
			}
		})
	}
}

// TestResumeStartsAfresh: a missing or empty file gets the whole listing.
func TestResumeStartsAfresh(t *testing.T) {
	f := newFixture(t)
	for _, format := range []string{"csv", "json", "jsonl"} {
		full := f.run(f.args("registries", "--task-id", "task-1", "--output", format)...)
		dir := t.TempDir()
		empty := filepath.Join(dir, "empty")
		require.NoError(t, os.WriteFile(empty, nil, 0o600))
		for _, path := range []string{filepath.Join(dir, "new"), empty} {
			r := f.run(f.args("registries", "--task-id", "task-1", "--output", format, "--resume", path)...)
			require.Equal(t, exitOK, r.code, r.stderr)
			assert.Equal(t, full.stdout, readFile(t, path), format)
		}
	}
}

// TestResumeRefusesOtherFiles: a file that is not the start of this
// listing's output, in this format, is a usage error (exit 2); it is left
// as it is, and nothing is sent.
func TestResumeRefusesOtherFiles(t *testing.T) {
	f := newFixture(t)
	f.srv.AddRegistries("settled", hsstest.Registry{RegistryID: "r1", RegistryName: "n", RegistryType: "Harbor", SyncStatus: "finished"})
	waitDoc := f.run(f.args("wait", "--task-id", "settled", "--output", "json")...).stdout
	csvOut := f.run(f.args("registries", "--task-id", "task-1", "--output", "csv")...).stdout
	jsonlOut := f.run(f.args("registries", "--task-id", "task-1", "--output", "jsonl")...).stdout
	jsonOut := f.run(f.args("registries", "--task-id", "task-1", "--output", "json")...).stdout
	for _, tc := range []struct {
		name, content, format string
		extra                 []string
		why                   string
	}{
		{"a wait document", waitDoc, "json", nil, `task_id where this listing's document has total_num`},
		{"json after the document", jsonOut + "{}\n", "json", nil, "more after the end of the document"},
		{"json not a registry", `{"total_num":1,"data_list":[{"registry_id":1}`, "json", nil, "registry 1: "},
		{"json with a foreign key", `{"total_num":1,"data_list":[{"colour":"red"}`, "json", nil, `a registry with the key "colour"`},
		{"csv as json", csvOut, "json", nil, "invalid character"},
		{"json as csv", jsonOut, "csv", nil, "the first line is not the header row"},
		{"csv of other fields", csvOut, "csv", []string{"--fields", "registry_id"}, "the first line is not the header row registry_id"},
		{"csv with a header, without headers", csvOut, "csv", []string{"--no-headers"}, "it starts with a header row, and --no-headers leaves it out"},
		{"csv with a short row", csvOut + "a,b\n", "csv", nil, "line 14: 2 cells, not 5"},
		{"csv with a record across lines", "registry_id,registry_name,registry_type,sync_status,failed_reason\n\"a\nb\",c,d,e,f\n", "csv", nil, "line 2: a quoted cell that does not end on its line"},
		{"csv with a stray quote", "registry_id,registry_name,registry_type,sync_status,failed_reason\na\"b,c,d,e,f\n", "csv", nil, "line 2: a quote inside a cell that is not quoted"},
		{"csv with text after a quote", "registry_id,registry_name,registry_type,sync_status,failed_reason\n\"a\"b,c,d,e,f\n", "csv", nil, "line 2: text after a quoted cell"},
		{"a text file as csv", "notes\nmore notes\n", "csv", nil, "the first line is not the header row"},
		{"jsonl as csv", jsonlOut, "csv", nil, "the first line is not the header row"},
		{"csv as jsonl", csvOut, "jsonl", nil, "line 1: not a registry object"},
		{"jsonl of other fields", jsonlOut, "jsonl", []string{"--fields", "registry_id"}, `line 1: a registry with the key "registry_`},
		{"jsonl with a blank line", jsonlOut + "\n", "jsonl", nil, "line 13: not a registry object"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "out")
			require.NoError(t, os.WriteFile(path, []byte(tc.content), 0o600))
			before := len(f.srv.Requests())
			args := append(f.args("registries", "--task-id", "task-1", "--output", tc.format, "--resume", path), tc.extra...)
			r := f.run(args...)
			assert.Equal(t, exitUsage, r.code, r.stderr)
			assert.Contains(t, r.stderr, "hss: invalid --resume "+path+": not the start of this listing's --output "+tc.format+" (")
			assert.Contains(t, r.stderr, tc.why)
			assert.Contains(t, r.stderr, "; the file was left as it is")
			assert.Len(t, lines(r.stderr), 1)
			assert.Equal(t, tc.content, readFile(t, path))
			assert.Len(t, f.srv.Requests(), before, "nothing sent")
		})
	}

	r := f.run(f.args("registries", "--task-id", "task-1", "--output", "csv", "--resume", t.TempDir())...)
	assert.Equal(t, exitUsage, r.code, r.stderr)
	assert.Contains(t, r.stderr, "not a regular file")
}

// TestStdoutFilePath: the name of the file stdout writes to, for the
// resume command, relative when it lies below the working directory; none
// for a pipe.
func TestStdoutFilePath(t *testing.T) {
	if _, err := os.Stat("/proc/self/fd"); err != nil {
		t.Skip("no /proc/self/fd: stdout's file name is not known here")
	}
	path := filepath.Join(t.TempDir(), "listing.csv")
	f, err := os.Create(path)
	require.NoError(t, err)
	defer f.Close()
	want, err := filepath.EvalSymlinks(path)
	require.NoError(t, err)
	assert.Equal(t, want, filePath(f))

	t.Chdir(filepath.Dir(path))
	assert.Equal(t, "listing.csv", filePath(f))

	require.NoError(t, os.Remove(path))
	assert.Empty(t, filePath(f), "a removed file has no name")

	r, w, err := os.Pipe()
	require.NoError(t, err)
	defer r.Close()
	defer w.Close()
	assert.Empty(t, filePath(w))

	// hss ... >> app.csv: the output goes after what the file held, so it
	// is not the whole file, and the file has no name to resume.
	app := filepath.Join(t.TempDir(), "app.csv")
	require.NoError(t, os.WriteFile(app, []byte("registry_id\nr1\n"), 0o600))
	appended, err := os.OpenFile(app, os.O_WRONLY|os.O_APPEND, 0)
	require.NoError(t, err)
	defer appended.Close()
	assert.Empty(t, filePath(appended), "a file appended to")
	// ... but >> onto an empty file writes the whole file.
	empty := filepath.Join(t.TempDir(), "empty.csv")
	e, err := os.OpenFile(empty, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	require.NoError(t, err)
	defer e.Close()
	want, err = filepath.EvalSymlinks(empty)
	require.NoError(t, err)
	assert.Equal(t, want, filePath(e))
	// 1<>file writes over a file from its start, which holds more.
	over, err := os.OpenFile(app, os.O_RDWR, 0)
	require.NoError(t, err)
	defer over.Close()
	assert.Empty(t, filePath(over), "a file that holds bytes already")
}

// TestResumeAfterAppend: a listing whose stdout was appended to a file
// that held a complete listing (hss ... >> app.csv) gets the command that
// completes its own output (--offset), not --resume on the file, which
// holds more than one output; and --resume refuses such a file, with a
// header row in the middle or more registries than the listing has (exit
// 2), leaving it as it is.
func TestResumeAfterAppend(t *testing.T) {
	for _, format := range []string{"csv", "jsonl"} {
		t.Run(format, func(t *testing.T) {
			f := newFixture(t, hsstest.WithSeed("big", 1234))
			full := f.run(f.args("registries", "--task-id", "big", "--output", format)...)
			require.Equal(t, exitOK, full.code, full.stderr)
			app := filepath.Join(t.TempDir(), "app."+format)

			// stdout >> app: filePath gives no name for it.
			f.stdoutPath = ""
			failFrom(f.srv, 3)
			r := f.run(f.args("registries", "--task-id", "big", "--output", format)...)
			require.Equal(t, exitError, r.code, r.stderr)
			f.srv.Handle(nil)
			content := full.stdout + r.stdout
			require.NoError(t, os.WriteFile(app, []byte(content), 0o600))
			next := resumeCommand(t, f, r.stderr)
			assert.NotContains(t, next, "--resume")
			assert.Contains(t, strings.Join(next, " "), "--offset 400")

			// The --resume a note gave before: refused, the file untouched.
			before := len(f.srv.Requests())
			r = f.run(f.args("registries", "--task-id", "big", "--output", format, "--resume", app)...)
			assert.Equal(t, exitUsage, r.code, r.stderr)
			if format == "csv" {
				assert.Contains(t, r.stderr, "hss: invalid --resume "+app+": not the start of this listing's --output csv (line 1236: a header row in the middle: the file holds more than one output)")
				assert.Len(t, f.srv.Requests(), before, "nothing sent")
			} else {
				assert.Contains(t, r.stderr, "hss: invalid --resume "+app+": it holds 1634 registries, more than the 1234 this listing has; the file was left as it is")
				assert.Len(t, f.srv.Requests(), before+1, "the first page only, which tells how many the listing has")
			}
			assert.Len(t, lines(r.stderr), 1)
			assert.Equal(t, content, readFile(t, app))
		})
	}

	// A csv without headers holds no header row anywhere.
	f := newFixture(t)
	head := f.run(f.args("registries", "--task-id", "task-1", "--output", "csv")...).stdout
	rows := f.run(f.args("registries", "--task-id", "task-1", "--output", "csv", "--no-headers")...).stdout
	path := filepath.Join(t.TempDir(), "rows.csv")
	require.NoError(t, os.WriteFile(path, []byte(rows+head), 0o600))
	r := f.run(f.args("registries", "--task-id", "task-1", "--output", "csv", "--no-headers", "--resume", path)...)
	assert.Equal(t, exitUsage, r.code, r.stderr)
	assert.Contains(t, r.stderr, "a header row in the middle")

	// With --offset, the listing has what lies past it.
	jsonl := f.run(f.args("registries", "--task-id", "task-1", "--output", "jsonl")...).stdout
	require.NoError(t, os.WriteFile(path, []byte(jsonl), 0o600))
	r = f.run(f.args("registries", "--task-id", "task-1", "--output", "jsonl", "--offset", "2", "--resume", path)...)
	assert.Equal(t, exitUsage, r.code, r.stderr)
	assert.Contains(t, r.stderr, "it holds 12 registries, more than the 10 this listing has from offset 2")
}

// TestResumeFileUnwritable: a --resume file that cannot be written, or
// created (its directory is missing or read-only), is a usage error
// naming --resume before any request.
func TestResumeFileUnwritable(t *testing.T) {
	dir := t.TempDir()
	readOnly := filepath.Join(dir, "read-only.csv")
	require.NoError(t, os.WriteFile(readOnly, nil, 0o400))
	roDir := filepath.Join(dir, "ro")
	require.NoError(t, os.Mkdir(roDir, 0o500))
	notDir := filepath.Join(dir, "file")
	require.NoError(t, os.WriteFile(notDir, nil, 0o600))
	for _, c := range []struct {
		name, path, want string
		needsUser        bool // root writes anyway
	}{
		{"a missing directory", "/nonexistent/dir/f.csv", "cannot be created: no such file or directory", false},
		{"under a file", filepath.Join(notDir, "f.csv"), "not a directory", false},
		{"a read-only file", readOnly, "cannot be written: permission denied", true},
		{"in a read-only directory", filepath.Join(roDir, "f.csv"), "cannot be created: " + roDir + ": permission denied", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.needsUser && os.Geteuid() == 0 {
				t.Skip("root writes whatever the modes say")
			}
			f := newFixture(t)
			r := f.run(f.args("registries", "--task-id", "task-1", "--output", "csv", "--resume", c.path)...)
			assert.Equal(t, exitUsage, r.code, r.stderr)
			assert.Equal(t, "hss: invalid --resume "+c.path+": "+c.want+"\n", r.stderr)
			assert.Empty(t, f.srv.Requests(), "nothing sent")
			assert.Empty(t, r.stdout)
		})
	}
}
