// Validation: each bound of the task id and the options, nil options and contexts, and reasons that never quote oversized input.
package hss_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsskit/hss"
)

func TestValidationAtAndPastEachBound(t *testing.T) {
	c, seen := newMockClient(t, "https://hss.example.com", 200, `{"total_num":0,"data_list":[]}`, nil)

	type opts = hss.ListSyncTaskRegistriesOptions
	cases := []struct {
		name  string
		task  string
		opts  *opts
		field string // "" = valid
		want  string
	}{
		{"task 1 char", "t", nil, "", ""},
		{"task 64 chars", strings.Repeat("t", 64), nil, "", ""},
		{"task 64 runes", strings.Repeat("任", 64), nil, "", ""},
		{"task three dots", "...", nil, "", ""},
		{"task escaped dots", "%2e%2e", nil, "", ""},
		{"task empty", "", nil, "task_id", "1-64"},
		{"task 65 chars", strings.Repeat("t", 65), nil, "task_id", "1-64"},
		{"task 65 runes", strings.Repeat("任", 65), nil, "task_id", "1-64"},
		{"task dot", ".", nil, "task_id", "dot segment"},
		{"task dotdot", "..", nil, "task_id", "dot segment"},
		{"task fullwidth dot", "\uFF0E", nil, "task_id", "dot segment"},
		{"task fullwidth dotdot", "\uFF0E\uFF0E", nil, "task_id", "dot segment"},
		{"task mixed dotdot", ".\uFF0E", nil, "task_id", "dot segment"},
		{"task one-dot leaders", "\u2024\u2024", nil, "task_id", "dot segment"},
		{"task small full stops", "\uFE52\uFE52", nil, "task_id", "dot segment"},
		{"task halfwidth ideographic stop", "\uFF61", nil, "task_id", "dot segment"},
		{"task zero-width dotdot", "\u200b..", nil, "task_id", "format characters"},
		{"task zero-width joiner", "a\u200db", nil, "task_id", "format characters"},
		{"task bidi override", "task\u202e1", nil, "task_id", "format characters"},
		{"task soft hyphen", "ta\u00adsk", nil, "task_id", "format characters"},
		{"task slash", "a/b", nil, "task_id", `'/'`},
		{"task traversal", "../x", nil, "task_id", `'/'`},
		{"task escaped traversal", "..%2F..", nil, "", ""}, // '%' is sent as %25: no slash reaches the gateway
		{"task backslash", `a\b`, nil, "task_id", `'\'`},
		{"task control", "t\x00", nil, "task_id", "control"},
		{"task newline", "t\n", nil, "task_id", "control"},
		{"task C1 control", "t\u0085", nil, "task_id", "control"},
		{"task invalid utf8", "t\xff", nil, "task_id", "UTF-8"},
		{"eps 256", "t", &opts{EnterpriseProjectID: strings.Repeat("e", 256)}, "", ""},
		{"eps 257", "t", &opts{EnterpriseProjectID: strings.Repeat("e", 257)}, "enterprise_project_id", "1-256"},
		{"eps control", "t", &opts{EnterpriseProjectID: "e\t"}, "enterprise_project_id", "control"},
		{"eps invalid utf8", "t", &opts{EnterpriseProjectID: "e\xfe"}, "enterprise_project_id", "UTF-8"},
		{"name 128", "t", &opts{RegistryName: strings.Repeat("n", 128)}, "", ""},
		{"name 128 runes", "t", &opts{RegistryName: strings.Repeat("名", 128)}, "", ""},
		{"name 129", "t", &opts{RegistryName: strings.Repeat("n", 129)}, "registry_name", "1-128"},
		{"name control", "t", &opts{RegistryName: "a\x7f"}, "registry_name", "control"},
		{"offset 0", "t", &opts{Offset: 0}, "", ""},
		{"offset max", "t", &opts{Offset: hss.MaxOffset}, "", ""},
		{"offset -1", "t", &opts{Offset: -1}, "offset", "0-2000000"},
		{"offset max+1", "t", &opts{Offset: hss.MaxOffset + 1}, "offset", "0-2000000"},
		{"limit 0", "t", &opts{Limit: 0}, "", ""},
		{"limit 10", "t", &opts{Limit: hss.MinLimit}, "", ""},
		{"limit 200", "t", &opts{Limit: hss.MaxLimit}, "", ""},
		{"limit 9", "t", &opts{Limit: 9}, "limit", "10-200"},
		{"limit 1", "t", &opts{Limit: 1}, "limit", "10-200"},
		{"limit 201", "t", &opts{Limit: 201}, "limit", "10-200"},
		{"limit -5", "t", &opts{Limit: -5}, "limit", "10-200"},
		{"unknown type allowed", "t", &opts{RegistryTypes: []hss.RegistryType{"Quay"}}, "", ""},
		{"empty type", "t", &opts{RegistryTypes: []hss.RegistryType{hss.RegistryTypeHarbor, ""}}, "registry_type", "element 1 is empty"},
		{"comma type", "t", &opts{RegistryTypes: []hss.RegistryType{"Harbor,Jfrog"}}, "registry_type", "comma"},
		{"control type", "t", &opts{RegistryTypes: []hss.RegistryType{"Harbor\n"}}, "registry_type", "control"},
		{"long type", "t", &opts{RegistryTypes: []hss.RegistryType{hss.RegistryType(strings.Repeat("T", 65))}}, "registry_type", "1-64"},
		{"unknown status allowed", "t", &opts{SyncStatus: "paused"}, "", ""},
		{"control status", "t", &opts{SyncStatus: "failed\r\n"}, "sync_status", "control"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := seen.Len()
			_, err := c.ListSyncTaskRegistries(context.Background(), tc.task, tc.opts)
			if tc.field == "" {
				require.NoError(t, err)
				assert.Equal(t, before+1, seen.Len())
				assert.NoError(t, tc.opts.Validate())
				return
			}
			var ve *hss.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tc.field, ve.Field)
			assert.Contains(t, ve.Error(), tc.want)
			assert.True(t, strings.HasPrefix(err.Error(), "hss: invalid "+tc.field+": "), err.Error())
			assert.Equal(t, before, seen.Len(), "nothing is sent for bad input")

			// The iterators report the same error, once, without sending.
			n := 0
			for _, err := range c.ListSyncTaskRegistriesIter(context.Background(), tc.task, tc.opts) {
				n++
				require.ErrorAs(t, err, &ve)
				assert.Equal(t, tc.field, ve.Field)
			}
			assert.Equal(t, 1, n)
			n = 0
			for page, err := range c.ListSyncTaskRegistriesPages(context.Background(), tc.task, tc.opts) {
				n++
				assert.Nil(t, page)
				require.ErrorAs(t, err, &ve)
			}
			assert.Equal(t, 1, n)
			assert.Equal(t, before, seen.Len())

			// ValidateTaskID and Validate say the same before any call.
			if tc.field == "task_id" {
				require.ErrorAs(t, hss.ValidateTaskID(tc.task), &ve)
				assert.Equal(t, "task_id", ve.Field)
			} else {
				require.ErrorAs(t, tc.opts.Validate(), &ve)
				assert.Equal(t, tc.field, ve.Field)
			}
		})
	}
}

func TestValidateNilOptions(t *testing.T) {
	var o *hss.ListSyncTaskRegistriesOptions
	assert.NoError(t, o.Validate())
	assert.NoError(t, (&hss.ListSyncTaskRegistriesOptions{}).Validate())
	assert.NoError(t, hss.ValidateTaskID("c5a3b1e2-7f1d-4c3a-9b7e-1f2e3d4c5b6a"))
}

// TestValidationNeverQuotesOversizedInput: a reason names the bound and
// the length, not a megabyte of input.
func TestValidationNeverQuotesOversizedInput(t *testing.T) {
	big := strings.Repeat("x", 1<<20)
	for _, err := range []error{
		hss.ValidateTaskID(big),
		(&hss.ListSyncTaskRegistriesOptions{RegistryName: big}).Validate(),
		(&hss.ListSyncTaskRegistriesOptions{EnterpriseProjectID: big}).Validate(),
	} {
		require.Error(t, err)
		assert.Less(t, len(err.Error()), 200, err.Error()[:min(len(err.Error()), 200)])
	}
}

func TestNilContext(t *testing.T) {
	c, seen := newMockClient(t, "https://hss.example.com", 200, `{"total_num":0,"data_list":[]}`, nil)
	var ve *hss.ValidationError
	//lint:ignore SA1012 the test is about a nil context
	_, err := c.ListSyncTaskRegistries(nil, "t", nil) //nolint:staticcheck
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "ctx", ve.Field)
	//lint:ignore SA1012 the test is about a nil context
	for _, err := range c.ListSyncTaskRegistriesIter(nil, "t", nil) { //nolint:staticcheck
		require.ErrorAs(t, err, &ve)
	}
	assert.Zero(t, seen.Len())
}
