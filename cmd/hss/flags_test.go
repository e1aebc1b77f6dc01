// Flags: every bad value is a usage error naming the flag and what it allows, before credentials are looked for.

package main

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsskit/hss"
	"github.com/hsskit/hss/credentials"
)

// TestFlagErrors: every bad flag or setting is a usage error (exit 2),
// reported on one line that names the flag (or the variable the value came
// from) and what is allowed, before any credential is looked for: the
// environment has none, so a check that came too late would exit 3.
func TestFlagErrors(t *testing.T) {
	// base would work but for the missing credentials (exit 3).
	base := func(args ...string) []string {
		return append([]string{"registries", "--task-id", "t", "--region", "cn-north-4", "--project-id", "p"}, args...)
	}
	wait := func(args ...string) []string {
		return append([]string{"wait", "--task-id", "t", "--region", "cn-north-4", "--project-id", "p"}, args...)
	}
	noLocation := func(args ...string) []string { return append([]string{"registries", "--task-id", "t"}, args...) }
	long := func(n int) string { return strings.Repeat("x", n) }

	cases := []struct {
		name string
		args []string
		vars map[string]string
		want string
	}{
		{"no command", nil, nil, "Usage:"},
		{"unknown command", []string{"frobnicate"}, nil, `unknown command "frobnicate"`},
		{"help for an unknown command", []string{"help", "nope"}, nil, `unknown command "nope"`},
		{"unknown flag", base("--bogus"), nil, `unknown flag --bogus; see "hss registries --help"`},
		{"misspelt flag", base("--ouput", "json"), nil, `unknown flag --ouput (did you mean --output?); see "hss registries --help"`},
		{"misspelt flag with a value", base("--max-item=3"), nil, "unknown flag --max-item (did you mean --max-items?)"},
		{"flag of the other command", []string{"wait", "--task-id", "t", "--offset", "3"}, nil, `unknown flag --offset; see "hss wait --help"`},
		{"misspelt command", []string{"registry"}, nil, `unknown command "registry" (did you mean registries?); run "hss help"`},
		{"flag without its value", base("--limit"), nil, "flag needs a value: --limit"},
		{"not a number", base("--limit", "ten"), nil, `invalid --limit "ten": not a whole decimal number (--limit: page size: N registries per request, 10-200)`},
		{"hexadecimal", base("--offset", "0x10"), nil, `invalid --offset "0x10": not a whole decimal number (--offset: skip the first N registries, 0-2000000`},
		{"too large for a number", base("--max-items", "99999999999999999999"), nil, `invalid --max-items "99999999999999999999": too large a number (--max-items: print at most N registries, 0 or more`},
		{"not a duration", base("--timeout", "soon"), nil, `invalid --timeout "soon": not a duration such as 500ms, 90s, 10m or 1h30m (--timeout: give up on the whole command after DURATION, such as 90s`},
		{"duration without a unit", base("--max-throttle-wait", "5"), nil, `invalid --max-throttle-wait "5": a duration needs a unit, such as 500ms, 90s, 10m or 1h30m, or none (--max-throttle-wait: wait at most DURATION per request for the gateway's quota when throttled, then exit 4; 0-24h (0: the default, 5m0s), or none`},
		{"duration too long for Go", base("--timeout", "9999999h"), nil, `invalid --timeout "9999999h": not a duration`},
		{"rate not a number", base("--rate-limit", "abc"), nil, `invalid --rate-limit "abc": not a decimal number (--rate-limit: send at most N requests a minute, 0.001-1000000`},
		{"rate infinite", base("--rate-limit", "Inf"), nil, `invalid --rate-limit "Inf": not a decimal number`},
		{"rate hexadecimal", base("--rate-limit", "0x1p3"), nil, `invalid --rate-limit "0x1p3": not a decimal number`},
		{"rate that rounds to 0", base("--rate-limit", "1e-400"), nil, `invalid --rate-limit "1e-400": too small a number: it rounds to 0 (--rate-limit: send at most N requests a minute, 0.001-1000000`},
		{"rate too large for a number", base("--rate-limit", "1e400"), nil, `invalid --rate-limit "1e400": too large a number (--rate-limit: send at most N requests a minute, 0.001-1000000`},
		{"argument left over", base("extra"), nil, `unexpected argument "extra"`},
		{"empty token", base("--token", ""), map[string]string{credentials.EnvToken: "secret-token-value"}, `invalid --token "": must not be empty`},
		{"empty region", noLocation("--region", ""), nil, `invalid --region "": must not be empty`},
		{"empty endpoint", noLocation("--endpoint", ""), nil, `invalid --endpoint "": must not be empty`},
		{"empty project", base("--project-id", ""), nil, `invalid --project-id "": must not be empty`},
		{"task id missing", []string{"registries", "--region", "cn-north-4"}, nil, "--task-id is required"},
		{"task id too long", []string{"registries", "--task-id", long(65)}, nil, "invalid --task-id: must be 1-64 characters, got 65"},
		{"task id with a slash", []string{"registries", "--task-id", "a/b"}, nil, "invalid --task-id: must not contain '/'"},
		{"task id a dot segment", []string{"registries", "--task-id", ".."}, nil, "invalid --task-id: must not be a dot segment"},
		{"unknown type", base("--type", "harbr"), nil, `invalid --type "harbr": must be one of SwrPrivate, SwrShared, SwrEnterprise, Harbor, Jfrog, Other`},
		{"empty type", base("--type", "Harbor,"), nil, `invalid --type "Harbor,": empty value in "Harbor," (--type: keep the registries of these TYPES: SwrPrivate`},
		{"unknown status", base("--status", "FAILEDX"), nil, `invalid --status "FAILEDX": must be one of finished, running, failed`},
		{"unknown field", base("--fields", "registry_id,colour"), nil, `invalid --fields "colour": must be one of registry_id, registry_name`},
		{"unknown output", base("--output", "xml"), nil, `invalid --output "xml": must be one of table, json, jsonl, csv`},
		{"fields with json", base("--fields", "registry_id", "--output", "json"), nil, "--fields applies to table, csv and jsonl"},
		{"no headers with jsonl", base("--no-headers", "--output", "jsonl"), nil, "--no-headers applies to table and csv"},
		{"wide with csv", base("--wide", "--output", "csv"), nil, "--wide applies to --output table: csv, json and jsonl never cut cells"},
		{"csv raw with a table", base("--csv-raw"), nil, "--csv-raw applies to --output csv, not --output table"},
		{"wait wide with json", wait("--wide", "--output", "json"), nil, "--wide applies to --output table"},
		{"resume a table", base("--resume", "out.txt"), nil, "--resume writes --output csv, json or jsonl: a table is for people"},
		{"resume nothing", base("--resume", "", "--output", "csv"), nil, `invalid --resume "": must not be empty`},
		{"limit too small", base("--limit", "5"), nil, "invalid --limit: must be 10-200 (the page size), got 5"},
		{"limit too large", base("--limit", "201"), nil, "invalid --limit: must be 10-200 (the page size), got 201"},
		{"negative offset", base("--offset", "-1"), nil, "invalid --offset: must be 0-2000000, got -1"},
		{"offset too large", base("--offset", "2000001"), nil, "invalid --offset: must be 0-2000000, got 2000001"},
		{"negative max items", base("--max-items", "-1"), nil, "invalid --max-items: must be 0 (every registry) or more"},
		{"name too long", base("--name", long(129)), nil, "invalid --name: must be empty or 1-128 characters, got 129"},
		{"enterprise project too long", base("--enterprise-project-id", long(257)), nil, "invalid --enterprise-project-id: must be empty or 1-256 characters"},
		{"negative timeout", base("--timeout", "-1s"), nil, "invalid --timeout: must not be negative"},
		{"negative attempt timeout", base("--attempt-timeout", "-1s"), nil, "invalid --attempt-timeout: must not be negative"},
		{"no attempts", base("--max-attempts", "0"), nil, "invalid --max-attempts: must be 1-100, got 0"},
		{"too many attempts", base("--max-attempts", "101"), nil, "invalid --max-attempts: must be 1-100, got 101"},
		{"throttle wait too long", base("--max-throttle-wait", "25h"), nil, "invalid --max-throttle-wait: must be 0 to 24h0m0s (0: the default, 5m0s), or none, got 25h0m0s"},
		{"negative throttle wait", base("--max-throttle-wait", "-1s"), nil, "invalid --max-throttle-wait: must be 0 to 24h0m0s (0: the default, 5m0s), or none, got -1s"},
		{"throttle wait not a duration", base("--max-throttle-wait", "never"), nil, `invalid --max-throttle-wait "never": not a duration such as 500ms, 90s, 10m or 1h30m, or none`},
		{"negative rate", base("--rate-limit", "-1"), nil, "invalid --rate-limit: must be 0 (no limit) or 0.001-1000000 requests a minute, got -1"},
		{"rate too high", base("--rate-limit", "1e7"), nil, "invalid --rate-limit: must be 0 (no limit) or 0.001-1000000 requests a minute, got 10000000"},
		{"rate below the least", base("--rate-limit", "1e-5"), nil, "invalid --rate-limit: must be 0 (no limit) or 0.001-1000000 requests a minute, got 0.00001"},
		{"rate a tiny negative", base("--rate-limit", "-1e-400"), nil, `invalid --rate-limit "-1e-400": too small a number: it rounds to 0`},
		{"wait without task", []string{"wait", "--region", "cn-north-4"}, nil, "--task-id is required"},
		{"wait interval too short", wait("--interval", "10ms"), nil, "invalid --interval: must be 100ms to 24h0m0s, got 10ms"},
		{"wait interval too long", wait("--interval", "25h"), nil, "invalid --interval"},
		{"wait bad output", wait("--output", "yaml"), nil, `invalid --output "yaml"`},
		{"wait bad task", []string{"wait", "--task-id", "a/b"}, nil, "invalid --task-id"},
		{"token with spaces", base("--token", " secret-token-value "), nil, "invalid --token: must not start or end with white space"},
		{"endpoint and region", base("--endpoint", "https://hss.example.com"), nil, "give --endpoint or --region, not both"},
		{"bad region flag", noLocation("--region", "Mars"), nil, "invalid --region: must look like cn-north-4"},
		{"unknown region flag", noLocation("--region", "cn-nrth-4"), nil, `invalid --region "cn-nrth-4": not a region where HSS runs; did you mean cn-north-4? (to reach a region missing from hss's list, give --endpoint https://hss.cn-nrth-4.myhuaweicloud.com instead)`},
		{"unknown region variable", noLocation(), map[string]string{credentials.EnvRegion: "cn-east-7"}, `invalid $HSS_REGION "cn-east-7": not a region where HSS runs; did you mean cn-east-2, cn-east-3 or cn-east-4?`},
		{"unknown SDK region variable", noLocation(), map[string]string{credentials.EnvSDKRegion: "ap-southeast-9"}, `invalid $HUAWEICLOUD_SDK_REGION "ap-southeast-9": not a region where HSS runs; did you mean ap-southeast-1, ap-southeast-2 or ap-southeast-3?`},
		{"bad region variable", noLocation(), map[string]string{credentials.EnvRegion: "Mars"}, "invalid $HSS_REGION: must look like cn-north-4"},
		{"bad SDK region variable", noLocation(), map[string]string{credentials.EnvSDKRegion: "Mars"}, "invalid $HUAWEICLOUD_SDK_REGION"},
		{"plain http flag", noLocation("--endpoint", "http://hss.example.com"), nil, "invalid --endpoint: plain http is only allowed for loopback hosts (127.0.0.0/8, ::1, localhost); use https or --insecure-http"},
		{"plain http variable", noLocation(), map[string]string{credentials.EnvEndpoint: "http://hss.example.com"}, "invalid $HSS_ENDPOINT: plain http is only allowed"},
		{"endpoint with a query", noLocation("--endpoint", "https://hss.example.com/?x=1"), nil, "invalid --endpoint: must not carry a query or fragment"},
		{"endpoint scheme", noLocation("--endpoint", "ftp://hss.example.com"), nil, `invalid --endpoint: scheme must be https (or http for loopback), got "ftp"`},
		{"endpoint port", noLocation("--endpoint", "https://hss.example.com:99999"), nil, "invalid --endpoint: port must be 1-65535"},
		{"no endpoint at all", noLocation(), nil, "invalid endpoint: not set: use --region or --endpoint (or $HSS_REGION, $HSS_ENDPOINT or $HUAWEICLOUD_SDK_REGION)"},
		{"bad project flag", noLocation("--region", "cn-north-4", "--project-id", "a/b"), nil, "invalid --project-id: must not contain '/'"},
		{"bad project variable", noLocation("--region", "cn-north-4"), map[string]string{credentials.EnvProjectID: "a/b"}, "invalid $HUAWEICLOUD_SDK_PROJECT_ID: must not contain '/'"},
		{"no project", noLocation("--region", "cn-north-4", "--token", "tok"), nil, "invalid project id: not set: use --project-id (or $HUAWEICLOUD_SDK_PROJECT_ID, or project_id in [basic] of"},
		{"demo with a token", []string{"registries", "--demo", "--task-id", "demo-task", "--token", "x"}, nil, "--demo runs against the embedded fake HSS"},
		{"demo with a region", []string{"wait", "--demo", "--task-id", "demo-task", "--region", "cn-north-4"}, nil, "--demo runs against the embedded fake HSS"},
		{"completion without shell", []string{"completion"}, nil, "name one shell: bash, zsh, fish"},
		{"completion for another shell", []string{"completion", "tcsh"}, nil, `unknown shell "tcsh"`},
		{"version with an argument", []string{"version", "extra"}, nil, `unexpected argument "extra"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := runWith(t, nil, nil, false, tc.vars, tc.args...)
			assert.Equal(t, exitUsage, r.code, r.stderr)
			assert.Contains(t, r.stderr, tc.want)
			assert.Empty(t, r.stdout)
			assert.NotContains(t, r.stderr, "secret-token-value")
			if len(tc.args) > 0 {
				assert.Len(t, lines(r.stderr), 1, "one line: %q", r.stderr)
				assert.True(t, strings.HasPrefix(r.stderr, "hss: "), r.stderr)
			}
		})
	}
}

// TestFlagsAccepted: what the rules allow gets past the checks (to the
// missing credentials, exit 3), and list values match in any case.
func TestFlagsAccepted(t *testing.T) {
	for _, args := range [][]string{
		{"--endpoint", "http://hss.example.com", "--insecure-http"},
		{"--endpoint", "http://127.0.0.1:8080"},
		{"--endpoint", "http://[::1]:8080/prefix"},
		{"--endpoint", "http://localhost"},
		{"--region", "cn-north-4", "--type", "harbor", "--type", "JFROG,swrprivate", "--status", "Failed"},
		{"--region", "cn-north-4", "--status", "failed,running", "--fields", "SYNC_STATUS,registry_id", "--no-headers"},
		{"--region", "cn-north-4", "--all", "--max-items", "5", "--rate-limit", "5", "--max-throttle-wait", "0", "--timeout", "1m"},
		{"--region", "cn-north-4", "--max-throttle-wait", "none", "--output", "csv", "--csv-raw"},
		{"--region", "eu-west-101", "--max-throttle-wait", "NONE", "--wide", "--offset", "3", "--status", "failed,running"},
	} {
		r := runCLI(t, append([]string{"registries", "--task-id", "t", "--project-id", "p"}, args...)...)
		assert.Equal(t, exitAuth, r.code, "%v: %s", args, r.stderr)
		assert.Contains(t, r.stderr, "no credentials found")
	}

	// Numbers are decimal, whatever their padding.
	c := newRegistriesCmd()
	require.NoError(t, c.fs.parse([]string{"--task-id", "t", "--offset", "010", "--limit", "020", "--max-items", "007"}))
	assert.Equal(t, []int{10, 20, 7}, []int{c.offset, c.limit, c.maxItems})

	c = newRegistriesCmd()
	assert.NoError(t, c.fs.parse([]string{"--task-id", "t", "--type", "harbor", "--type", "JFROG,Harbor", "--status", "FINISHED,running,failed"}))
	assert.NoError(t, c.check(env{}))
	assert.Equal(t, "Harbor,Jfrog", strings.Join(stringsOf(c.typeList), ","), "the API's spelling, in the order given, once each")
	assert.Nil(t, c.statusList, "every status is no filter")

	// --max-throttle-wait: 0 is the SDK's default, none gives up at once.
	for value, want := range map[string]time.Duration{"0": 0, "none": hss.NoThrottleWait, "90s": 90 * time.Second} {
		c = newRegistriesCmd()
		require.NoError(t, c.fs.parse([]string{"--task-id", "t", "--max-throttle-wait", value}))
		assert.Equal(t, want, c.common.maxThrottleWait, value)
	}
}

// TestFlagParseErrorsSpellDoubleDash: a bad boolean value names the flag
// with "--", as every other flag error and the help do.
func TestFlagParseErrorsSpellDoubleDash(t *testing.T) {
	r := runCLI(t, "registries", "--task-id", "t", "--region", "cn-north-4", "--project-id", "p", "--insecure-http=maybe")
	assert.Equal(t, exitUsage, r.code, r.stderr)
	assert.Contains(t, r.stderr, "--insecure-http", r.stderr)
}

// TestFlagParseErrorsListAllowedValues: a value the flag package cannot
// parse is reported with what the flag takes, like every other flag error,
// not only "parse error".
func TestFlagParseErrorsListAllowedValues(t *testing.T) {
	base := []string{"registries", "--task-id", "t", "--region", "cn-north-4", "--project-id", "p"}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--limit", "ten"}, "10-200"},
		{[]string{"--max-attempts", "1e3"}, "1-100"},
		{[]string{"--offset", "1.5"}, "0-2000000"},
		{[]string{"--type", "Harbor,"}, "SwrPrivate"},
		{[]string{"--status", ","}, "finished"},
	} {
		r := runCLI(t, append(append([]string(nil), base...), tc.args...)...)
		assert.Equal(t, exitUsage, r.code, r.stderr)
		assert.Contains(t, r.stderr, tc.want, "%v", tc.args)
		assert.NotContains(t, r.stderr, "parse error", "%v", tc.args)
	}
	r := runCLI(t, append(append([]string(nil), base...), "--timeout", "5")...)
	assert.Equal(t, exitUsage, r.code, r.stderr)
	assert.NotContains(t, r.stderr, "parse error", "say that a duration needs a unit (90s, 10m)")
}
