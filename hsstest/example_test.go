package hsstest_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/hsskit/hss"
	"github.com/hsskit/hss/hsstest"
)

// A test of code that uses package hss: start the fake, give it data, get
// a client for it, and run the code under test against it. In a test,
// srv.Client(t) replaces srv.NewClient and fails t on error.
func Example() {
	srv := hsstest.NewServer()
	defer srv.Close()
	srv.Seed("task-1", 25) // 25 registries of every type and status

	client, err := srv.NewClient()
	if err != nil {
		panic(err)
	}
	failed := 0
	for reg, err := range client.ListSyncTaskRegistriesIter(context.Background(), "task-1",
		&hss.ListSyncTaskRegistriesOptions{SyncStatus: hss.SyncStatusFailed}) {
		if err != nil {
			panic(err)
		}
		fmt.Printf("%s (%s): %s\n", reg.RegistryName, reg.RegistryType, reg.FailedReason)
		failed++
	}
	fmt.Println("failed:", failed, "requests:", len(srv.Requests()))
	// Output:
	// swr-private-013 (SwrPrivate): authentication failed: invalid username or password for the registry
	// swr-shared-014 (SwrShared): connection to the registry timed out
	// swr-enterprise-015 (SwrEnterprise): TLS handshake failed: certificate signed by unknown authority
	// harbor-016 (Harbor): repository not found or access denied
	// jfrog-017 (Jfrog): image pull quota exceeded, try again later
	// registry-018 (Other): authentication failed: invalid username or password for the registry
	// failed: 6 requests: 1
}

// Injected failures reach the code under test as the SDK reports them.
func ExampleServer_FailNext() {
	srv := hsstest.NewServer(hsstest.WithSeed("task-1", 3))
	defer srv.Close()
	srv.FailNext(1, http.StatusTooManyRequests, "APIGW.0308", "The throttling threshold has been reached.",
		http.Header{"Retry-After": {"60"}})

	client, err := srv.NewClient(hss.WithRetryPolicy(hss.NoRetries()))
	if err != nil {
		panic(err)
	}
	_, err = client.ListSyncTaskRegistries(context.Background(), "task-1", nil)
	var apiErr *hss.APIError
	if hss.IsThrottled(err) && errors.As(err, &apiErr) {
		fmt.Println("throttled; retry after", apiErr.RetryAfter)
	}
	resp, err := client.ListSyncTaskRegistries(context.Background(), "task-1", nil)
	fmt.Println(resp.TotalNum, err)
	// Output:
	// throttled; retry after 1m0s
	// 3 <nil>
}
