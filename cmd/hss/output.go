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
	columns   []field // the --fields chosen, or all
}

// define adds the output flags to fs.
func (o *outputFlags) define(fs *flagSet) {
	fs.section("Output")
	fs.str(&o.format, "output", "table", "output `FORMAT`: table, json, jsonl or csv")
	fs.list(&o.fields, "fields", "`NAMES` of the columns to print, in order, for table, csv and jsonl:\n"+
		strings.Join(fieldNames(allFields), ", ")+" (repeat the flag or separate with commas)")
	fs.boolean(&o.noHeaders, "no-headers", "leave out the header row of table and csv, and the table's footer")
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
	}
	return nil
}

// newFormat returns the chosen format, writing to w.
func (o *outputFlags) newFormat(w io.Writer) format {
	return newFormat(o.format, w, o.columns, !o.noHeaders)
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
}

// newFormat returns the writer of the named format. fields select and
// order the columns of table, csv and jsonl (json keeps the API's
// objects); headers adds the table or csv header row.
func newFormat(name string, w io.Writer, fields []field, headers bool) format {
	out := &writer{w: bufio.NewWriterSize(w, 64<<10), fields: fields, headers: headers}
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

// writer is what every format shares: the buffered stream, the columns
// and a scratch buffer for one line.
type writer struct {
	w       *bufio.Writer
	fields  []field
	headers bool
	line    []byte
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
	items int
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
// one line.
type csvFormat struct{ *writer }

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

// tableFormat aligns columns for people. Column widths come from the
// header and the first batch, so the table streams like the other formats;
// a later cell that is wider pushes the rest of its own row only. Empty
// cells show as "-"; tabs and line breaks become spaces and other unsafe
// characters are escaped.
type tableFormat struct {
	*writer
	widths []int // nil until the first batch
}

func (f *tableFormat) begin([]member) error { return nil }

func (f *tableFormat) rows(regs []hss.AssociateRegistriesResponseInfo) error {
	cells := make([][]string, len(regs))
	for i := range regs {
		cells[i] = make([]string, len(f.fields))
		for j, fl := range f.fields {
			cells[i][j] = tableCell(fl.get(&regs[i]))
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
// with unsafe characters escaped.
func tableCell(s string) string {
	if s == "" {
		return "-"
	}
	return escapeText(s, spaceForBreaks)
}
