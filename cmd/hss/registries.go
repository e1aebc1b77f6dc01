package main

import (
	"context"
	"fmt"
	"iter"
	"strings"

	"github.com/hsskit/hss"
)

const registriesUsage = `Usage: hss registries --task-id ID [flags]

Lists the image repositories (registries) associated with an image
synchronisation task: every matching one, paging with the largest page,
unless --max-items caps the output.

Output streams in every format, --output json included, and is flushed page
by page. A listing that fails part-way exits non-zero; stderr then says how
many registries were written and the --offset to resume from (a json
document is left unterminated, so no parser mistakes it for a whole one).

Credentials: --token, else the SDK's chain: $HSS_TOKEN, $HUAWEICLOUD_SDK_AK
and $HUAWEICLOUD_SDK_SK (with $HUAWEICLOUD_SDK_SECURITY_TOKEN), the
credentials file ($HUAWEICLOUD_SDK_CREDENTIALS_FILE or
~/.huaweicloud/credentials), then ECS instance metadata
($HSS_NO_METADATA=true skips it).

Examples:
  hss registries --region cn-north-4 --task-id "$TASK" --status failed --output csv
  hss registries --demo --task-id demo-large --type harbor,jfrog --output jsonl
`

// registriesCmd is "hss registries".
type registriesCmd struct {
	apiCommand
	taskID, name, eps       string
	types, statuses         listFlag
	offset, limit, maxItems int
	all                     bool

	// Set by check.
	typeList   []hss.RegistryType
	statusList []hss.SyncStatus // nil: every status
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
	fs.integer(&c.offset, "offset", 0, "skip the first `N` registries, 0-2000000: resume a listing from here")
	fs.integer(&c.limit, "limit", hss.MaxLimit, "page size: `N` registries per request, 10-200")
	fs.integer(&c.maxItems, "max-items", 0, "print at most `N` registries, 0 or more (0: every one); stderr says when it cut the listing")
	fs.boolean(&c.all, "all", "list every registry: the default, accepted for older scripts")
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
	switch {
	case c.offset < 0 || c.offset > hss.MaxOffset:
		return usagef("invalid --offset: must be 0-%d, got %d", hss.MaxOffset, c.offset)
	case c.limit < hss.MinLimit || c.limit > hss.MaxLimit:
		return usagef("invalid --limit: must be %d-%d (the page size), got %d", hss.MinLimit, hss.MaxLimit, c.limit)
	case c.maxItems < 0:
		return usagef("invalid --max-items: must be 0 (every registry) or more, got %d", c.maxItems)
	case len(c.statusList) > 1 && c.offset != 0:
		return usagef("--offset needs a single --status: each status is listed on its own")
	}
	return c.options("").Validate()
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
	status  hss.SyncStatus
	next    func() (*hss.ListSyncTaskRegistriesResponse, error, bool)
	stop    func()
	first   *hss.ListSyncTaskRegistriesResponse
	written int
}

// list streams the listing to stdout. The first page of every segment is
// fetched before anything is written, so that total_num leads the json
// document and an early failure writes nothing.
func (c *registriesCmd) list(ctx context.Context, client *hss.Client, con *console, e env) error {
	statuses := c.statusList
	if statuses == nil {
		statuses = []hss.SyncStatus{""}
	}
	segs := make([]*segment, len(statuses))
	total := 0
	for i, st := range statuses {
		s := &segment{status: st}
		s.next, s.stop = iter.Pull2(client.ListSyncTaskRegistriesPages(ctx, c.taskID, c.options(st)))
		defer s.stop()
		page, err, ok := s.next()
		if err != nil {
			return err
		}
		if !ok {
			page = &hss.ListSyncTaskRegistriesResponse{}
		}
		s.first, segs[i] = page, s
		total += page.TotalNum
	}

	out := c.out.newFormat(e.stdout)
	if err := out.begin([]member{{"total_num", jsonInt(total)}}); err != nil {
		return writeError(err)
	}
	written := 0
	showProgress := total-c.offset > len(segs[0].first.DataList)
	for i, s := range segs {
		for page := s.first; page != nil; {
			regs := page.DataList
			if c.maxItems > 0 && written+len(regs) > c.maxItems {
				regs = regs[:c.maxItems-written]
			}
			if showProgress {
				con.clearStatus() // rows on the same terminal must not follow the status line
			}
			if err := out.rows(regs); err != nil {
				return writeError(err)
			}
			written += len(regs)
			s.written += len(regs)
			if c.maxItems > 0 && written >= c.maxItems {
				break
			}
			if showProgress {
				con.setStatus(fmt.Sprintf("fetched %d of %d registries", written, total-c.offset))
			}
			var err error
			if page, err, _ = s.next(); err != nil {
				return &partialError{err: err, note: c.resumeNote(written, s, segs[i+1:])}
			}
		}
		if c.maxItems > 0 && written >= c.maxItems {
			break
		}
	}
	con.clearStatus()
	footer, shown := fmt.Sprintf("%d of %d registries", written, total), fmt.Sprintf("%d of %d", written, total-c.offset)
	if c.offset > 0 {
		footer += fmt.Sprintf(", from offset %d", c.offset)
		shown = fmt.Sprintf("%d of the %d from offset %d", written, total-c.offset, c.offset)
	}
	if err := out.end(footer); err != nil {
		return writeError(err)
	}
	switch {
	case c.maxItems > 0 && written >= c.maxItems && written < total-c.offset:
		con.println("hss: " + shown + " shown; --max-items")
	case written < total-c.offset:
		// The iterators stop before the API's offset bound.
		con.println(fmt.Sprintf("hss: %s shown; the API lists no further than offset %d", shown, hss.MaxOffset))
	}
	return nil
}

// resumeNote says how much a failed listing wrote and how to resume it
// from the segment that failed.
func (c *registriesCmd) resumeNote(written int, failed *segment, rest []*segment) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d registries written", written)
	if c.out.format == "json" {
		b.WriteString(" (the json document is unterminated)")
	}
	b.WriteString("; resume with")
	if failed.status != "" && len(c.statusList) > 1 {
		fmt.Fprintf(&b, " --status %s", failed.status)
	}
	fmt.Fprintf(&b, " --offset %d", c.offset+failed.written)
	if c.maxItems > 0 {
		fmt.Fprintf(&b, " --max-items %d", c.maxItems-written)
	}
	for _, s := range rest {
		fmt.Fprintf(&b, ", then --status %s", s.status)
	}
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
