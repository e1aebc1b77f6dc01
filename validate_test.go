package hss_test

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsskit/hss"
)

func TestValidationAtAndPastEachBound(t *testing.T) {
	var sent atomic.Int64
	mt := httpmock.NewMockTransport()
	mt.RegisterNoResponder(func(*http.Request) (*http.Response, error) {
		sent.Add(1)
		return httpmock.NewStringResponse(200, `{"total_num":0,"data_list":[]}`), nil
	})
	c := newTestClient(t, "https://hss.example.com", hss.WithHTTPClient(&http.Client{Transport: mt}))

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
		{"task empty", "", nil, "task_id", "1-64"},
		{"task 65 chars", strings.Repeat("t", 65), nil, "task_id", "1-64"},
		{"task dot", ".", nil, "task_id", `"."`},
		{"task dotdot", "..", nil, "task_id", `".."`},
		{"task control", "t\x00", nil, "task_id", "control"},
		{"task newline", "t\n", nil, "task_id", "control"},
		{"task invalid utf8", "t\xff", nil, "task_id", "UTF-8"},
		{"eps 256", "t", &opts{EnterpriseProjectID: strings.Repeat("e", 256)}, "", ""},
		{"eps 257", "t", &opts{EnterpriseProjectID: strings.Repeat("e", 257)}, "enterprise_project_id", "1-256"},
		{"eps control", "t", &opts{EnterpriseProjectID: "e\t"}, "enterprise_project_id", "control"},
		{"name 128", "t", &opts{RegistryName: strings.Repeat("n", 128)}, "", ""},
		{"name 129", "t", &opts{RegistryName: strings.Repeat("n", 129)}, "registry_name", "1-128"},
		{"name control", "t", &opts{RegistryName: "a\x7f"}, "registry_name", "control"},
		{"offset 0", "t", &opts{Offset: 0}, "", ""},
		{"offset max", "t", &opts{Offset: 2000000}, "", ""},
		{"offset -1", "t", &opts{Offset: -1}, "offset", "0-2000000"},
		{"offset max+1", "t", &opts{Offset: 2000001}, "offset", "0-2000000"},
		{"limit 0", "t", &opts{Limit: 0}, "", ""},
		{"limit 10", "t", &opts{Limit: 10}, "", ""},
		{"limit 200", "t", &opts{Limit: 200}, "", ""},
		{"limit 9", "t", &opts{Limit: 9}, "limit", "10-200"},
		{"limit 1", "t", &opts{Limit: 1}, "limit", "10-200"},
		{"limit 201", "t", &opts{Limit: 201}, "limit", "10-200"},
		{"limit -5", "t", &opts{Limit: -5}, "limit", "10-200"},
		{"unknown type allowed", "t", &opts{RegistryTypes: []hss.RegistryType{"Quay"}}, "", ""},
		{"empty type", "t", &opts{RegistryTypes: []hss.RegistryType{hss.RegistryTypeHarbor, ""}}, "registry_type", "element 1 is empty"},
		{"comma type", "t", &opts{RegistryTypes: []hss.RegistryType{"Harbor,Jfrog"}}, "registry_type", "comma"},
		{"control type", "t", &opts{RegistryTypes: []hss.RegistryType{"Harbor\n"}}, "registry_type", "control"},
		{"unknown status allowed", "t", &opts{SyncStatus: "paused"}, "", ""},
		{"control status", "t", &opts{SyncStatus: "failed\r\n"}, "sync_status", "control"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := sent.Load()
			_, err := c.ListSyncTaskRegistries(context.Background(), tc.task, tc.opts)
			if tc.field == "" {
				require.NoError(t, err)
				assert.Equal(t, before+1, sent.Load())
				return
			}
			var ve *hss.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tc.field, ve.Field)
			assert.Contains(t, ve.Error(), tc.want)
			assert.Contains(t, ve.Error(), tc.field)
			assert.Equal(t, before, sent.Load(), "nothing is sent for bad input")

			// The iterators report the same error, once, without sending.
			n := 0
			for _, err := range c.ListSyncTaskRegistriesIter(context.Background(), tc.task, tc.opts) {
				n++
				require.ErrorAs(t, err, &ve)
			}
			assert.Equal(t, 1, n)
			assert.Equal(t, before, sent.Load())
		})
	}
}

func TestNilContext(t *testing.T) {
	c := newTestClient(t, "https://hss.example.com")
	//lint:ignore SA1012 the test is about a nil context
	_, err := c.ListSyncTaskRegistries(nil, "t", nil) //nolint:staticcheck
	var ve *hss.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "ctx", ve.Field)
}
