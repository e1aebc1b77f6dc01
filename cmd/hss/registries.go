package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/hsskit/hss"
)

const registriesUsage = `Usage: hss registries --task-id ID [flags]

Lists the image repositories (registries) associated with an image
synchronisation task: GET /v5/{project_id}/image/image-sync/tasks/{task_id}/registries.

Without --all, prints one page (--offset, --limit). With --all, pages through
every registry. Credentials: --token, else the SDK's chain (HSS_TOKEN or
HUAWEICLOUD_SDK_AK/SK[/SECURITY_TOKEN] in the environment, the profile file
~/.huaweicloud/credentials, ECS instance metadata).

Flags:
`

// registriesFlags are the parsed flags of "hss registries".
type registriesFlags struct {
	taskID, name, types, status, eps string
	offset, limit                    int
	all, demo                        bool
	output                           string
	region, endpoint, projectID      string
	token                            string
}

func runRegistries(ctx context.Context, args []string, e env) int {
	var f registriesFlags
	fs := flag.NewFlagSet("hss registries", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&f.taskID, "task-id", "", "image synchronisation task id (required)")
	fs.StringVar(&f.name, "name", "", "keep registries with this exact name")
	fs.StringVar(&f.types, "type", "", "keep these registry types, comma-separated: SwrPrivate,SwrShared,SwrEnterprise,Harbor,Jfrog,Other")
	fs.StringVar(&f.status, "status", "", "keep registries in this sync status: finished, running or failed")
	fs.StringVar(&f.eps, "enterprise-project-id", "", "enterprise project id (all_granted_eps for all)")
	fs.IntVar(&f.offset, "offset", 0, "registries to skip, 0-2000000")
	fs.IntVar(&f.limit, "limit", 0, "page size, 10-200 (server default 10; --all uses 200)")
	fs.BoolVar(&f.all, "all", false, "fetch every page")
	fs.StringVar(&f.output, "output", "table", "output format: table, json, jsonl or csv")
	fs.StringVar(&f.region, "region", "", "region, e.g. cn-north-4 (or HSS_REGION)")
	fs.StringVar(&f.endpoint, "endpoint", "", "endpoint URL, overrides --region (or HSS_ENDPOINT)")
	fs.StringVar(&f.projectID, "project-id", "", "project id (or HUAWEICLOUD_SDK_PROJECT_ID)")
	fs.StringVar(&f.token, "token", "", "IAM token (prefer HSS_TOKEN: flags show in the process list)")
	fs.BoolVar(&f.demo, "demo", false, "run against an embedded fake HSS seeded with sample data")

	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			printUsage(e.stdout, fs)
			return exitOK
		}
		return fail(e, &usageError{"hss registries: " + err.Error()})
	}
	if fs.NArg() > 0 {
		return fail(e, &usageError{fmt.Sprintf("hss registries: unexpected argument %q", fs.Arg(0))})
	}
	if err := f.check(); err != nil {
		return fail(e, err)
	}
	opts := f.options()
	// Bad values are usage errors, whatever the credentials situation:
	// check them before the credential chain (which may ask the network).
	if err := hss.ValidateTaskID(f.taskID); err != nil {
		return fail(e, err)
	}
	if err := opts.Validate(); err != nil {
		return fail(e, err)
	}
	out, err := newPrinter(f.output, e.stdout)
	if err != nil {
		return fail(e, err)
	}

	client, cleanup, err := f.client(e)
	if err != nil {
		return fail(e, err)
	}
	defer cleanup()

	if !f.all {
		page, err := client.ListSyncTaskRegistries(ctx, f.taskID, opts)
		if err != nil {
			return fail(e, err)
		}
		if err := out.page(page); err != nil {
			return fail(e, err)
		}
		return exitOK
	}

	prog := progress{w: e.stderr, on: e.stderrIsTerminal}
	defer prog.done()
	for page, err := range client.ListSyncTaskRegistriesPages(ctx, f.taskID, opts) {
		if err != nil {
			prog.done()
			return fail(e, err)
		}
		prog.page(page)
		if err := out.add(page); err != nil {
			return fail(e, err)
		}
	}
	prog.done()
	if err := out.finish(); err != nil {
		return fail(e, err)
	}
	return exitOK
}

func printUsage(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprint(w, registriesUsage)
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
	fmt.Fprint(w, "\nExit codes: 0 success, 2 usage error, 3 authentication error, 4 throttled after retries, 1 other error.\n")
}

// check catches what only the command line can get wrong; the SDK
// validates every value against the API's bounds.
func (f *registriesFlags) check() error {
	if f.taskID == "" {
		return &usageError{"hss registries: --task-id is required"}
	}
	if f.endpoint != "" && f.region != "" {
		return &usageError{"hss registries: give --endpoint or --region, not both"}
	}
	if f.demo && (f.endpoint != "" || f.region != "" || f.projectID != "" || f.token != "") {
		return &usageError{"hss registries: --demo runs against the embedded fake HSS; drop --endpoint, --region, --project-id and --token"}
	}
	return nil
}

// options maps the flags onto the SDK's options.
func (f *registriesFlags) options() *hss.ListSyncTaskRegistriesOptions {
	o := &hss.ListSyncTaskRegistriesOptions{
		EnterpriseProjectID: f.eps,
		RegistryName:        f.name,
		SyncStatus:          hss.SyncStatus(f.status),
		Offset:              f.offset,
		Limit:               f.limit,
	}
	if f.types != "" {
		for _, t := range strings.Split(f.types, ",") {
			o.RegistryTypes = append(o.RegistryTypes, hss.RegistryType(strings.TrimSpace(t)))
		}
	}
	return o
}
