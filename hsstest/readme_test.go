package hsstest_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/hsskit/hss"
	"github.com/hsskit/hss/hsstest"
	"github.com/stretchr/testify/require"
)

// TestReadmeExample keeps the README's hsstest example true. It adds a
// fake clock, so the backoffs between the retries take no real time.
func TestReadmeExample(t *testing.T) {
	srv := hsstest.NewServer(hsstest.WithSeed("task-1", 450))
	defer srv.Close()
	client := srv.Client(t, hss.WithClock(hsstest.NewClock(t0)))

	srv.FailNext(2, http.StatusServiceUnavailable, "APIGW.0613", "IAM service unavailable")
	n := 0
	for _, err := range client.ListSyncTaskRegistriesIter(context.Background(), "task-1", nil) {
		require.NoError(t, err)
		n++
	}
	require.Equal(t, 450, n)
	require.Len(t, srv.Requests(), 5)
}
