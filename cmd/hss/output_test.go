package main

import (
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsskit/hss"
	"github.com/hsskit/hss/hsstest"
)

// TestGoldenRegistries pins the output of "hss registries" in every format.
func TestGoldenRegistries(t *testing.T) {
	for _, format := range outputFormats {
		t.Run(format, func(t *testing.T) {
			r := runCLI(t, "registries", "--demo", "--task-id", "demo-task", "--output", format)
			require.Equal(t, exitOK, r.code, r.stderr)
			assert.Empty(t, r.stderr)
			golden(t, "registries."+format+".golden", r.stdout)
		})
	}
}

// TestGoldenWait pins the summary of "hss wait" in every format. The demo
// task settles on the fake clock: 3 polls find registries running, the
// fourth none; three registries failed, so the exit code is 6.
func TestGoldenWait(t *testing.T) {
	for _, format := range outputFormats {
		t.Run(format, func(t *testing.T) {
			r := runCLI(t, "wait", "--demo", "--task-id", "demo-task", "--output", format)
			require.Equal(t, exitFailures, r.code, r.stderr)
			assert.Equal(t, "hss: task demo-task finished with 3 of 12 registries failed: swr-ee-retail (insufficient permissions to read the repository); "+
				"harbor-dev (connection to registry timed out); jfrog-legacy (authentication failed: invalid username or password)\n", r.stderr)
			golden(t, "wait."+format+".golden", r.stdout)
		})
	}
}

// hostile is server data that tries to drive a terminal or fake text:
// ESC sequences, BEL, a C1 CSI, DEL, bidi overrides and isolates, zero-width
// characters, line separators, quotes and commas.
var hostile = []hsstest.Registry{
	{RegistryID: "r<1>&\"q\"", RegistryName: "evil\x1b[31mred\x07\u009b2J\x7f", RegistryType: hss.RegistryTypeOther, SyncStatus: hss.SyncStatusFailed,
		FailedReason: "a\tb\nc\rd, \u202eexe.txt\u202c \u2066iso\u2069 \u200bzero\u200d\ufeff\u061c \u2028line\u2029para \u200e\u200f"},
	{RegistryID: "r2", RegistryName: "café 镜像 🐳", RegistryType: hss.RegistryTypeHarbor, SyncStatus: hss.SyncStatusFinished},
}

// TestGoldenEscaping: server text cannot drive the terminal in any format:
// unsafe characters are escaped (json, jsonl: \u escapes that decode back
// to the original; table, csv: visible escapes), other text is untouched.
func TestGoldenEscaping(t *testing.T) {
	f := newFixture(t)
	f.srv.AddRegistries("odd", hostile...)
	for _, format := range outputFormats {
		t.Run(format, func(t *testing.T) {
			r := f.run(f.args("registries", "--task-id", "odd", "--output", format)...)
			require.Equal(t, exitOK, r.code, r.stderr)
			golden(t, "escape."+format+".golden", r.stdout)
			for _, c := range r.stdout {
				kept := c == '\n' || (c == '\t' && format == "csv") // a record's end; plain data in a quoted csv field
				assert.False(t, !kept && unsafeRune(c), "%s writes %U raw", format, c)
			}
			assert.Contains(t, r.stdout, "café 镜像 🐳", "safe text stays as it is")
		})
	}

	r := f.run(f.args("registries", "--task-id", "odd", "--output", "json")...)
	var doc struct {
		DataList []hss.AssociateRegistriesResponseInfo `json:"data_list"`
	}
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &doc))
	require.Len(t, doc.DataList, 2)
	assert.Equal(t, hostile[0].Info(), doc.DataList[0], "json escapes decode to the service's text")
	assert.Contains(t, r.stdout, `"registry_id":"r<1>&\"q\""`, "no HTML escaping, as the API writes it")

	r = f.run(f.args("registries", "--task-id", "odd", "--output", "csv")...)
	rows, err := csv.NewReader(strings.NewReader(r.stdout)).ReadAll()
	require.NoError(t, err)
	require.Len(t, rows, 3)
	assert.Len(t, lines(r.stdout), 3, "one line per record")
	assert.Equal(t, `r<1>&"q"`, rows[1][0])

	r = f.run(f.args("registries", "--task-id", "odd")...)
	assert.Contains(t, r.stdout, "a b c d,", "tabs and line breaks become spaces in a table")
}

// TestOutputShapes: --fields selects and orders columns, --no-headers
// drops the header, and an empty listing is still valid in every format.
func TestOutputShapes(t *testing.T) {
	f := newFixture(t)
	r := f.run(f.args("registries", "--task-id", "task-1", "--output", "csv", "--fields", "sync_status", "--fields", "registry_name", "--type", "harbor")...)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, "sync_status,registry_name\nfailed,harbor-dev\nfinished,harbor-ci\nrunning,harbor-edge\n", r.stdout)

	r = f.run(f.args("registries", "--task-id", "task-1", "--output", "csv", "--fields", "registry_name", "--no-headers", "--status", "failed")...)
	assert.Equal(t, "swr-ee-retail\nharbor-dev\njfrog-legacy\n", r.stdout)

	r = f.run(f.args("registries", "--task-id", "task-1", "--output", "jsonl", "--fields", "failed_reason,registry_name", "--status", "FAILED", "--type", "jfrog")...)
	assert.Equal(t, `{"failed_reason":"authentication failed: invalid username or password","registry_name":"jfrog-legacy"}`+"\n", r.stdout)

	r = f.run(f.args("registries", "--task-id", "task-1", "--fields", "registry_name,sync_status", "--no-headers", "--type", "Other")...)
	assert.Equal(t, "quay-mirror      finished\ngitlab-registry  running\n", r.stdout)

	f.srv.AddTask("empty")
	for format, want := range map[string]string{
		"json":  "{\"total_num\":0,\"data_list\":[]}\n",
		"jsonl": "",
		"csv":   "registry_id,registry_name,registry_type,sync_status,failed_reason\n",
		"table": "REGISTRY ID  NAME  TYPE  STATUS  FAILED REASON\n0 of 0 registries\n",
	} {
		r = f.run(f.args("registries", "--task-id", "empty", "--output", format)...)
		require.Equal(t, exitOK, r.code, r.stderr)
		assert.Equal(t, want, r.stdout, format)
	}
}

// TestEscapeText covers what the table and csv do with each kind of
// character, invalid UTF-8 included.
func TestEscapeText(t *testing.T) {
	for in, want := range map[string]string{
		"plain text, 镜像 🐳":   "plain text, 镜像 🐳",
		"\x1b[31m":           `\x1b[31m`,
		"\u009b\x7f\x00":     `\x9b\x7f\x00`,
		"a\u202eb\u2066c":    `a\u202eb\u2066c`,
		"\u200b\ufeff\u061c": `\u200b\ufeff\u061c`,
		"\U000e0001tag":      `\U000e0001tag`,
		"bad \xff\xfe utf8":  `bad \xff\xfe utf8`,
		"\u2028\u2029":       `\u2028\u2029`,
	} {
		assert.Equal(t, want, escapeText(in, nil), "%q", in)
	}
	assert.Equal(t, "a b c d", escapeText("a\tb\nc\rd", spaceForBreaks))
	assert.Equal(t, `a`+"\t"+`b\x0ac`, escapeText("a\tb\nc", keepTab))
	assert.Equal(t, "-", tableCell("", false))
}

// TestJSONString: the JSON writer's strings are valid JSON that decodes to
// the input (invalid bytes to U+FFFD), with no unsafe rune left raw.
func TestJSONString(t *testing.T) {
	for _, s := range []string{"", "plain", `q"uote\back/slash`, "<>&", "\x00\x1f\x7f\u0085\u009b", "\u202e\u2066\u2028\u2029\u200b\ufeff",
		"\U000e0001 and 🐳", "bad \xff utf8 \xe2\x82", "tab\tnl\ncr\r"} {
		checkJSONString(t, s)
	}
	assert.Equal(t, "\"\\u009b\\u202e\U0001F3F4\\udb40\\udc67\"", string(appendJSONString(nil, "\u009b\u202e\U0001F3F4\U000E0067")),
		"a rune beyond U+FFFF is escaped as a surrogate pair only when unsafe")
}

// FuzzJSONString checks the JSON writer against encoding/json's reader.
func FuzzJSONString(f *testing.F) {
	for _, s := range []string{"", "a\"b", "\u202e\xff", "\U000e0001", "\u2028"} {
		f.Add(s)
	}
	f.Fuzz(checkJSONString)
}

func checkJSONString(t *testing.T, s string) {
	out := appendJSONString(nil, s)
	var back string
	require.NoError(t, json.Unmarshal(out, &back), "%q gives %s", s, out)
	assert.Equal(t, string([]rune(s)), back, "%q", s)
	assert.True(t, utf8.Valid(out))
	for _, r := range string(out) {
		assert.False(t, unsafeRune(r), "%U raw in %s", r, out)
	}
}

// FuzzEscapeText: escaped text holds no unsafe rune and no invalid UTF-8,
// and safe text is left alone.
func FuzzEscapeText(f *testing.F) {
	for _, s := range []string{"", "abc", "\x1b[0m", "\u202e", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := escapeText(s, spaceForBreaks)
		assert.True(t, utf8.ValidString(out))
		for _, r := range out {
			assert.False(t, unsafeRune(r), "%U raw", r)
		}
		if !needsEscape(s) {
			assert.Equal(t, s, out)
		}
	})
}
