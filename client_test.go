// The Client's construction: the options NewClient refuses and accepts, their order, the caller's http.Client left alone, the zero Client, region endpoints and the enums.
package hss_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsskit/hss"
	"github.com/hsskit/hss/credentials"
	"github.com/hsskit/hss/hsstest"
	"github.com/hsskit/hss/quotafile"
)

func TestNewClientRejects(t *testing.T) {
	const ep = "https://hss.example.com"
	tok := hss.WithToken(testToken)
	maxDur := time.Duration(math.MaxInt64)
	cases := []struct {
		name, endpoint, project string
		opts                    []hss.Option
		field, want             string
		secret                  string // must not show in the error
	}{
		// Endpoint.
		{"empty endpoint", "", testProject, []hss.Option{tok}, "endpoint", "must not be empty", ""},
		{"no scheme", "hss.example.com", testProject, []hss.Option{tok}, "endpoint", "scheme", ""},
		{"ftp", "ftp://hss.example.com", testProject, []hss.Option{tok}, "endpoint", "scheme", ""},
		{"plain http remote", "http://hss.example.com", testProject, []hss.Option{tok}, "endpoint", "WithInsecureHTTP", ""},
		{"user info", "https://u:p@hss.example.com", testProject, []hss.Option{tok}, "endpoint", "user info", ""},
		{"query", "https://hss.example.com/?a=b", testProject, []hss.Option{tok}, "endpoint", "query", ""},
		{"empty query", "https://hss.example.com?", testProject, []hss.Option{tok}, "endpoint", "query", ""},
		{"fragment", "https://hss.example.com/#x", testProject, []hss.Option{tok}, "endpoint", "fragment", ""},
		{"trailing #", "https://hss.example.com#", testProject, []hss.Option{tok}, "endpoint", "fragment", ""},
		{"no host", "https:///x", testProject, []hss.Option{tok}, "endpoint", "no host", ""},
		{"empty host with port", "https://:443", testProject, []hss.Option{tok}, "endpoint", "no host", ""},
		{"port 0", ep + ":0", testProject, []hss.Option{tok}, "endpoint", "port must be 1-65535", ""},
		{"port 65536", ep + ":65536", testProject, []hss.Option{tok}, "endpoint", "port must be 1-65535", ""},
		{"port past int64", ep + ":99999999999999999999", testProject, []hss.Option{tok}, "endpoint", "port must be 1-65535", ""},
		{"non-ASCII host", "https://hss.例え.jp", testProject, []hss.Option{tok}, "endpoint", "punycode", ""},
		{"control character", ep + "\n", testProject, []hss.Option{tok}, "endpoint", "control", ""},
		{"unparsable", "https://[::1", testProject, []hss.Option{tok}, "endpoint", "not a URL", ""},
		// Project id.
		{"empty project", ep, "", []hss.Option{tok}, "project_id", "1-256", ""},
		{"long project", ep, strings.Repeat("p", 257), []hss.Option{tok}, "project_id", "1-256", ""},
		{"dot project", ep, ".", []hss.Option{tok}, "project_id", "dot segment", ""},
		{"dotdot project", ep, "..", []hss.Option{tok}, "project_id", "dot segment", ""},
		{"fullwidth dotdot project", ep, "\uFF0E\uFF0E", []hss.Option{tok}, "project_id", "dot segment", ""},
		{"one-dot-leader project", ep, "\u2024\u2024", []hss.Option{tok}, "project_id", "dot segment", ""},
		{"ideographic dot project", ep, "\u3002", []hss.Option{tok}, "project_id", "dot segment", ""},
		{"slash project", ep, "a/b", []hss.Option{tok}, "project_id", `'/'`, ""},
		{"backslash project", ep, `a\b`, []hss.Option{tok}, "project_id", `'\'`, ""},
		{"zero-width project", ep, "a\u200bb", []hss.Option{tok}, "project_id", "format characters", ""},
		{"zero-width dotdot project", ep, ".\u200b.", []hss.Option{tok}, "project_id", "format characters", ""},
		{"bidi project", ep, "\u202eab", []hss.Option{tok}, "project_id", "format characters", ""},
		{"BOM project", ep, "\ufeffp", []hss.Option{tok}, "project_id", "format characters", ""},
		{"control project", ep, "p\n", []hss.Option{tok}, "project_id", "control", ""},
		{"invalid UTF-8 project", ep, "p\xff", []hss.Option{tok}, "project_id", "UTF-8", ""},
		// Credentials.
		{"no credentials", ep, testProject, nil, "credentials", "WithToken", ""},
		{"empty token", ep, testProject, []hss.Option{hss.WithToken("")}, "X-Auth-Token", "1-32768 bytes", ""},
		{"token 32,769 bytes", ep, testProject, []hss.Option{hss.WithToken(strings.Repeat("t", 32769))}, "X-Auth-Token", "1-32768 bytes, got 32769", ""},
		{"token of 16,385 two-byte characters", ep, testProject, []hss.Option{hss.WithToken(strings.Repeat("é", 16385))}, "X-Auth-Token", "got 32770", ""},
		{"token leading space", ep, testProject, []hss.Option{hss.WithToken(" " + testToken)}, "X-Auth-Token", "white space", testToken},
		{"token trailing space", ep, testProject, []hss.Option{hss.WithToken(testToken + " ")}, "X-Auth-Token", "white space", testToken},
		{"token no-break space", ep, testProject, []hss.Option{hss.WithToken(testToken + "\u00a0")}, "X-Auth-Token", "white space", testToken},
		{"token invalid UTF-8", ep, testProject, []hss.Option{hss.WithToken(testToken + "\xff")}, "X-Auth-Token", "UTF-8", testToken},
		{"token control", ep, testProject, []hss.Option{hss.WithToken("MIIE\r\nX-Injected: 1")}, "X-Auth-Token", "control", "MIIE"},
		{"temporary key without security token", ep, testProject, []hss.Option{hss.WithTemporaryAKSK("AKCORETEST", "core-secret-key-value", "")}, "X-Security-Token", "must not be empty", "core-secret-key-value"},
		{"nil credentials", ep, testProject, []hss.Option{hss.WithCredentials(nil)}, "WithCredentials", "nil", ""},
		// Options.
		{"nil http client", ep, testProject, []hss.Option{tok, hss.WithHTTPClient(nil)}, "WithHTTPClient", "nil", ""},
		{"bad user agent", ep, testProject, []hss.Option{tok, hss.WithUserAgent("a\nb")}, "User-Agent", "control", ""},
		{"blank user agent", ep, testProject, []hss.Option{tok, hss.WithUserAgent("   ")}, "User-Agent", "empty or white space", ""},
		{"empty user agent", ep, testProject, []hss.Option{tok, hss.WithUserAgent("")}, "User-Agent", "empty or white space", ""},
		{"nil clock", ep, testProject, []hss.Option{tok, hss.WithClock(nil)}, "WithClock", "nil", ""},
		{"nil *hsstest.Clock", ep, testProject, []hss.Option{tok, hss.WithClock((*hsstest.Clock)(nil))}, "WithClock", "nil", ""},
		{"nil *credentials.Static", ep, testProject, []hss.Option{hss.WithCredentials((*credentials.Static)(nil))}, "WithCredentials", "nil", ""},
		{"nil credentials func", ep, testProject, []hss.Option{hss.WithCredentials(providerFunc(nil))}, "WithCredentials", "nil", ""},
		{"nil *quotafile.Store", ep, testProject, []hss.Option{tok, hss.WithQuotaStore((*quotafile.Store)(nil))}, "WithQuotaStore", "nil", ""},
		{"nil getenv", ep, testProject, []hss.Option{tok, hss.WithGetenv(nil)}, "WithGetenv", "nil", ""},
		{"negative attempt timeout", ep, testProject, []hss.Option{tok, hss.WithAttemptTimeout(-time.Nanosecond)}, "WithAttemptTimeout", "negative", ""},
		{"max body MaxInt64", ep, testProject, []hss.Option{tok, hss.WithMaxBodyBytes(math.MaxInt64)}, "WithMaxBodyBytes", "1024 to 1073741824", ""},
		{"max body 1 GiB + 1", ep, testProject, []hss.Option{tok, hss.WithMaxBodyBytes(1<<30 + 1)}, "WithMaxBodyBytes", "1024 to", ""},
		{"max body 1023", ep, testProject, []hss.Option{tok, hss.WithMaxBodyBytes(1023)}, "WithMaxBodyBytes", "got 1023", ""},
		{"max body 0", ep, testProject, []hss.Option{tok, hss.WithMaxBodyBytes(0)}, "WithMaxBodyBytes", "got 0", ""},
		{"max body negative", ep, testProject, []hss.Option{tok, hss.WithMaxBodyBytes(math.MinInt64)}, "WithMaxBodyBytes", "1024 to", ""},
		// Retry policy extremes: refused when the client is made, never a
		// panic when a call backs off.
		{"MaxDelay MaxInt64", ep, testProject, []hss.Option{tok, hss.WithRetryPolicy(hss.RetryPolicy{MaxDelay: maxDur})}, "RetryPolicy.MaxDelay", "24h0m0s", ""},
		{"BaseDelay MaxInt64", ep, testProject, []hss.Option{tok, hss.WithRetryPolicy(hss.RetryPolicy{BaseDelay: maxDur})}, "RetryPolicy.BaseDelay", "24h0m0s", ""},
		{"both delays MaxInt64", ep, testProject, []hss.Option{tok, hss.WithRetryPolicy(hss.RetryPolicy{BaseDelay: maxDur, MaxDelay: maxDur})}, "RetryPolicy.", "24h0m0s", ""},
		{"MaxThrottleWait MaxInt64", ep, testProject, []hss.Option{tok, hss.WithRetryPolicy(hss.RetryPolicy{MaxThrottleWait: maxDur})}, "RetryPolicy.MaxThrottleWait", "24h0m0s", ""},
		{"MaxDelay past MaxRetryAfter", ep, testProject, []hss.Option{tok, hss.WithRetryPolicy(hss.RetryPolicy{MaxDelay: hss.MaxRetryAfter + 1})}, "RetryPolicy.MaxDelay", "24h0m0s", ""},
		{"BaseDelay past MaxRetryAfter", ep, testProject, []hss.Option{tok, hss.WithRetryPolicy(hss.RetryPolicy{BaseDelay: hss.MaxRetryAfter + 1})}, "RetryPolicy.BaseDelay", "24h0m0s", ""},
		{"MaxThrottleWait past MaxRetryAfter", ep, testProject, []hss.Option{tok, hss.WithRetryPolicy(hss.RetryPolicy{MaxThrottleWait: hss.MaxRetryAfter + 1})}, "RetryPolicy.MaxThrottleWait", "24h0m0s", ""},
		{"negative BaseDelay", ep, testProject, []hss.Option{tok, hss.WithRetryPolicy(hss.RetryPolicy{BaseDelay: -1})}, "RetryPolicy.BaseDelay", "got -1ns", ""},
		{"negative MaxDelay", ep, testProject, []hss.Option{tok, hss.WithRetryPolicy(hss.RetryPolicy{MaxDelay: math.MinInt64})}, "RetryPolicy.MaxDelay", "must be 0", ""},
		{"MaxAttempts 101", ep, testProject, []hss.Option{tok, hss.WithRetryPolicy(hss.RetryPolicy{MaxAttempts: 101})}, "RetryPolicy.MaxAttempts", "1-100, got 101", ""},
		{"MaxAttempts -1", ep, testProject, []hss.Option{tok, hss.WithRetryPolicy(hss.RetryPolicy{MaxAttempts: -1})}, "RetryPolicy.MaxAttempts", "got -1", ""},
		{"MaxAttempts MaxInt", ep, testProject, []hss.Option{tok, hss.WithRetryPolicy(hss.RetryPolicy{MaxAttempts: math.MaxInt})}, "RetryPolicy.MaxAttempts", "1-100", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tr := refusingTransport()
			opts := append([]hss.Option{hss.WithHTTPClient(&http.Client{Transport: tr})}, tc.opts...)
			var c *hss.Client
			var err error
			require.NotPanics(t, func() { c, err = hss.NewClient(tc.endpoint, tc.project, opts...) })
			assert.Nil(t, c)
			var ve *hss.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.True(t, strings.HasPrefix(ve.Field, tc.field), "field %q, want %q", ve.Field, tc.field)
			assert.Contains(t, err.Error(), tc.want)
			assert.Contains(t, err.Error(), "hss: invalid "+ve.Field+": ")
			if tc.secret != "" {
				assertNoSecret(t, err, tc.secret)
			}
			assert.Zero(t, tr.Calls(), "nothing is sent")
		})
	}
}

func TestNewClientAcceptsBounds(t *testing.T) {
	for _, ep := range []string{
		"http://127.0.0.1:8080", "http://127.9.9.9", "http://[::1]:1", "http://localhost:9", "http://LOCALHOST",
		"https://hss.example.com", "https://hss.example.com:1", "https://hss.example.com:65535",
		"https://hss.xn--fsqu00a.xn--3lr804guic", "https://gw.example.com/hss",
	} {
		c, err := hss.NewClient(ep+"/", testProject, hss.WithToken(testToken))
		require.NoError(t, err, ep)
		assert.Equal(t, ep, c.Endpoint(), "a trailing slash is dropped")
		assert.Equal(t, testProject, c.ProjectID())
	}
	c, err := hss.NewClient("http://10.0.0.1/hss", testProject, hss.WithToken(testToken), hss.WithInsecureHTTP())
	require.NoError(t, err)
	assert.Equal(t, "http://10.0.0.1/hss", c.Endpoint())

	accepted := []struct {
		name    string
		project string
		opts    []hss.Option
	}{
		{"project 256 characters", strings.Repeat("p", 256), nil},
		{"project 256 runes", strings.Repeat("任", 256), nil},
		{"project of three dots", "...", nil},
		{"project with escapes", "%2e%2e", nil},
		{"token 32,768 bytes", testProject, []hss.Option{hss.WithToken(strings.Repeat("t", 32768))}},
		{"token of 16,384 two-byte characters", testProject, []hss.Option{hss.WithToken(strings.Repeat("é", 16384))}},
		{"nil option", testProject, []hss.Option{nil}},
		{"max body 1024", testProject, []hss.Option{hss.WithMaxBodyBytes(1024)}},
		{"max body 1 GiB", testProject, []hss.Option{hss.WithMaxBodyBytes(1 << 30)}},
		{"attempt timeout off", testProject, []hss.Option{hss.WithAttemptTimeout(0)}},
		{"attempt timeout 1ns", testProject, []hss.Option{hss.WithAttemptTimeout(time.Nanosecond)}},
		{"retry policy at its bounds", testProject, []hss.Option{hss.WithRetryPolicy(hss.RetryPolicy{
			MaxAttempts: 100, BaseDelay: hss.MaxRetryAfter, MaxDelay: hss.MaxRetryAfter, MaxThrottleWait: hss.MaxRetryAfter, RetryBudget: 1000000,
		})}},
		{"retry policy turned off", testProject, []hss.Option{hss.WithRetryPolicy(hss.RetryPolicy{MaxAttempts: 1, MaxThrottleWait: math.MinInt64, RetryBudget: math.MinInt})}},
		{"no retries", testProject, []hss.Option{hss.WithRetryPolicy(hss.NoRetries())}},
		{"zero retry policy", testProject, []hss.Option{hss.WithRetryPolicy(hss.RetryPolicy{})}},
	}
	for _, tc := range accepted {
		t.Run(tc.name, func(t *testing.T) {
			opts := append([]hss.Option{hss.WithToken(testToken)}, tc.opts...)
			c, err := hss.NewClient("https://hss.example.com", tc.project, opts...)
			require.NoError(t, err)
			assert.Equal(t, tc.project, c.ProjectID())
		})
	}
}

// TestNewClientOptionOrder: the options may come in any order; the
// credentials given last win, and nothing depends on which came first.
func TestNewClientOptionOrder(t *testing.T) {
	c1, seen1 := newMockClient(t, "https://hss.example.com", 200, `{"total_num":0,"data_list":[]}`, nil, hss.WithUserAgent("app/1"), hss.WithToken("MIIE-second-token"))
	_, err := c1.ListSyncTaskRegistries(context.Background(), testTask, nil)
	require.NoError(t, err)
	assert.Equal(t, "MIIE-second-token", seen1.Last().Header.Get("X-Auth-Token"))
	assert.Equal(t, "app/1 hss-go/"+hss.Version, seen1.Last().Header.Get("User-Agent"))
}

func TestWithHTTPClientDoesNotMutate(t *testing.T) {
	called := 0
	userPolicy := func(*http.Request, []*http.Request) error { called++; return nil }
	hc := &http.Client{CheckRedirect: userPolicy}
	_, err := hss.NewClient("https://hss.example.com", testProject, hss.WithToken(testToken), hss.WithHTTPClient(hc))
	require.NoError(t, err)
	require.NotNil(t, hc.CheckRedirect)
	assert.NoError(t, hc.CheckRedirect(nil, nil), "the caller's policy is still its own")
	assert.Equal(t, 1, called)
	assert.Nil(t, hc.Transport)
	assert.Zero(t, hc.Timeout)
}

// TestZeroValueClient: a Client not made by a constructor returns an
// error from every method; none panics.
func TestZeroValueClient(t *testing.T) {
	ctx := context.Background()
	var nilClient *hss.Client
	for name, c := range map[string]*hss.Client{"zero": {}, "nil": nilClient} {
		t.Run(name, func(t *testing.T) {
			require.NotPanics(t, func() {
				_, err := c.ListSyncTaskRegistries(ctx, testTask, nil)
				require.ErrorContains(t, err, "not created by NewClient")

				_, errs, err := collectRegistries(c.ListSyncTaskRegistriesIter(ctx, testTask, nil))
				assert.Equal(t, 1, errs, "the iterator yields the error once")
				require.ErrorContains(t, err, "not created by NewClient")

				n := 0
				for page, err := range c.ListSyncTaskRegistriesPages(ctx, testTask, nil) {
					n++
					assert.Nil(t, page)
					require.ErrorContains(t, err, "not created by NewClient")
				}
				assert.Equal(t, 1, n)

				_, err = c.Do(ctx, http.MethodGet, "/v5/{project_id}/x", nil, nil, nil)
				require.ErrorContains(t, err, "not created by NewClient")

				_, err = c.WaitSyncTask(ctx, testTask, nil)
				require.ErrorContains(t, err, "not created by NewClient")

				assert.Empty(t, c.Endpoint())
				assert.Empty(t, c.ProjectID())
			})
		})
	}
	var zero hss.Client
	assert.NotPanics(t, func() { _ = fmt.Sprint(&zero) })
	//lint:ignore SA9005 what a Client marshals to is what this checks
	b, err := json.Marshal(&zero)
	require.NoError(t, err)
	assert.JSONEq(t, `{}`, string(b), "a Client has no exported field")
}

func TestRegionEndpoint(t *testing.T) {
	ep, err := hss.RegionEndpoint("cn-north-4")
	require.NoError(t, err)
	assert.Equal(t, "https://hss.cn-north-4.myhuaweicloud.com", ep)
	ep, err = hss.RegionEndpoint("eu-west-101")
	require.NoError(t, err)
	assert.Equal(t, "https://hss.eu-west-101.myhuaweicloud.eu", ep)
	ep, err = hss.RegionEndpoint("xx-new-9")
	require.NoError(t, err, "well-formed unknown regions are allowed")
	assert.Equal(t, "https://hss.xx-new-9.myhuaweicloud.com", ep)

	regions := hss.Regions()
	assert.Contains(t, regions, "cn-north-4")
	for _, r := range regions {
		ep, err := hss.RegionEndpoint(r)
		require.NoError(t, err, r)
		_, err = hss.NewClient(ep, testProject, hss.WithToken(testToken))
		assert.NoError(t, err, "the endpoint of %s is a valid endpoint", r)
	}
	regions[0] = "mutated"
	assert.NotEqual(t, "mutated", hss.Regions()[0], "Regions returns a new slice")

	for _, bad := range []string{"", "cn", "CN-north-4", "cn-north-4.evil.com", "cn--4", "-cn-4", "cn-4-", "cn north", "cn-north-4/x", "cn-north-4\n", strings.Repeat("a-", 40) + "a"} {
		_, err := hss.RegionEndpoint(bad)
		var ve *hss.ValidationError
		require.ErrorAs(t, err, &ve, "%q", bad)
		assert.Equal(t, "region", ve.Field)
	}
}

func TestEnums(t *testing.T) {
	types := hss.AllRegistryTypes()
	require.Len(t, types, 6)
	for _, rt := range types {
		assert.True(t, rt.Known())
		assert.Equal(t, string(rt), rt.String())
	}
	assert.Equal(t, "Jfrog", hss.RegistryTypeJfrog.String())
	assert.False(t, hss.RegistryType("JFrog").Known(), "the API spells it Jfrog")
	assert.False(t, hss.RegistryType("").Known())
	statuses := hss.AllSyncStatuses()
	require.Len(t, statuses, 3)
	for _, s := range statuses {
		assert.True(t, s.Known())
		assert.Equal(t, string(s), s.String())
	}
	assert.False(t, hss.SyncStatus("").Known())
	assert.False(t, hss.SyncStatus("Finished").Known())
	types[0], statuses[0] = "x", "x"
	assert.Equal(t, hss.RegistryTypeSwrPrivate, hss.AllRegistryTypes()[0], "a new slice every call")
	assert.Equal(t, hss.SyncStatusFinished, hss.AllSyncStatuses()[0], "a new slice every call")
}
