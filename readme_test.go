package hss_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/require"

	"github.com/hsskit/hss"
	"github.com/hsskit/hss/hsstest"
)

// TestReadmeHsstest keeps the README's hsstest example true.
func TestReadmeHsstest(t *testing.T) {
	clk := hsstest.NewClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	srv := hsstest.NewServer(hsstest.WithClock(clk), hsstest.WithSeed("task-1", 450))
	defer srv.Close()
	client := srv.Client(t) // an *hss.Client for srv: token auth, on clk

	srv.FailNext(2, http.StatusServiceUnavailable, "APIGW.0613", "IAM service unavailable")
	n := 0
	for _, err := range client.ListSyncTaskRegistriesIter(context.Background(), "task-1", nil) {
		require.NoError(t, err) // the SDK retried through both 503s
		n++
	}
	require.Equal(t, 450, n)
	require.Len(t, srv.Requests(), 5) // 2 failures + 3 pages; the log never holds secrets
	require.Len(t, clk.Sleeps(), 2)   // two backoffs, taken in no time
}

// TestReadmeHttpmock keeps the README's httpmock example true.
func TestReadmeHttpmock(t *testing.T) {
	hc := &http.Client{}
	httpmock.ActivateNonDefault(hc)
	defer httpmock.DeactivateAndReset()
	httpmock.RegisterResponder(http.MethodGet,
		"https://hss.cn-north-4.myhuaweicloud.com/v5/my-project/image/image-sync/tasks/task-1/registries",
		httpmock.NewStringResponder(200, `{"total_num":1,"data_list":[{"registry_id":"r1","registry_name":"harbor-dev","registry_type":"Harbor","sync_status":"failed","failed_reason":"timeout"}]}`))

	client, err := hss.NewClient("https://hss.cn-north-4.myhuaweicloud.com", "my-project",
		hss.WithToken("test-token"), hss.WithHTTPClient(hc))
	require.NoError(t, err)
	page, err := client.ListSyncTaskRegistries(context.Background(), "task-1", nil)
	require.NoError(t, err)
	require.Equal(t, "timeout", page.DataList[0].FailedReason)
}
