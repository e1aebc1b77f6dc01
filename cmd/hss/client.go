package main

import (
	"context"
	"errors"
	"math"
	"net/url"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/hsskit/hss"
	"github.com/hsskit/hss/credentials"
	"github.com/hsskit/hss/internal/check"
	"github.com/hsskit/hss/quotafile"
)

// commonFlags are the flags of every command that calls the API: where to
// connect, how long to try, and what to log.
type commonFlags struct {
	region, endpoint, projectID, token string
	insecureHTTP, demo                 bool

	timeout, attemptTimeout, maxThrottleWait time.Duration
	maxAttempts                              int
	rateLimit                                float64

	quotaFile     string // --quota-file, else $HSS_QUOTA_FILE, else defaultQuotaFile
	noSharedQuota bool

	verbose, debug bool
}

// envQuotaFile names the quota file when --quota-file is not given.
const envQuotaFile = "HSS_QUOTA_FILE"

// defaultQuotaFile is the quota file's path under the user cache
// directory: every hss run of the user shares it.
var defaultQuotaFile = filepath.Join("hss", "quota", "quotas")

// Bounds of the flags the CLI checks itself.
const (
	maxRetryAttempts = 100
	minRatePerMinute = 0.001
	maxRatePerMinute = 1e6
)

// define adds the connection, retry and diagnostics flags to fs.
func (c *commonFlags) define(fs *flagSet) {
	fs.section("Connection")
	fs.nonEmpty(&c.region, "region", "`REGION` where HSS runs, such as cn-north-4 (or $"+credentials.EnvRegion+"); for a region hss does\nnot know yet, give --endpoint")
	fs.nonEmpty(&c.endpoint, "endpoint", "endpoint `URL`, instead of the region's (or $"+credentials.EnvEndpoint+")")
	fs.nonEmpty(&c.projectID, "project-id", "project `ID` (or $"+credentials.EnvProjectID+", or project_id in the credentials file)")
	fs.nonEmpty(&c.token, "token", "IAM `TOKEN`. Other local users can read it in the process list:\nprefer $"+credentials.EnvToken+" (without either, the SDK's credential chain is searched)")
	fs.boolean(&c.insecureHTTP, "insecure-http", "allow a plain-http endpoint on a host that is not loopback\n(credentials then cross the network in clear text)")
	fs.boolean(&c.demo, "demo", "run against an embedded fake HSS with sample tasks demo-task and demo-large\n(no cloud account; takes none of the four flags above). Each run starts from fresh\ndata: demo-task's running registries settle within 3s of the start, every time")

	fs.section("Time and retries")
	fs.duration(&c.timeout, "timeout", 0, "give up on the whole command after `DURATION`, such as 90s or 10m (exit 7; 0: never)")
	fs.duration(&c.attemptTimeout, "attempt-timeout", hss.DefaultAttemptTimeout, "bound each attempt (connect, headers, body) by `DURATION`; a timed-out attempt is retried;\n0: no bound")
	fs.integer(&c.maxAttempts, "max-attempts", hss.DefaultMaxAttempts, "make at most `N` attempts when a request fails for a transient reason, such as a connection\nerror or a 5xx answer, 1-100")
	fs.throttleWait(&c.maxThrottleWait, "max-throttle-wait", hss.DefaultMaxThrottleWait, "wait at most `DURATION` per request for the gateway's quota when throttled, then exit 4;\n0-24h (0: the default, "+hss.DefaultMaxThrottleWait.String()+"), or none: give up at the first throttling answer")
	fs.float(&c.rateLimit, "rate-limit", 0, "send at most `N` requests a minute, 0.001-1000000 (HSS allows 5 a minute per user; 0: no limit)")
	fs.nonEmpty(&c.quotaFile, "quota-file", "share the gateway's quota with the other hss runs on this host through the file at `PATH`\n(or $"+envQuotaFile+"; default: "+defaultQuotaFile+" in the user cache directory; --demo shares none)")
	fs.boolean(&c.noSharedQuota, "no-shared-quota", "keep the quota this run learns to itself instead of sharing it through the quota file")

	fs.section("Diagnostics")
	fs.boolean(&c.verbose, "verbose", "show waits, retries and each request with its request id on stderr")
	fs.boolean(&c.debug, "debug", "write the SDK's debug log (slog text, secrets redacted) on stderr")
}

// check reports, before any credential is looked for, a flag value or a
// setting that cannot work, naming the flag or variable it came from.
func (c *commonFlags) check(getenv func(string) string) error {
	switch {
	case c.demo && (c.endpoint != "" || c.region != "" || c.projectID != "" || c.token != ""):
		return usagef("--demo runs against the embedded fake HSS: drop --endpoint, --region, --project-id and --token")
	case c.demo && c.quotaFile != "":
		return usagef("--demo shares no quota: drop --quota-file")
	case c.noSharedQuota && c.quotaFile != "":
		return usagef("give --quota-file or --no-shared-quota, not both")
	case c.quotaFile != "" && strings.TrimSpace(c.quotaFile) == "":
		return usagef("invalid --quota-file: must not be blank")
	case c.endpoint != "" && c.region != "":
		return usagef("give --endpoint or --region, not both")
	case c.timeout < 0:
		return usagef("invalid --timeout: must not be negative (0: no timeout), got %s", c.timeout)
	case c.attemptTimeout < 0:
		return usagef("invalid --attempt-timeout: must not be negative (0: no bound), got %s", c.attemptTimeout)
	case c.maxAttempts < 1 || c.maxAttempts > maxRetryAttempts:
		return usagef("invalid --max-attempts: must be 1-%d, got %d", maxRetryAttempts, c.maxAttempts)
	case c.maxThrottleWait < 0 && c.maxThrottleWait != hss.NoThrottleWait || c.maxThrottleWait > hss.MaxRetryAfter:
		return usagef("invalid --max-throttle-wait: must be 0 to %s (0: the default, %s), or none, got %s", hss.MaxRetryAfter, hss.DefaultMaxThrottleWait, c.maxThrottleWait)
	case c.rateLimit != 0 && !(c.rateLimit >= minRatePerMinute && c.rateLimit <= maxRatePerMinute):
		return usagef("invalid --rate-limit: must be 0 (no limit) or %s-%s requests a minute, got %s",
			formatFloat(minRatePerMinute), formatFloat(maxRatePerMinute), formatFloat(c.rateLimit))
	}
	if c.token != "" {
		if reason := check.Token(c.token); reason != "" {
			return usagef("invalid --token: %s", reason)
		}
	}
	if c.demo {
		return nil
	}
	lookup := c.lookup(getenv)
	if err := c.checkEndpoint(lookup); err != nil {
		return err
	}
	if p := strings.TrimSpace(lookup(credentials.EnvProjectID)); p != "" {
		if reason := check.PathID(p, 256); reason != "" {
			return usagef("invalid %s: %s", c.source("project-id", credentials.EnvProjectID), reason)
		}
	}
	return nil
}

// source names where a setting came from: its flag when given, else its
// variable.
func (c *commonFlags) source(flagName, envName string) string {
	given := map[string]string{"endpoint": c.endpoint, "region": c.region, "project-id": c.projectID}
	if given[flagName] != "" {
		return "--" + flagName
	}
	return "$" + envName
}

// checkEndpoint finds the endpoint as hss.NewClientFromEnv will, and
// checks it.
func (c *commonFlags) checkEndpoint(lookup func(string) string) error {
	if ep := strings.TrimSpace(lookup(credentials.EnvEndpoint)); ep != "" {
		return c.checkURL(c.source("endpoint", credentials.EnvEndpoint), ep)
	}
	for _, name := range []string{credentials.EnvRegion, credentials.EnvSDKRegion} {
		if r := strings.TrimSpace(lookup(name)); r != "" {
			return checkRegion(c.source("region", name), r)
		}
	}
	return usagef("invalid endpoint: not set: use --region or --endpoint (or $%s, $%s or $%s)",
		credentials.EnvRegion, credentials.EnvEndpoint, credentials.EnvSDKRegion)
}

// checkURL checks an endpoint URL by the SDK's rules: hss.NewClient checks
// it without any I/O, so a throwaway client built with a placeholder token
// gives the SDK's verdict. Plain http to a host that is not loopback is
// checked here first, to name --insecure-http.
func (c *commonFlags) checkURL(src, endpoint string) error {
	if u, err := url.Parse(endpoint); err == nil && u.Scheme == "http" && !c.insecureHTTP && !check.Loopback(u.Hostname()) {
		return usagef("invalid %s: plain http is only allowed for loopback hosts (127.0.0.0/8, ::1, localhost); use https or --insecure-http", src)
	}
	opts := []hss.Option{hss.WithToken("endpoint-check")}
	if c.insecureHTTP {
		opts = append(opts, hss.WithInsecureHTTP())
	}
	var ve *hss.ValidationError
	if _, err := hss.NewClient(endpoint, "endpoint-check", opts...); errors.As(err, &ve) && ve.Field == "endpoint" {
		return usagef("invalid %s: %s", src, ve.Reason)
	}
	return nil
}

// lookup lays the flags over getenv (a flag wins over its variable) for
// hss.WithGetenv. HOME and the rest pass through, and $HSS_NO_METADATA
// left unset reads "false", so that the SDK's credential chain searches the
// credentials file and ECS metadata as it does for the process
// environment.
func (c *commonFlags) lookup(getenv func(string) string) func(string) string {
	return func(key string) string {
		switch key {
		case credentials.EnvEndpoint:
			if c.endpoint != "" || c.region != "" {
				return c.endpoint // --region wins over $HSS_ENDPOINT too
			}
		case credentials.EnvRegion:
			if c.region != "" {
				return c.region
			}
		case credentials.EnvProjectID:
			if c.projectID != "" {
				return c.projectID
			}
		case credentials.EnvNoMetadata:
			if v := getenv(key); v != "" {
				return v
			}
			return "false"
		}
		return getenv(key)
	}
}

// options are the SDK options the flags ask for, then diag (the logger
// and observer of stderr).
func (c *commonFlags) options(e env, diag []hss.Option) []hss.Option {
	policy := hss.RetryPolicy{MaxAttempts: c.maxAttempts, MaxThrottleWait: c.maxThrottleWait}
	opts := append([]hss.Option{
		hss.WithUserAgent("hss-cli/" + version()),
		hss.WithAttemptTimeout(c.attemptTimeout),
		hss.WithRetryPolicy(policy),
	}, diag...)
	if c.rateLimit > 0 {
		opts = append(opts, hss.WithRateLimit(c.rateLimit/60, 1))
	}
	if e.clock != nil {
		opts = append(opts, hss.WithClock(e.clock))
	}
	return opts
}

// connect returns the client: the embedded fake's for --demo, else one
// NewClientFromEnv configures from the flags laid over the environment,
// so the SDK's rules for finding credentials apply unchanged. close
// releases what the client needs (the demo server).
func (c *commonFlags) connect(ctx context.Context, e env, con *console, diag ...hss.Option) (client *hss.Client, close func(), err error) {
	opts := c.options(e, diag)
	say := func(line string) {
		if c.verbose {
			con.println(line)
		}
	}
	if c.demo {
		say("hss: quota not shared: --demo runs against its own fake HSS")
		return startDemo(e.clock, opts...)
	}
	share, err := c.sharedQuota(e.getenv, say, func(line string) { con.println(line) })
	if err != nil {
		return nil, nil, err
	}
	opts = append(opts, share...)
	lookup := c.lookup(e.getenv)
	opts = append(opts, hss.WithGetenv(lookup))
	if c.token != "" {
		opts = append(opts, hss.WithToken(c.token))
	}
	if c.insecureHTTP {
		opts = append(opts, hss.WithInsecureHTTP())
	}
	client, err = hss.NewClientFromEnv(ctx, opts...)
	if err != nil {
		return nil, nil, c.explain(err, lookup)
	}
	return client, func() {}, nil
}

// explain turns NewClientFromEnv's errors about settings into ones that
// name the flags.
func (c *commonFlags) explain(err error, lookup func(string) string) error {
	var ve *hss.ValidationError
	if !errors.As(err, &ve) || ve.Field != "project_id" {
		return err
	}
	chain := &credentials.Chain{Getenv: lookup}
	if strings.HasPrefix(ve.Reason, "not set") {
		return usagef("invalid project id: not set: use --project-id (or $%s, or project_id in [basic] of %s)",
			credentials.EnvProjectID, chain.ProfilePath())
	}
	return usagef("invalid project_id in %s: %s", chain.ProfilePath(), ve.Reason)
}

// sharedQuota returns the option that shares the quota with the other hss
// runs on this host through the quota file, and says which file through say
// (--verbose). With --no-shared-quota it returns none. A file given with
// --quota-file or $HSS_QUOTA_FILE that cannot be used is a usage error
// naming the flag or variable, before any request: the user asked for that
// file. The default file that cannot be used costs the sharing, not the
// run: warn says why, and the run keeps its quota to itself.
func (c *commonFlags) sharedQuota(getenv func(string) string, say, warn func(string)) ([]hss.Option, error) {
	if c.noSharedQuota {
		say("hss: quota not shared: --no-shared-quota")
		return nil, nil
	}
	path, src := c.quotaPath(getenv)
	var err error
	if path == "" {
		var dir string
		dir, err = userCacheDir(getenv)
		path = filepath.Join(dir, defaultQuotaFile)
	}
	var store *quotafile.Store
	if err == nil {
		store, err = quotafile.New(path)
	}
	switch {
	case err != nil && src != "":
		return nil, usagef("invalid %s: %s (or run with --no-shared-quota)", src, strings.TrimPrefix(err.Error(), "quotafile: "))
	case err != nil:
		warn("hss: warning: quota not shared with other hss runs: " + err.Error() +
			"; this run keeps its own (--quota-file names another file, --no-shared-quota turns sharing off)")
		return nil, nil
	}
	say("hss: quota shared through " + store.Path())
	return []hss.Option{hss.WithQuotaStore(store)}, nil
}

// quotaPath returns the quota file the user named, and where: --quota-file,
// else $HSS_QUOTA_FILE; "", "" for the default. Surrounding spaces are
// trimmed, and a blank $HSS_QUOTA_FILE counts as unset, as the SDK reads
// its variables (check refuses a blank --quota-file).
func (c *commonFlags) quotaPath(getenv func(string) string) (path, src string) {
	if p := strings.TrimSpace(c.quotaFile); p != "" {
		return p, "--quota-file"
	}
	if p := strings.TrimSpace(getenv(envQuotaFile)); p != "" {
		return p, "$" + envQuotaFile
	}
	return "", ""
}

// userCacheDir is os.UserCacheDir with the environment read through
// getenv, which tests set.
func userCacheDir(getenv func(string) string) (string, error) {
	var dir, from string
	switch runtime.GOOS {
	case "windows":
		dir, from = getenv("LocalAppData"), "%LocalAppData%"
	case "darwin", "ios":
		if dir, from = getenv("HOME"), "$HOME"; dir != "" {
			dir = filepath.Join(dir, "Library", "Caches")
		}
	case "plan9":
		if dir, from = getenv("home"), "$home"; dir != "" {
			dir = filepath.Join(dir, "lib", "cache")
		}
	default:
		if dir, from = getenv("XDG_CACHE_HOME"), "$XDG_CACHE_HOME"; dir == "" {
			if dir, from = getenv("HOME"), "$HOME"; dir != "" {
				dir = filepath.Join(dir, ".cache")
			}
		}
	}
	switch {
	case dir == "":
		return "", errors.New("no user cache directory: " + from + " is not set")
	case !filepath.IsAbs(dir):
		return "", errors.New("no user cache directory: " + from + " is not an absolute path")
	}
	return dir, nil
}

// formatFloat writes f in decimal, without an exponent when it has few
// digits (1000000, not 1e+06).
func formatFloat(f float64) string {
	if a := math.Abs(f); a != 0 && (a < 1e-6 || a >= 1e21) {
		return strconv.FormatFloat(f, 'g', -1, 64)
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}
