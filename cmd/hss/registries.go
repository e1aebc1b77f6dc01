package main

import (
	"context"
	"fmt"
	"iter"
	"strconv"
	"strings"

	"github.com/hsskit/hss"
)

const registriesUsage = `Usage: hss registries --task-id ID [flags]

Lists the image repositories (registries) associated with an image
synchronisation task: every matching one, paging with the largest page,
unless --max-items caps the output.

Output streams in every format, --output json included, and is flushed page
by page. A listing that fails part-way, or is interrupted, exits non-zero
and stderr gives the one command that resumes it. With --resume FILE the
output goes to FILE, and running the same command again continues it: csv
without a second header, jsonl line by line, json as one document that
parses whole. A FILE that is not the start of this listing's output is
refused (exit 2) and left as it is.

csv is safe to open in a spreadsheet: a cell that starts with =, +, -, @, a
tab or a carriage return gets a ' in front (--csv-raw: cells as they are,
for programs). A table cuts cells at 64 characters, ending with "…" (--wide:
whole cells); csv, json and jsonl never cut.

Credentials: --token, else the SDK's chain: $HSS_TOKEN, $HUAWEICLOUD_SDK_AK
and $HUAWEICLOUD_SDK_SK (with $HUAWEICLOUD_SDK_SECURITY_TOKEN), the
credentials file ($HUAWEICLOUD_SDK_CREDENTIALS_FILE or
~/.huaweicloud/credentials), then ECS instance metadata
($HSS_NO_METADATA=true skips it).

Examples:
  hss registries --region cn-north-4 --task-id "$TASK" --status failed --output csv
  hss registries --region cn-north-4 --task-id "$TASK" --output json --resume registries.json
  hss registries --demo --task-id demo-large --type harbor,jfrog --output jsonl
`

// registriesCmd is "hss registries".
type registriesCmd struct {
	apiCommand
	taskID, name, eps       string
	types, statuses         listFlag
	offset, limit, maxItems int
	all                     bool
	resume                  string // --resume FILE

	// Set by check.
	typeList   []hss.RegistryType
	statusList []hss.SyncStatus // nil: every status
	resumed    *resumeFile      // what the --resume file holds; nil without --resume
}

// newRegistriesCmd defines the command and its flags.
func newRegistriesCmd() *registriesCmd {
	c := &registriesCmd{}
	c.apiCommand = apiCommand{usage: registriesUsage, fs: newFlagSet("registries"), check: c.check, do: c.list}
	fs := c.fs
	fs.section("Listing")
	fs.str(&c.taskID, "task-id", "", "image synchronisation task `ID` (required)")
	fs.str(&c.name, "name", "", "keep the registries with exactly this `NAME`")
	fs.list(&c.types, "type", "keep the registries of these `TYPES`: "+strings.Join(stringsOf(hss.AllRegistryTypes()), ", ")+"\n(any case; repeat the flag or separate with commas)")
	fs.list(&c.statuses, "status", "keep the registries in these `STATUSES`: "+strings.Join(stringsOf(hss.AllSyncStatuses()), ", ")+"\n(any case; repeat the flag or separate with commas)")
	fs.str(&c.eps, "enterprise-project-id", "", "enterprise project `ID` (default: the default project; all_granted_eps: every one)")
	fs.integer(&c.offset, "offset", 0, "skip the first `N` registries, 0-2000000 (with several --status values, of all of\nthem in the order given)")
	fs.integer(&c.limit, "limit", hss.MaxLimit, "page size: `N` registries per request, 10-200")
	fs.integer(&c.maxItems, "max-items", 0, "print at most `N` registries, 0 or more (0: every one); stderr says when it cut the listing")
	fs.boolean(&c.all, "all", "list every registry: the default, accepted for older scripts")
	fs.nonEmpty(&c.resume, "resume", "write the output to `FILE` (csv, json or jsonl), continuing the listing already in it:\nrun the same command again after a failure, and the file ends as one whole listing")
	c.out.define(fs)
	c.common.define(fs)
	return c
}

// runRegistries runs "hss registries".
func runRegistries(ctx context.Context, args []string, e env) int {
	return newRegistriesCmd().run(ctx, args, e)
}

// check validates the listing flags, as the SDK would and naming flags.
func (c *registriesCmd) check(env) error {
	if err := checkTaskID(c.taskID); err != nil {
		return err
	}
	var err error
	if c.typeList, err = choose("type", c.types, hss.AllRegistryTypes()); err != nil {
		return err
	}
	if c.statusList, err = choose("status", c.statuses, hss.AllSyncStatuses()); err != nil {
		return err
	}
	if len(c.statusList) == len(hss.AllSyncStatuses()) {
		c.statusList = nil // every status: no filter
	}
	if err := c.checkResume(); err != nil {
		return err
	}
	switch {
	case c.offset < 0 || c.offset > hss.MaxOffset:
		return usagef("invalid --offset: must be 0-%d, got %d", hss.MaxOffset, c.offset)
	case c.limit < hss.MinLimit || c.limit > hss.MaxLimit:
		return usagef("invalid --limit: must be %d-%d (the page size), got %d", hss.MinLimit, hss.MaxLimit, c.limit)
	case c.maxItems < 0:
		return usagef("invalid --max-items: must be 0 (every registry) or more, got %d", c.maxItems)
	}
	return c.options("").Validate()
}

// checkResume reads the file --resume names, once the output flags are
// known: it must be the start of this listing's output.
func (c *registriesCmd) checkResume() error {
	if c.resume == "" {
		return nil
	}
	if c.out.format == "table" {
		return usagef("--resume writes --output csv, json or jsonl: a table is for people, and is not continued")
	}
	var err error
	c.resumed, err = inspectResume(c.resume, &c.out)
	return err
}

// options are the SDK's listing options for one status.
func (c *registriesCmd) options(status hss.SyncStatus) *hss.ListSyncTaskRegistriesOptions {
	return &hss.ListSyncTaskRegistriesOptions{
		EnterpriseProjectID: c.eps,
		RegistryName:        c.name,
		RegistryTypes:       c.typeList,
		SyncStatus:          status,
		Offset:              c.offset,
		Limit:               c.limit,
	}
}

// segment is the listing of one status (or of every status): the API
// filters by one status at a time, so several --status values are listed
// one after the other.
type segment struct {
	status hss.SyncStatus
	next   func() (*hss.ListSyncTaskRegistriesResponse, error, bool)
	stop   func()
	first  *hss.ListSyncTaskRegistriesResponse
}

// list streams the listing to stdout, or to the file --resume continues.
// The first page of every segment is fetched before anything is written,
// so that total_num leads the json document and an early failure writes
// nothing. The first skip registries (--offset, and those already in the
// --resume file) are skipped across the segments, in order.
func (c *registriesCmd) list(ctx context.Context, client *hss.Client, con *console, e env) error {
	statuses := c.statusList
	if statuses == nil {
		statuses = []hss.SyncStatus{""}
	}
	already := 0
	if c.resumed != nil {
		already = c.resumed.rows
	}
	from := c.offset + already // where this run starts, in the whole listing
	segs := make([]*segment, len(statuses))
	total, skip := 0, from
	for i, st := range statuses {
		s := &segment{status: st}
		opts := c.options(st)
		opts.Offset = min(skip, hss.MaxOffset)
		s.next, s.stop = iter.Pull2(client.ListSyncTaskRegistriesPages(ctx, c.taskID, opts))
		defer s.stop()
		page, err, ok := s.next()
		if err != nil {
			return err
		}
		if !ok {
			page = &hss.ListSyncTaskRegistriesResponse{}
		}
		switch {
		case skip >= page.TotalNum:
			skip -= page.TotalNum // every registry of this status is skipped
		case skip > hss.MaxOffset:
			return fmt.Errorf("the listing would resume at offset %d of status %s, past the API's bound of %d", skip, st, hss.MaxOffset)
		default:
			skip = 0
		}
		s.first, segs[i] = page, s
		total += page.TotalNum
	}

	if c.resumed != nil && from > total {
		// More than this listing holds: the file is another output, or
		// more than one (hss ... >> file), which resuming cannot mend.
		return usagef("invalid --resume %s: it holds %d registries, more than the %d this listing has%s; the file was left as it is",
			c.resume, already, max(total-c.offset, 0), fromOffset(c.offset))
	}
	stdout := e.stdout
	if c.resumed != nil {
		f, err := c.resumed.open()
		if err != nil {
			return writeError(err)
		}
		defer f.Close()
		stdout = f
	}
	out := c.out.newFormat(stdout)
	if c.resumed == nil || c.resumed.fresh {
		if err := out.begin([]member{{"total_num", jsonInt(total)}}); err != nil {
			return writeError(err)
		}
	} else {
		out.resume(already)
	}
	written := 0
	capped := func() bool { return c.maxItems > 0 && already+written >= c.maxItems }
	showProgress := total-from > len(segs[0].first.DataList)
	for _, s := range segs {
		for page := s.first; page != nil && !capped(); {
			regs := page.DataList
			if c.maxItems > 0 && already+written+len(regs) > c.maxItems {
				regs = regs[:c.maxItems-already-written]
			}
			if showProgress {
				con.clearStatus() // rows on the same terminal must not follow the status line
			}
			if err := out.rows(regs); err != nil {
				return writeError(err)
			}
			written += len(regs)
			if capped() {
				break
			}
			if showProgress {
				con.setStatus(fmt.Sprintf("fetched %d of %d registries", written, total-from))
			}
			var err error
			if page, err, _ = s.next(); err != nil {
				return &partialError{err: err, note: c.resumeNote(e, already, written)}
			}
		}
	}
	con.clearStatus()
	footer, shown := fmt.Sprintf("%d of %d registries", written, total), fmt.Sprintf("%d of %d", already+written, total-c.offset)
	if c.offset > 0 {
		footer += fmt.Sprintf(", from offset %d", c.offset)
		shown = fmt.Sprintf("%d of the %d from offset %d", already+written, total-c.offset, c.offset)
	}
	if err := out.end(footer); err != nil {
		return writeError(err)
	}
	if c.resumed != nil {
		shown += " in " + c.resume
	}
	switch {
	case capped() && already+written < total-c.offset:
		con.println("hss: " + shown + " shown; --max-items")
	case already+written < total-c.offset:
		// The iterators stop before the API's offset bound.
		con.println(fmt.Sprintf("hss: %s shown; the API lists no further than offset %d", shown, hss.MaxOffset))
	}
	return nil
}

// fromOffset is ", from offset N" for an --offset, else "".
func fromOffset(offset int) string {
	if offset == 0 {
		return ""
	}
	return fmt.Sprintf(" from offset %d", offset)
}

// resumeNote says how much a failed listing wrote, and gives the one
// command that completes it: the same command when it writes to a
// --resume file; else the same command continuing the file stdout went
// to, when it is one; else (stdout is a pipe or a terminal) the command
// whose output, appended to this one's, makes the whole listing.
func (c *registriesCmd) resumeNote(e env, already, written int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d registries written", written)
	switch {
	case c.resumed != nil:
		fmt.Fprintf(&b, ", %d in %s", already+written, c.resume)
	case c.out.format == "json":
		b.WriteString(" (the json document is unterminated)")
	}
	b.WriteString("; resume with: ")
	args, after := c.args, ""
	switch {
	case c.resumed != nil:
	case c.out.format != "table" && e.stdoutPath != "":
		args = append(args, "--resume", e.stdoutPath)
	case c.out.format == "json":
		args = append(args, "--resume", "FILE")
		after = " (FILE: the file that holds this output; a json document is continued in its file)"
	default:
		args = withoutFlags(c.fs, args, "offset", "max-items")
		args = append(args, "--offset", strconv.Itoa(c.offset+written))
		if c.maxItems > 0 {
			args = append(args, "--max-items", strconv.Itoa(c.maxItems-written))
		}
		if c.out.headers() && c.out.format != "jsonl" {
			args = append(args, "--no-headers")
		}
	}
	b.WriteString(commandLine(c.fs, "hss registries", args) + after)
	return b.String()
}

// writeError wraps an error writing stdout (a closed pipe, a full disk).
func writeError(err error) error { return fmt.Errorf("writing output: %w", err) }

// partialError is a listing that failed after writing some registries:
// it says how many, and how to resume.
type partialError struct {
	err  error
	note string
}

// Error is the failure and the note; the SDK's own resume hint, in Go
// terms, gives way to the note's, in flags.
func (p *partialError) Error() string {
	msg := p.err.Error()
	if i := strings.Index(msg, "; resume with Offset "); i >= 0 {
		end := i + len("; resume with Offset ")
		for end < len(msg) && msg[end] >= '0' && msg[end] <= '9' {
			end++
		}
		msg = msg[:i] + msg[end:]
	}
	return msg + "; " + p.note
}

func (p *partialError) Unwrap() error { return p.err }
