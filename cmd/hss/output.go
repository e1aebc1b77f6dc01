package main

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/hsskit/hss"
)

// Output formats.
var outputFormats = []string{"table", "json", "jsonl", "csv"}

// outputFlags choose what the output looks like.
type outputFlags struct {
	format    string
	fields    listFlag
	noHeaders bool
	wide      bool    // table cells shown whole
	csvRaw    bool    // csv cells without the formula guard
	columns   []field // the --fields chosen, or all
}

// maxCellWidth is the widest a table cell is shown without --wide, in
// characters; a longer one is cut and ends with "…".
const maxCellWidth = 64

// define adds the output flags to fs.
func (o *outputFlags) define(fs *flagSet) {
	fs.section("Output")
	fs.str(&o.format, "output", "table", "output `FORMAT`: table, json, jsonl or csv")
	fs.list(&o.fields, "fields", "`NAMES` of the columns to print, in order, for table, csv and jsonl:\n"+
		strings.Join(fieldNames(allFields), ", ")+" (repeat the flag or separate with commas)")
	fs.boolean(&o.noHeaders, "no-headers", "leave out the header row of table and csv, and the table's footer")
	fs.boolean(&o.wide, "wide", fmt.Sprintf("show table cells whole; without it a cell is cut at %d characters, ending with \"…\"\n(csv, json and jsonl never cut)", maxCellWidth))
	fs.boolean(&o.csvRaw, "csv-raw", "write csv cells as they are, for programs: without it a cell that starts with =, +, -, @,\na tab or a carriage return gets a ' in front, so that no spreadsheet runs it as a formula")
}

// check validates the output flags.
func (o *outputFlags) check() error {
	known := false
	for _, f := range outputFormats {
		if strings.EqualFold(o.format, f) {
			o.format, known = f, true
		}
	}
	if !known {
		return usagef("invalid --output %q: must be one of %s", o.format, strings.Join(outputFormats, ", "))
	}
	names, err := choose("fields", o.fields, fieldNames(allFields))
	if err != nil {
		return err
	}
	o.columns = allFields
	if len(names) > 0 {
		o.columns = nil
		for _, n := range names {
			for _, f := range allFields {
				if f.name == n {
					o.columns = append(o.columns, f)
				}
			}
		}
	}
	switch {
	case len(names) > 0 && o.format == "json":
		return usagef("--fields applies to table, csv and jsonl; --output json keeps the API's objects")
	case o.noHeaders && (o.format == "json" || o.format == "jsonl"):
		return usagef("--no-headers applies to table and csv, not --output %s", o.format)
	case o.wide && o.format != "table":
		return usagef("--wide applies to --output table: csv, json and jsonl never cut cells")
	case o.csvRaw && o.format != "csv":
		return usagef("--csv-raw applies to --output csv, not --output %s", o.format)
	}
	return nil
}

// headers reports whether table and csv have a header row.
func (o *outputFlags) headers() bool { return !o.noHeaders }

// newFormat returns the chosen format, writing to w.
func (o *outputFlags) newFormat(w io.Writer) format {
	return newFormat(o.format, w, formatOptions{fields: o.columns, headers: !o.noHeaders, wide: o.wide, csvRaw: o.csvRaw})
}

// field is one column of the output: a registry attribute.
type field struct {
	name  string // wire name, used in json, jsonl, csv headers and --fields
	title string // table header
	get   func(*hss.AssociateRegistriesResponseInfo) string
}

// allFields are the registry attributes in the API's order.
var allFields = []field{
	{"registry_id", "REGISTRY ID", func(r *hss.AssociateRegistriesResponseInfo) string { return r.RegistryID }},
	{"registry_name", "NAME", func(r *hss.AssociateRegistriesResponseInfo) string { return r.RegistryName }},
	{"registry_type", "TYPE", func(r *hss.AssociateRegistriesResponseInfo) string { return string(r.RegistryType) }},
	{"sync_status", "STATUS", func(r *hss.AssociateRegistriesResponseInfo) string { return string(r.SyncStatus) }},
	{"failed_reason", "FAILED REASON", func(r *hss.AssociateRegistriesResponseInfo) string { return r.FailedReason }},
}

// fieldNames lists the names of fs.
func fieldNames(fs []field) []string {
	names := make([]string, len(fs))
	for i, f := range fs {
		names[i] = f.name
	}
	return names
}

// A format writes a list of registries: begin once, rows for each batch
// (a page, as it arrives), end once. Every format streams: only the table
// keeps a batch in memory, to align it. Output is flushed after each batch,
// so a script reading a pipe sees pages as they arrive and a failure
// leaves every registry written so far on stdout. A listing that fails
// never calls end: a JSON document stays unterminated, so that no parser
// takes it for a complete one.
type format interface {
	// begin starts the output. head holds the members a JSON document
	// writes before data_list.
	begin(head []member) error
	// rows writes registries.
	rows(regs []hss.AssociateRegistriesResponseInfo) error
	// end completes the output; footer is the table's last line.
	end(footer string) error
	// resume stands for begin when the output continues a file (see
	// --resume) that holds items registries already.
	resume(items int)
}

// formatOptions shape a format's output.
type formatOptions struct {
	// fields select and order the columns of table, csv and jsonl (json
	// keeps the API's objects).
	fields []field
	// headers adds the table or csv header row (and the table's footer).
	headers bool
	// wide shows table cells whole.
	wide bool
	// csvRaw leaves csv cells without the formula guard.
	csvRaw bool
}

// newFormat returns the writer of the named format.
func newFormat(name string, w io.Writer, o formatOptions) format {
	out := &writer{w: bufio.NewWriterSize(w, 64<<10), formatOptions: o}
	switch name {
	case "json":
		out.fields = allFields
		return &jsonFormat{writer: out}
	case "jsonl":
		return &jsonlFormat{writer: out}
	case "csv":
		return &csvFormat{writer: out}
	}
	return &tableFormat{writer: out}
}

// writer is what every format shares: the buffered stream, the options
// and a scratch buffer for one line.
type writer struct {
	formatOptions
	w    *bufio.Writer
	line []byte
}

// flush writes out what is buffered.
func (w *writer) flush() error { return w.w.Flush() }

// appendObject appends one registry as a JSON object of w's fields,
// leaving out empty values as the API does.
func (w *writer) appendObject(b []byte, r *hss.AssociateRegistriesResponseInfo) []byte {
	b = append(b, '{')
	first := true
	for _, f := range w.fields {
		v := f.get(r)
		if v == "" {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = appendJSONString(b, f.name)
		b = append(b, ':')
		b = appendJSONString(b, v)
	}
	return append(b, '}')
}

// jsonFormat writes one document, {<head>,"data_list":[...]}, the shape of
// the API's answer, item by item.
type jsonFormat struct {
	*writer
	items int // written so far, counting those of a file --resume continues
}

func (f *jsonFormat) begin(head []member) error {
	f.line = append(f.line[:0], '{')
	if len(head) > 0 {
		f.line = append(appendMembers(f.line, head), ',')
	}
	f.line = append(f.line, `"data_list":[`...)
	_, err := f.w.Write(f.line)
	return err
}

func (f *jsonFormat) resume(items int) { f.items = items }

func (f *jsonFormat) rows(regs []hss.AssociateRegistriesResponseInfo) error {
	for i := range regs {
		f.line = f.line[:0]
		if f.items > 0 {
			f.line = append(f.line, ',')
		}
		f.items++
		f.line = f.appendObject(f.line, &regs[i])
		if _, err := f.w.Write(f.line); err != nil {
			return err
		}
	}
	return f.flush()
}

func (f *jsonFormat) end(string) error {
	if _, err := f.w.WriteString("]}\n"); err != nil {
		return err
	}
	return f.flush()
}

// jsonlFormat writes one JSON object per registry and line.
type jsonlFormat struct{ *writer }

func (f *jsonlFormat) begin([]member) error { return nil }

func (f *jsonlFormat) resume(int) {}

func (f *jsonlFormat) rows(regs []hss.AssociateRegistriesResponseInfo) error {
	for i := range regs {
		f.line = append(f.appendObject(f.line[:0], &regs[i]), '\n')
		if _, err := f.w.Write(f.line); err != nil {
			return err
		}
	}
	return f.flush()
}

func (f *jsonlFormat) end(string) error { return f.flush() }

// csvFormat writes RFC 4180 rows under a header row of field names. Every
// control character but tab is escaped (see escapeText), so each record is
// one line. Unless csvRaw, a cell that a spreadsheet would read as a
// formula gets a ' in front (see guardFormula).
type csvFormat struct{ *writer }

func (f *csvFormat) resume(int) {}

func (f *csvFormat) begin([]member) error {
	if !f.headers {
		return nil
	}
	return f.record(fieldNames(f.fields))
}

func (f *csvFormat) rows(regs []hss.AssociateRegistriesResponseInfo) error {
	cells := make([]string, len(f.fields))
	for i := range regs {
		for j, fl := range f.fields {
			cells[j] = escapeText(fl.get(&regs[i]), keepTab)
			if !f.csvRaw {
				cells[j] = guardFormula(cells[j])
			}
		}
		if err := f.record(cells); err != nil {
			return err
		}
	}
	return f.flush()
}

// record writes one row, quoting the cells that need it.
func (f *csvFormat) record(cells []string) error {
	f.line = f.line[:0]
	for i, c := range cells {
		if i > 0 {
			f.line = append(f.line, ',')
		}
		if c == "" || !strings.ContainsAny(c, "\",\n\r") && c[0] != ' ' && c[0] != '\t' {
			f.line = append(f.line, c...)
			continue
		}
		f.line = append(f.line, '"')
		f.line = append(f.line, strings.ReplaceAll(c, `"`, `""`)...)
		f.line = append(f.line, '"')
	}
	f.line = append(f.line, '\n')
	_, err := f.w.Write(f.line)
	return err
}

func (f *csvFormat) end(string) error { return f.flush() }

// guardFormula puts a ' in front of a cell that starts with =, +, -, @, a
// tab or a carriage return, which a spreadsheet would read as a formula
// (CSV injection; the OWASP advice). The ' shows in the cell, and tells
// the reader the text was guarded.
func guardFormula(cell string) string {
	if cell != "" && strings.IndexByte("=+-@\t\r", cell[0]) >= 0 {
		return "'" + cell
	}
	return cell
}

// tableFormat aligns columns for people. Column widths come from the
// header and the first batch, so the table streams like the other formats;
// a later cell that is wider pushes the rest of its own row only. Empty
// cells show as "-"; tabs and line breaks become spaces and other unsafe
// characters are escaped; unless wide, a cell longer than maxCellWidth is
// cut, so that one long value cannot pad every row.
type tableFormat struct {
	*writer
	widths []int // nil until the first batch
}

func (f *tableFormat) begin([]member) error { return nil }

func (f *tableFormat) resume(int) {}

func (f *tableFormat) rows(regs []hss.AssociateRegistriesResponseInfo) error {
	cells := make([][]string, len(regs))
	for i := range regs {
		cells[i] = make([]string, len(f.fields))
		for j, fl := range f.fields {
			cells[i][j] = tableCell(fl.get(&regs[i]), f.wide)
		}
	}
	if f.widths == nil {
		if err := f.header(cells); err != nil {
			return err
		}
	}
	for _, row := range cells {
		if err := f.row(row); err != nil {
			return err
		}
	}
	return f.flush()
}

// header fixes the column widths from the header and the first rows, and
// writes the header unless --no-headers.
func (f *tableFormat) header(first [][]string) error {
	f.widths = make([]int, len(f.fields))
	titles := make([]string, len(f.fields))
	for j, fl := range f.fields {
		titles[j] = fl.title
		if f.headers {
			f.widths[j] = utf8.RuneCountInString(fl.title)
		}
	}
	for _, row := range first {
		for j, c := range row {
			f.widths[j] = max(f.widths[j], utf8.RuneCountInString(c))
		}
	}
	if !f.headers {
		return nil
	}
	return f.row(titles)
}

// row writes cells padded to the column widths, two spaces apart; the
// last column is not padded.
func (f *tableFormat) row(cells []string) error {
	f.line = f.line[:0]
	for j, c := range cells {
		f.line = append(f.line, c...)
		if j < len(cells)-1 {
			pad := f.widths[j] - utf8.RuneCountInString(c) + 2
			f.line = append(f.line, strings.Repeat(" ", max(pad, 1))...)
		}
	}
	f.line = append(f.line, '\n')
	_, err := f.w.Write(f.line)
	return err
}

func (f *tableFormat) end(footer string) error {
	if f.widths == nil {
		if err := f.header(nil); err != nil {
			return err
		}
	}
	if footer != "" && f.headers { // --no-headers: rows only, for a script to read
		if _, err := fmt.Fprintln(f.w, footer); err != nil {
			return err
		}
	}
	return f.flush()
}

// tableCell shows a value in one table cell: "-" when empty, on one line,
// with unsafe characters escaped, and unless wide at most maxCellWidth
// characters long, the last of them "…" when it was cut.
func tableCell(s string, wide bool) string {
	if s == "" {
		return "-"
	}
	s = escapeText(s, spaceForBreaks)
	if wide || len(s) <= maxCellWidth {
		return s
	}
	n := 0
	for i := range s {
		if n == maxCellWidth-1 {
			if utf8.RuneCountInString(s[i:]) == 1 {
				return s // exactly maxCellWidth characters
			}
			return s[:escapeStart(s, i)] + "…"
		}
		n++
	}
	return s
}

// escapeStart returns where to cut s at i so that no escape of escapeText
// (\xHH, \uHHHH, \UHHHHHHHH) is cut in two: i, or the start of the escape
// that spans it.
func escapeStart(s string, i int) int {
	for k := max(i-9, 0); k < i; k++ {
		if s[k] != '\\' || k+1 == len(s) {
			continue
		}
		digits := map[byte]int{'x': 2, 'u': 4, 'U': 8}[s[k+1]]
		end := k + 2 + digits
		if digits > 0 && end > i && end <= len(s) && isHex(s[k+2:end]) {
			return k
		}
	}
	return i
}

// isHex reports whether s is all lower-case hexadecimal digits.
func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if !strings.ContainsRune(hexDigits, rune(s[i])) {
			return false
		}
	}
	return true
}
