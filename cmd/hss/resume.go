package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// resumeFile is what the file named by --resume already holds: the start
// of this command's output, which the run continues.
type resumeFile struct {
	path string
	// rows counts the registries in the file.
	rows int
	// keep is how many bytes of the file are kept: the rest is a record
	// cut short (a run that was killed) or a json document's end, which
	// the run writes again.
	keep int64
	// fresh is true when the file is missing, empty or holds no more than
	// the start of a header: the run writes its output from the start.
	fresh bool
}

// inspectResume reads the file --resume names and checks that it is the
// output of this listing in this format (csv, json or jsonl, with these
// --fields and --no-headers). A missing or empty file starts afresh.
// Anything else is a usage error, and the file is left as it is.
func inspectResume(path string, out *outputFlags) (*resumeFile, error) {
	rf := &resumeFile{path: path}
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		// It is made when the listing writes: its directory must take it.
		if err := creatable(path); err != nil {
			return nil, usagef("invalid --resume %s: cannot be created: %v", path, err)
		}
		rf.fresh = true
		return rf, nil
	}
	if err != nil {
		return nil, usagef("invalid --resume %s: %v", path, unwrapPath(err))
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, usagef("invalid --resume %s: %v", path, unwrapPath(err))
	}
	if !fi.Mode().IsRegular() {
		return nil, usagef("invalid --resume %s: not a regular file", path)
	}
	w, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0) // opened, not changed: checked before any request
	if err != nil {
		return nil, usagef("invalid --resume %s: cannot be written: %v", path, unwrapPath(err))
	}
	w.Close()
	if fi.Size() == 0 {
		rf.fresh = true
		return rf, nil
	}
	if out.format == "json" {
		err = rf.readJSON(f)
	} else {
		err = rf.readLines(f, fi.Size(), out, checkJSONLine)
	}
	if err != nil {
		return nil, usagef("invalid --resume %s: not the start of this listing's --output %s (%v); the file was left as it is",
			path, out.format, err)
	}
	return rf, nil
}

// readLines reads a csv or jsonl file, one record a line: csv has the
// header row unless --no-headers, then each record has the columns'
// number of cells; each line of jsonl is an object of the columns. An
// unterminated last line is a record cut short, and is dropped; a csv
// file that holds only the start of its header starts afresh.
func (rf *resumeFile) readLines(f *os.File, size int64, out *outputFlags, check func([]byte, []field) error) error {
	end, err := lastLineEnd(f, size)
	if err != nil {
		return err
	}
	rf.keep = end
	header := strings.Join(fieldNames(out.columns), ",")
	if out.format == "csv" && out.headers() && end == 0 {
		head := make([]byte, len(header)+1)
		n, _ := io.ReadFull(f, head)
		if !strings.HasPrefix(header, string(head[:n])) {
			return errors.New("the first line is not the header row " + header)
		}
		rf.fresh = true
		return nil
	}
	r := bufio.NewReaderSize(io.NewSectionReader(f, 0, end), 64<<10)
	for line := 1; ; line++ {
		b, err := r.ReadBytes('\n')
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		b = bytes.TrimSuffix(b, []byte("\n"))
		isHeader := string(b) == header
		switch {
		case out.format != "csv":
			err = check(b, out.columns)
		case line == 1 && out.headers() && !isHeader:
			return errors.New("the first line is not the header row " + header)
		case line == 1 && out.headers():
			continue
		case line == 1 && isHeader:
			return errors.New("it starts with a header row, and --no-headers leaves it out")
		case isHeader:
			// Another output after the first (hss ... >> file): resuming it
			// would continue neither.
			return fmt.Errorf("line %d: a header row in the middle: the file holds more than one output", line)
		default:
			err = checkCSVLine(b, len(out.columns))
		}
		if err != nil {
			return fmt.Errorf("line %d: %w", line, err)
		}
		rf.rows++
	}
	rf.fresh = rf.rows == 0 && (out.format != "csv" || !out.headers())
	return nil
}

// checkCSVLine checks that line is one csv record of n cells: cells
// separated by commas, a quoted cell ending at its closing quote, quotes
// inside it doubled.
func checkCSVLine(line []byte, n int) error {
	cells := 1
	for i := 0; i < len(line); i++ {
		switch c := line[i]; {
		case c == ',':
			cells++
		case c == '"' && (i == 0 || line[i-1] == ','):
			for i++; ; i++ {
				if i >= len(line) {
					return errors.New("a quoted cell that does not end on its line")
				}
				if line[i] == '"' {
					if i+1 < len(line) && line[i+1] == '"' {
						i++
						continue
					}
					break
				}
			}
			if i+1 < len(line) && line[i+1] != ',' {
				return errors.New("text after a quoted cell")
			}
		case c == '"':
			return errors.New("a quote inside a cell that is not quoted")
		}
	}
	if cells != n {
		return fmt.Errorf("%d cells, not %d", cells, n)
	}
	return nil
}

// checkJSONLine checks one line of jsonl: an object of the columns' string
// values.
func checkJSONLine(line []byte, columns []field) error {
	var obj map[string]string
	if err := json.Unmarshal(line, &obj); err != nil {
		return errors.New("not a registry object")
	}
	return checkKeys(obj, columns)
}

// checkKeys reports a key that is not one of the columns, the first in
// sorted order.
func checkKeys(obj map[string]string, columns []field) error {
	for _, k := range slices.Sorted(maps.Keys(obj)) {
		known := false
		for _, c := range columns {
			known = known || c.name == k
		}
		if !known {
			return fmt.Errorf("a registry with the key %q", k)
		}
	}
	return nil
}

// readJSON reads a json document, {"total_num":N,"data_list":[...]},
// complete or cut short, and keeps every complete registry of it. A file
// cut short within the document's head starts afresh.
func (rf *resumeFile) readJSON(f *os.File) error {
	dec := json.NewDecoder(bufio.NewReaderSize(f, 64<<10))
	dec.UseNumber()
	for _, want := range []json.Token{json.Delim('{'), "total_num", json.Number(""), "data_list", json.Delim('[')} {
		tok, err := dec.Token()
		if cutShort(err) {
			rf.fresh = true
			return nil
		}
		if err := expectToken(tok, err, want); err != nil {
			return err
		}
	}
	rf.keep = dec.InputOffset()
	for dec.More() {
		var obj map[string]string
		err := dec.Decode(&obj)
		if cutShort(err) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("registry %d: %w", rf.rows+1, err)
		}
		if err := checkKeys(obj, allFields); err != nil {
			return err
		}
		rf.rows++
		rf.keep = dec.InputOffset()
	}
	for _, want := range []json.Token{json.Delim(']'), json.Delim('}')} {
		tok, err := dec.Token()
		if cutShort(err) {
			return nil
		}
		if err := expectToken(tok, err, want); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("more after the end of the document")
	}
	return nil
}

// expectToken reports a token that is not want; a json.Number wants any
// number.
func expectToken(tok json.Token, err error, want json.Token) error {
	if err != nil {
		return err
	}
	if _, isNumber := tok.(json.Number); tok == want || isNumber && want == json.Number("") {
		return nil
	}
	return fmt.Errorf("%v where this listing's document has %v", tok, want)
}

// cutShort reports whether err is the end of a file that stops inside
// the document.
func cutShort(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
}

// lastLineEnd returns the offset just past the last newline of f, whose
// size is size; 0 when it has none.
func lastLineEnd(f *os.File, size int64) (int64, error) {
	buf := make([]byte, 64<<10)
	for end := size; end > 0; {
		start := max(end-int64(len(buf)), 0)
		n, err := f.ReadAt(buf[:end-start], start)
		if err != nil && err != io.EOF {
			return 0, err
		}
		if i := bytes.LastIndexByte(buf[:n], '\n'); i >= 0 {
			return start + int64(i) + 1, nil
		}
		end = start
	}
	return 0, nil
}

// open opens the file to continue it: everything past keep is cut, and
// writing goes on from there.
func (rf *resumeFile) open() (*os.File, error) {
	f, err := os.OpenFile(rf.path, os.O_WRONLY|os.O_CREATE, 0o666)
	if err != nil {
		return nil, err
	}
	keep := rf.keep
	if rf.fresh {
		keep = 0
	}
	if err := f.Truncate(keep); err != nil {
		f.Close()
		return nil, err
	}
	if _, err := f.Seek(keep, io.SeekStart); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// creatable reports why a file cannot be created at path, which does not
// exist: its directory is missing, is not one, or (where the system says)
// cannot be written; nil when it can, as far as can be told without
// creating it.
func creatable(path string) error {
	dir := filepath.Dir(path)
	fi, err := os.Stat(dir)
	switch {
	case err != nil:
		return unwrapPath(err)
	case !fi.IsDir():
		return fmt.Errorf("%s is not a directory", dir)
	}
	if err := writableDir(dir); err != nil {
		return fmt.Errorf("%s: %w", dir, err)
	}
	return nil
}

// unwrapPath gives the cause of an *fs.PathError whose path the message
// names already ("no such file or directory", not "stat x: no such ...").
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
