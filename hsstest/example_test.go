// Examples: a test with the fake, injected failures, a shared fake clock, extra routes, tied faults, and IAM faked beside HSS.
package hsstest_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/hsskit/hss"
	"github.com/hsskit/hss/credentials"
	"github.com/hsskit/hss/hsstest"
)

// A test of code that uses package hss: start the fake, give it data, get
// a client for it, and run the code under test against it. In a test,
// srv.Client(t) replaces srv.NewClient and fails t on error.
func Example() {
	srv := hsstest.NewServer()
	defer srv.Close()
	if _, err := srv.Seed("task-1", 25); err != nil { // 25 registries of every type and status
		panic(err)
	}

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
	srv.FailNext(1, http.StatusServiceUnavailable, "APIGW.0613", "IAM service unavailable")

	client, err := srv.NewClient(hss.WithRetryPolicy(hss.NoRetries()))
	if err != nil {
		panic(err)
	}
	_, err = client.ListSyncTaskRegistries(context.Background(), "task-1", nil)
	var apiErr *hss.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.StatusCode, apiErr.Code, apiErr.Message)
	}
	resp, err := client.ListSyncTaskRegistries(context.Background(), "task-1", nil)
	fmt.Println(resp.TotalNum, err)
	fmt.Println("faults left:", srv.PendingFaults())
	// Output:
	// 503 APIGW.0613 IAM service unavailable
	// 3 <nil>
	// faults left: 0
}

// A fake clock shared by the server and its clients: the gateway's quota
// is waited out at once, and the test reads what the client waited.
func ExampleNewClock() {
	clk := hsstest.NewClock(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	srv := hsstest.NewServer(hsstest.WithClock(clk), hsstest.WithSeed("task-1", 3),
		hsstest.WithQuota(hsstest.Quota{Limit: 1, Window: time.Minute}))
	defer srv.Close()

	client, err := srv.NewClient() // on clk too
	if err != nil {
		panic(err)
	}
	for range 2 {
		resp, err := client.ListSyncTaskRegistries(context.Background(), "task-1", nil)
		fmt.Println(resp.TotalNum, err)
	}
	fmt.Println("waited:", clk.Sleeps(), "throttled:", srv.Throttled(), "now:", clk.Now().Format(time.TimeOnly))
	// Output:
	// 3 <nil>
	// 3 <nil>
	// waited: [1m0s] throttled: 1 now: 00:01:00
}

// An extra route fakes another HSS call next to the built-in one; the
// client reaches it with Client.Do, through the same checks.
func ExampleServer_HandleFunc() {
	srv := hsstest.NewServer()
	defer srv.Close()
	err := srv.HandleFunc(http.MethodPost, "/v5/{project_id}/image/image-sync/tasks", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Name string `json:"name"`
		}
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"task_id": "task-" + in.Name})
	})
	if err != nil {
		panic(err)
	}

	client, err := srv.NewClient()
	if err != nil {
		panic(err)
	}
	var out struct {
		TaskID string `json:"task_id"`
	}
	_, err = client.Do(context.Background(), http.MethodPost, "/v5/{project_id}/image/image-sync/tasks", nil,
		map[string]string{"name": "nightly"}, &out)
	fmt.Println(out.TaskID, err)

	_, err = client.Do(context.Background(), http.MethodDelete, "/v5/{project_id}/image/image-sync/tasks/task-nightly", nil, nil, nil)
	var apiErr *hss.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.StatusCode, apiErr.Code)
	}
	for _, r := range srv.Requests() {
		fmt.Println(r.Method, r.Status, r.Auth)
	}
	// Output:
	// task-nightly <nil>
	// 404 APIGW.0101
	// POST 200 token
	// DELETE 404 token
}

// A fault tied to one call waits for that call: a call to another route
// that comes first is untouched, and PendingFaults tells whether the
// fault was used.
func ExampleServer_On() {
	srv := hsstest.NewServer(hsstest.WithSeed("task-1", 3))
	defer srv.Close()
	err := srv.HandleFunc(http.MethodGet, "/v5/{project_id}/image/image-sync/tasks", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprint(w, `{"total_num":1}`)
	})
	if err != nil {
		panic(err)
	}
	err = srv.On(http.MethodGet, hsstest.RegistriesPattern).FailNext(1, http.StatusServiceUnavailable, "APIGW.0613", "IAM service unavailable")
	if err != nil {
		panic(err)
	}
	fmt.Println("faults left:", srv.PendingFaults())

	client, err := srv.NewClient(hss.WithRetryPolicy(hss.NoRetries()))
	if err != nil {
		panic(err)
	}
	_, err = client.Do(context.Background(), http.MethodGet, "/v5/{project_id}/image/image-sync/tasks", nil, nil, nil)
	fmt.Println("tasks:", err, "faults left:", srv.PendingFaults())
	_, err = client.ListSyncTaskRegistries(context.Background(), "task-1", nil)
	var apiErr *hss.APIError
	if errors.As(err, &apiErr) {
		fmt.Println("registries:", apiErr.StatusCode, apiErr.Code, "faults left:", srv.PendingFaults())
	}
	// Output:
	// faults left: 1
	// tasks: <nil> faults left: 1
	// registries: 503 APIGW.0613 faults left: 0
}

// One server fakes IAM and HSS together: the password token source logs
// in at an unauthenticated route, and the client sends the token it got.
func ExampleUnauthenticated() {
	srv := hsstest.NewServer(hsstest.WithSeed("task-1", 3))
	defer srv.Close()
	// IAM's password login answers 201 with the token in X-Subject-Token.
	err := srv.HandleFunc(http.MethodPost, "/v3/auth/tokens", func(w http.ResponseWriter, r *http.Request) {
		var login struct {
			Auth struct {
				Identity struct {
					Password struct {
						User struct {
							Name     string `json:"name"`
							Password string `json:"password"`
						} `json:"user"`
					} `json:"password"`
				} `json:"identity"`
			} `json:"auth"`
		}
		_ = json.NewDecoder(r.Body).Decode(&login)
		if u := login.Auth.Identity.Password.User; u.Name != "hss-reader" || u.Password != "example-password" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.Header().Set("X-Subject-Token", srv.Token())
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintf(w, `{"token":{"expires_at":%q}}`, time.Now().Add(24*time.Hour).UTC().Format(time.RFC3339))
	}, hsstest.Unauthenticated())
	if err != nil {
		panic(err)
	}

	tokens, err := credentials.NewPasswordTokenSource(credentials.PasswordConfig{
		DomainName: "my-domain", UserName: "hss-reader", Password: "example-password",
		ProjectID: srv.ProjectID(), IAMEndpoint: srv.URL(), HTTPClient: srv.HTTPClient(),
	})
	if err != nil {
		panic(err)
	}
	client, err := srv.NewClient(hss.WithCredentials(tokens))
	if err != nil {
		panic(err)
	}
	resp, err := client.ListSyncTaskRegistries(context.Background(), "task-1", nil)
	fmt.Println(resp.TotalNum, err)
	for _, r := range srv.Requests() {
		fmt.Println(r.Method, r.Auth, r.Status)
	}
	// Output:
	// 3 <nil>
	// POST none 201
	// GET token 200
}
